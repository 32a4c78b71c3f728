#include "plugwatch/notify/telegram/text.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace plugwatch::notify::telegram {
namespace {

std::string Joined(const std::vector<std::string>& parts) {
  std::string all;
  for (const auto& p : parts) all += p;
  return all;
}

bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    }
    i += n;
  }
  return true;
}

TEST(TelegramText, EscapesHtml) {
  EXPECT_EQ(EscapeHtml("a < b && c > \"d\""), "a &lt; b &amp;&amp; c &gt; &quot;d&quot;");
  EXPECT_EQ(EscapeHtml("Пральна машина"), "Пральна машина");
}

TEST(TelegramText, CountsLikeTelegram) {
  EXPECT_EQ(VisibleLength("<b>ab</b>"), 2u);
  EXPECT_EQ(VisibleLength("a &amp; b"), 5u);
  EXPECT_EQ(VisibleLength("світло"), 6u);
  EXPECT_EQ(VisibleLength("\xF0\x9F\x94\x8C"), 2u);  // U+1F50C, a surrogate pair
}

TEST(TelegramText, ShortTextIsOnePart) {
  EXPECT_EQ(SplitMessage("hello"), std::vector<std::string>{"hello"});
  EXPECT_TRUE(SplitMessage("").empty());
}

TEST(TelegramText, SplitsOnLineBoundaries) {
  std::string text;
  for (int i = 0; i < 300; ++i) text += "line " + std::to_string(i) + " of the outage list\n";
  const auto parts = SplitMessage(text, 4096);
  ASSERT_GE(parts.size(), 2u);
  size_t lines = 0;
  const std::string tail = "of the outage list";
  for (const auto& p : parts) {
    EXPECT_LE(VisibleLength(p), 4096u);
    EXPECT_NE(p.front(), '\n');
    for (size_t i = p.find(tail); i != std::string::npos; i = p.find(tail, i + 1)) ++lines;
    EXPECT_TRUE(p.ends_with("of the outage list") || p.ends_with("of the outage list\n")) << p;
  }
  EXPECT_EQ(lines, 300u);
}

TEST(TelegramText, NeverCutsEntitiesTagsOrUtf8) {
  std::string text;
  for (int i = 0; i < 500; ++i)
    text += "<b>Світло</b>&amp;\xF0\x9F\x94\x8C";  // no spaces, no lines
  for (size_t limit : {7u, 10u, 33u, 100u, 4096u}) {
    const auto parts = SplitMessage(text, limit);
    for (const auto& p : parts) {
      EXPECT_LE(VisibleLength(p), limit);
      EXPECT_TRUE(ValidUtf8(p)) << limit;
      // every & starts a complete entity, every < a complete tag
      for (size_t i = p.find('&'); i != std::string::npos; i = p.find('&', i + 1)) {
        EXPECT_EQ(p.compare(i, 5, "&amp;"), 0) << p;
      }
      EXPECT_EQ(std::count(p.begin(), p.end(), '<'), std::count(p.begin(), p.end(), '>'));
      // tags balanced within each part
      size_t opens = 0, closes = 0;
      for (size_t i = p.find("<b>"); i != std::string::npos; i = p.find("<b>", i + 1)) ++opens;
      for (size_t i = p.find("</b>"); i != std::string::npos; i = p.find("</b>", i + 1)) ++closes;
      EXPECT_EQ(opens, closes) << p;
    }
    // nothing lost: the visible text survives in order
    EXPECT_EQ(VisibleLength(Joined(parts)), VisibleLength(text)) << limit;
  }
}

TEST(TelegramText, FallsBackToSpacesAndReopensTags) {
  const auto parts = SplitMessage("<i>one two three four</i>", 9);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0], "<i>one two</i>");
  EXPECT_EQ(parts[1], "<i>three</i>");
  EXPECT_EQ(parts[2], "<i>four</i>");
}

}  // namespace
}  // namespace plugwatch::notify::telegram
