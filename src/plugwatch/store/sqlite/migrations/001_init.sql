-- 001_init: the first plugwatch schema.
--
-- Units: times are unix milliseconds (INTEGER) unless the column name says
-- otherwise (rollup_1m.minute, rollup_1h.hour). Power and energy in the
-- reading tables are INTEGER milliwatts and milliwatt-hours: SQLite stores an
-- integer in 0–4 bytes where a REAL always takes 8. With devices numbered
-- (series) as well, a raw reading takes about 21 bytes and a minute bucket
-- about 23 (measured with a simulated plug), so a year of 100 plugs read
-- every 10 s (raw kept 7 days, minutes 90 days, hours forever) is about
-- 440 MB, inside the 500 MB target; text ids and REALs would double it.
--
-- Energy in readings and rollups is the energy used during the row's interval
-- (since the series' previous reading, or within the bucket), computed from
-- plugwatch's lifetime counter. energy_totals keeps that counter exactly; the
-- counter at the end of any row is energy_totals minus the energy of all
-- later rows of the same table, which the store computes when it reads.

CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- devices_rev: bumped by every device change, polled by the service.
-- event_ids_reserved: the highest event id any process has claimed.
INSERT INTO meta(key, value) VALUES ('devices_rev', 0), ('event_ids_reserved', 0);

CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  address TEXT NOT NULL,
  username TEXT NOT NULL,
  password TEXT NOT NULL,
  site TEXT NOT NULL,
  protocol TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  poll_interval_ms INTEGER,   -- NULL: the configured default
  activity TEXT,              -- JSON ActivitySettings; NULL: no cycle detection
  in_quorum INTEGER NOT NULL,
  source TEXT NOT NULL,       -- 'config' | 'cli' | 'api'
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- A device's history outlives the device (removing it keeps its readings, and
-- adding the same id again continues them), so series does not reference
-- devices.
CREATE TABLE series (
  id INTEGER PRIMARY KEY,
  device TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE readings (
  series INTEGER NOT NULL REFERENCES series(id),
  ts INTEGER NOT NULL,
  power_mw INTEGER,
  energy_mwh INTEGER,  -- NULL: the reading carried no lifetime counter
  relay_on INTEGER,
  reachable INTEGER NOT NULL,
  PRIMARY KEY (series, ts)
) STRICT, WITHOUT ROWID;

-- n counts the readings with a power value; mean power = power_sum_mw / n.
CREATE TABLE rollup_1m (
  series INTEGER NOT NULL REFERENCES series(id),
  minute INTEGER NOT NULL,  -- bucket start in unix minutes
  n INTEGER NOT NULL,
  power_sum_mw INTEGER NOT NULL,
  power_max_mw INTEGER,
  energy_mwh INTEGER NOT NULL,
  on_last INTEGER,
  PRIMARY KEY (series, minute)
) STRICT, WITHOUT ROWID;

CREATE TABLE rollup_1h (
  series INTEGER NOT NULL REFERENCES series(id),
  hour INTEGER NOT NULL,    -- bucket start in unix hours
  n INTEGER NOT NULL,
  power_sum_mw INTEGER NOT NULL,
  power_max_mw INTEGER,
  energy_mwh INTEGER NOT NULL,
  on_last INTEGER,
  PRIMARY KEY (series, hour)
) STRICT, WITHOUT ROWID;

CREATE TABLE energy_totals (
  device TEXT PRIMARY KEY,
  wh REAL NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE events (
  id INTEGER PRIMARY KEY,  -- assigned by the store from blocks claimed in meta
  ts INTEGER NOT NULL,
  type TEXT NOT NULL,
  device TEXT NOT NULL,    -- '' for site-wide events
  site TEXT NOT NULL,
  data TEXT NOT NULL       -- JSON object
) STRICT;
CREATE INDEX events_by_ts ON events(ts);
CREATE INDEX events_by_device ON events(device, ts);

CREATE TABLE cycles (
  id INTEGER PRIMARY KEY,
  device TEXT NOT NULL,
  site TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER NOT NULL,
  duration_s REAL NOT NULL,
  energy_wh REAL NOT NULL,
  peak_w REAL NOT NULL,
  cost REAL NOT NULL
) STRICT;
CREATE INDEX cycles_by_end ON cycles(ended_at);
CREATE INDEX cycles_by_device ON cycles(device, ended_at);

CREATE TABLE device_state (
  device TEXT PRIMARY KEY,
  snapshot TEXT NOT NULL,  -- JSON object from the device's detectors
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
