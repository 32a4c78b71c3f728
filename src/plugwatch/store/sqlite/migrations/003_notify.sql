-- 003_notify: the notification outbox (issue 3).
--
-- One row per message to one recipient of one sink. A row is written before
-- anything is sent (acknowledged = committed), so a crash or kill -9 loses
-- nothing: rows still 'queued' are sent after the restart. Delivery is
-- at-least-once: a row sent but not yet marked 'delivered' when the process
-- died is sent again (receivers can drop the copy by idempotency_key).
--
-- state: 'queued' (waiting or retrying), 'delivered', 'failed' (permanent
-- error), 'dropped' (too old, or its recipient is gone). Finished rows are
-- kept for `notify status` and deleted by cleanup after 30 days.
-- Times are unix milliseconds.
CREATE TABLE notify_outbox (
  id INTEGER PRIMARY KEY,
  sink TEXT NOT NULL,
  recipient TEXT NOT NULL,
  event_type TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  message TEXT NOT NULL,  -- JSON: title, text, priority, tags, silent
  created_at INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'queued',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT ''
) STRICT;
-- The runner reads the queue in order per (sink, recipient).
CREATE INDEX notify_outbox_queued ON notify_outbox(sink, recipient, id) WHERE state = 'queued';
CREATE INDEX notify_outbox_by_state ON notify_outbox(sink, state);
-- The same event for the same recipient is queued once, even when the event
-- is replayed after a restart.
CREATE UNIQUE INDEX notify_outbox_once ON notify_outbox(sink, recipient, idempotency_key);
