#include "plugwatch/core/utf8.h"

#include <gtest/gtest.h>

namespace plugwatch {
namespace {

TEST(Utf8, WellFormedTextIsKept) {
  for (std::string_view s : {"", "plain ascii", "Küche", "Пральна машина", "€0.21", "🔌 ⚡",
                             "\xF4\x8F\xBF\xBF" /* U+10FFFF */}) {
    EXPECT_TRUE(IsValidUtf8(s)) << s;
    EXPECT_EQ(ValidUtf8(s), s);
  }
}

TEST(Utf8, EveryBadByteBecomesOneReplacementCharacter) {
  EXPECT_EQ(ValidUtf8("s\xB0tatus"), "s\xEF\xBF\xBDtatus");      // a lone continuation
  EXPECT_EQ(ValidUtf8("\xC3"), "\xEF\xBF\xBD");                  // truncated at the end
  EXPECT_EQ(ValidUtf8("\xC3(x"), "\xEF\xBF\xBD(x");              // truncated in the middle
  EXPECT_EQ(ValidUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(ValidUtf8("\xE0\x80\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
  EXPECT_EQ(ValidUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(ValidUtf8("\xF4\x90\x80\x80"),
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // above U+10FFFF
  EXPECT_EQ(ValidUtf8("\xFF"), "\xEF\xBF\xBD");
  EXPECT_FALSE(IsValidUtf8("a\xFF"));
  EXPECT_TRUE(IsValidUtf8(ValidUtf8("\xF0\x9F\x94")));
}

}  // namespace
}  // namespace plugwatch
