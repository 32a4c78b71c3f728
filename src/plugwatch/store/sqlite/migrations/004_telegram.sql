-- 004_telegram: the Telegram bot's subscribers and its own state (issue 3).
--
-- One row per chat that ever pressed /start. `subscribed` = 0 after /stop,
-- or when Telegram said the chat is gone (blocked, deactivated, not found):
-- the row stays, so a later /start keeps the person's choices.
-- language: chosen in the bot (NULL = not chosen: their Telegram
-- language_code, else the site's default, applies). night_sound = 0: quiet
-- hours deliver without sound. Times are unix milliseconds.
CREATE TABLE telegram_subscribers (
  chat_id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL DEFAULT 0,
  first_name TEXT NOT NULL DEFAULT '',
  username TEXT NOT NULL DEFAULT '',
  language TEXT,
  language_code TEXT NOT NULL DEFAULT '',
  topic_power INTEGER NOT NULL DEFAULT 1,
  topic_appliances INTEGER NOT NULL DEFAULT 1,
  night_sound INTEGER NOT NULL DEFAULT 1,
  subscribed INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- The bot's small state: 'offset' is the next getUpdates offset (the last
-- fully handled update_id + 1), so a restart neither handles an update twice
-- nor loses one; 'subscribers_rev' goes up with every change of
-- telegram_subscribers, so a running service notices chats another process
-- (`plugwatch notify subscribe`) added.
CREATE TABLE telegram_bot_state (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT;
