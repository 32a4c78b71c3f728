#include "plugwatch/notify/telegram/reply.h"

#include <gtest/gtest.h>

namespace plugwatch::notify::telegram {
namespace {

using Kind = Outcome::Kind;

TEST(TelegramReply, OkIsDeliveredAndKeepsTheResult) {
  auto r = ParseReply(200, R"({"ok":true,"result":{"message_id":7,"chat":{"id":42}}})");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->ok);
  EXPECT_EQ(r->result.at("message_id").as_int64(), 7);
  EXPECT_EQ(Classify(*r).kind, Kind::kDelivered);
}

TEST(TelegramReply, TooManyRequestsRetriesAfterExactlyRetryAfter) {
  const Outcome o = Classify(
      429,
      R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 17","parameters":{"retry_after":17}})");
  EXPECT_EQ(o.kind, Kind::kRetry);
  EXPECT_EQ(o.retry_after, Duration(17'000));
}

TEST(TelegramReply, ServerErrorsAndGarbageRetry) {
  EXPECT_EQ(Classify(502, R"({"ok":false,"error_code":502,"description":"Bad Gateway"})").kind,
            Kind::kRetry);
  EXPECT_EQ(Classify(502, "<html>nginx</html>").kind, Kind::kRetry);
  EXPECT_EQ(Classify(502, "").retry_after, Duration(0));
  EXPECT_EQ(ClassifyTransportError(Error{make_error_code(Errc::kTimeout), "timed out"}).kind,
            Kind::kRetry);
}

TEST(TelegramReply, GoneChatsAreRecipientGone) {
  for (const char* d : {"Forbidden: bot was blocked by the user", "Forbidden: user is deactivated",
                        "Forbidden: bot was kicked from the group chat",
                        "Forbidden: bot is not a member of the channel chat"}) {
    const std::string body =
        std::string(R"({"ok":false,"error_code":403,"description":")") + d + "\"}";
    EXPECT_EQ(Classify(403, body).kind, Kind::kRecipientGone) << d;
  }
  EXPECT_EQ(
      Classify(400, R"({"ok":false,"error_code":400,"description":"Bad Request: chat not found"})")
          .kind,
      Kind::kRecipientGone);
}

TEST(TelegramReply, MigrationIsMovedToTheNewId) {
  const Outcome o = Classify(
      400,
      R"({"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001234567890}})");
  EXPECT_EQ(o.kind, Kind::kMoved);
  EXPECT_EQ(o.moved_to, "-1001234567890");
}

TEST(TelegramReply, OtherBadRequestsFailThisMessageOnly) {
  const Outcome o = Classify(
      400, R"({"ok":false,"error_code":400,"description":"Bad Request: can't parse entities"})");
  EXPECT_EQ(o.kind, Kind::kFailed);
  EXPECT_NE(o.detail.find("can't parse entities"), std::string::npos);
  EXPECT_EQ(Classify(400, "not json").kind, Kind::kFailed);
  // a wrong token must not throw the queue away
  EXPECT_EQ(Classify(401, R"({"ok":false,"error_code":401,"description":"Unauthorized"})").kind,
            Kind::kRetry);
}

}  // namespace
}  // namespace plugwatch::notify::telegram
