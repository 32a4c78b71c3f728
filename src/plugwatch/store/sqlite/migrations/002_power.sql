-- 002_power: power outages, heartbeats and check counts (issue 4), and
-- detector state for more than devices.
--
-- Units as in 001: times are unix milliseconds, check buckets unix hours.

-- Detector state is kept per device, per heartbeat label and per site; the
-- key says which: a device id ([a-z0-9_-]+), "label:<label>" or
-- "site:<site>", which cannot collide with a device id.
ALTER TABLE device_state RENAME TO detector_state;
ALTER TABLE detector_state RENAME COLUMN device TO key;

-- One row per outage of a site (cause 'quorum', label '') or of a heartbeat
-- label (cause 'heartbeat'). ended_at is NULL while the outage goes on; at
-- most one outage per (site, label, cause) is open at a time.
CREATE TABLE outages (
  id INTEGER PRIMARY KEY,
  site TEXT NOT NULL,
  label TEXT NOT NULL,
  cause TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  devices TEXT NOT NULL  -- JSON array of the device ids found unreachable
) STRICT;
CREATE INDEX outages_by_start ON outages(started_at);
CREATE INDEX outages_by_end ON outages(ended_at);
CREATE UNIQUE INDEX outages_one_open ON outages(site, label, cause) WHERE ended_at IS NULL;

-- The latest acknowledged heartbeat of each label: the server's receive time
-- decides, the client's own timestamp is kept for diagnosis. One row per
-- label, so a flood of heartbeats costs one upsert per group commit.
CREATE TABLE heartbeat_labels (
  label TEXT PRIMARY KEY,
  received_at INTEGER NOT NULL,
  client_ts INTEGER,    -- the client's timestamp, if it sent one
  remote TEXT NOT NULL, -- the sender's address
  received INTEGER NOT NULL  -- heartbeats received, ever
) STRICT, WITHOUT ROWID;

-- Checks per hour: kind 'site' counts the polls of a site's quorum devices
-- (failures: polls that failed); kind 'label' counts received heartbeats.
CREATE TABLE checks (
  kind TEXT NOT NULL,
  scope TEXT NOT NULL,
  hour INTEGER NOT NULL,
  checks INTEGER NOT NULL,
  failures INTEGER NOT NULL,
  PRIMARY KEY (kind, scope, hour)
) STRICT, WITHOUT ROWID;
