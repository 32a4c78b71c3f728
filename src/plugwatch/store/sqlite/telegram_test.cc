// The Telegram bot's subscribers and getUpdates offset in the SQLite store,
// on a real database file (reopened to prove what is durable).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "plugwatch/store/store.h"

namespace plugwatch::store {
namespace {

namespace fs = std::filesystem;

class TelegramStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "plugwatch-tg-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = (dir_ / "plugwatch.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Store> Open() {
    auto s = OpenSqlite(path_);
    EXPECT_TRUE(s) << s.error().message();
    return s ? std::move(*s) : nullptr;
  }

  fs::path dir_;
  std::string path_;
};

TelegramSubscriber Sub(long long chat) {
  TelegramSubscriber s;
  s.chat_id = chat;
  s.user_id = chat;
  s.first_name = "Оля";
  s.username = "olya";
  s.language_code = "uk";
  s.created_at = FromUnixMillis(1'700'000'000'000LL);
  s.updated_at = s.created_at;
  return s;
}

TEST_F(TelegramStoreTest, SubscribersRoundTripAcrossReopen) {
  auto a = Sub(42);
  a.language = "uk";
  a.appliances = false;
  a.night_sound = false;
  auto b = Sub(-1001234);
  b.subscribed = false;
  {
    auto s = Open();
    ASSERT_TRUE(s->SaveSubscribers({a, b}));
  }
  auto s = Open();
  auto all = s->ListSubscribers();
  ASSERT_TRUE(all) << all.error().message();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0], b);  // ordered by chat id
  EXPECT_EQ((*all)[1], a);
}

TEST_F(TelegramStoreTest, SavingAgainUpdatesButKeepsCreatedAt) {
  auto s = Open();
  auto a = Sub(7);
  ASSERT_TRUE(s->SaveSubscribers({a}));
  auto changed = a;
  changed.language = "cs";
  changed.power = false;
  changed.created_at = FromUnixMillis(1'800'000'000'000LL);
  changed.updated_at = FromUnixMillis(1'800'000'000'000LL);
  ASSERT_TRUE(s->SaveSubscribers({changed}));
  auto all = s->ListSubscribers();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].language, std::optional<std::string>("cs"));
  EXPECT_FALSE((*all)[0].power);
  EXPECT_EQ((*all)[0].created_at, a.created_at);
  EXPECT_EQ((*all)[0].updated_at, changed.updated_at);
}

TEST_F(TelegramStoreTest, UnsetTimesBecomeNow) {
  auto s = Open();
  TelegramSubscriber a;
  a.chat_id = 5;
  const TimePoint before = SystemClock().Now();
  ASSERT_TRUE(s->SaveSubscribers({a}));
  auto all = s->ListSubscribers();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_GE((*all)[0].created_at, before);
  EXPECT_EQ((*all)[0].language, std::nullopt);
}

TEST_F(TelegramStoreTest, ManySubscribersInOneCall) {
  auto s = Open();
  std::vector<TelegramSubscriber> many;
  for (int i = 1; i <= 1000; ++i) many.push_back(Sub(i));
  ASSERT_TRUE(s->SaveSubscribers(many));
  auto all = s->ListSubscribers();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1000u);
  EXPECT_EQ(all->back().chat_id, 1000);
}

TEST_F(TelegramStoreTest, MoveSubscriberRekeysTheRowAndReplacesATarget) {
  auto s = Open();
  auto group = Sub(-77);
  group.language = "ru";
  ASSERT_TRUE(s->SaveSubscribers({group, Sub(-10077)}));
  ASSERT_TRUE(s->MoveSubscriber(-77, -10077));
  auto all = s->ListSubscribers();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].chat_id, -10077);
  EXPECT_EQ((*all)[0].language, std::optional<std::string>("ru"));

  auto missing = s->MoveSubscriber(-5, -6);
  ASSERT_FALSE(missing);
  EXPECT_TRUE(missing.error().Is(Errc::kNotFound));
  EXPECT_NE(missing.error().message().find("-5"), std::string::npos);
}

TEST_F(TelegramStoreTest, RevisionMovesWithEveryChangeSeenFromAnotherConnection) {
  auto service = Open();
  auto cli = Open();  // another process's connection
  auto r0 = service->SubscribersRevision();
  ASSERT_TRUE(r0);
  ASSERT_TRUE(cli->SaveSubscribers({Sub(1), Sub(2)}));
  auto r1 = service->SubscribersRevision();
  ASSERT_TRUE(r1);
  EXPECT_NE(*r1, *r0);
  ASSERT_TRUE(cli->MoveSubscriber(2, 3));
  auto r2 = service->SubscribersRevision();
  EXPECT_NE(*r2, *r1);
  ASSERT_TRUE(service->SaveTelegramOffset(5));  // not a subscriber change
  EXPECT_EQ(*service->SubscribersRevision(), *r2);
}

TEST_F(TelegramStoreTest, OffsetStartsAtZeroAndSurvivesReopen) {
  {
    auto s = Open();
    auto o = s->TelegramOffset();
    ASSERT_TRUE(o);
    EXPECT_EQ(*o, 0);
    ASSERT_TRUE(s->SaveTelegramOffset(1001));
    ASSERT_TRUE(s->SaveTelegramOffset(1002));
  }
  auto s = Open();
  auto o = s->TelegramOffset();
  ASSERT_TRUE(o);
  EXPECT_EQ(*o, 1002);
}

}  // namespace
}  // namespace plugwatch::store
