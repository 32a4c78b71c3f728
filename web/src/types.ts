// The JSON shapes of plugwatch's REST API (docs/api.md) as the dashboard
// reads them. Timestamps are RFC 3339 UTC strings; null means "not known".

export interface ActivitySettings {
  start_above_w: number;
  start_delay: string;
  stop_below_w: number;
  stop_delay: string;
  price_per_kwh: number;
  currency: string;
}

export interface DeviceState {
  reachable: boolean | null;
  on: boolean | null;
  power_w: number | null;
  activity: string | null; // idle | starting | active | stopping | "" (no cycle detection)
  since: string | null;
  last_reading_at: string | null;
  energy_wh: number | null;
}

export interface Device {
  id: string;
  name: string;
  kind: string;
  address: string;
  site: string;
  enabled: boolean;
  source?: string;
  poll_interval?: string;
  in_quorum?: boolean;
  activity?: ActivitySettings;
  state: DeviceState;
}

export interface Reading {
  ts: string;
  power_w: number | null;
  max_power_w?: number | null;
  energy_wh: number | null;
  on: boolean | null;
}

export interface Cycle {
  device: string;
  site: string;
  started_at: string;
  ended_at: string;
  duration_s: number;
  energy_wh: number;
  peak_w: number;
  cost: number;
}

export interface PlugEvent {
  id: number;
  ts: string;
  type: string;
  device: string;
  site: string;
  data: Record<string, unknown>;
}

export interface Outage {
  id: number;
  site: string;
  label: string | null;
  cause: string;
  started_at: string;
  ended_at: string | null;
  duration_s: number;
  ongoing: boolean;
  devices?: string[];
}

export type Power = 'on' | 'off' | 'unknown';

export interface SiteStatus {
  id: string;
  power: Power;
  since: string | null;
  quorum: { unreachable: number; total: number; threshold: number } | null;
  uptime_24h_pct: number | null;
}

export interface HeartbeatStatus {
  label: string;
  site: string;
  power: Power;
  since: string | null;
  last_heartbeat_at: string | null;
  period_s: number;
  grace_s: number;
  uptime_24h_pct: number | null;
}

export interface Status {
  ts: string;
  devices: { total: number; online: number; offline: number; unknown: number };
  sites: SiteStatus[];
  heartbeats: HeartbeatStatus[];
  outages: Outage[];
}

export interface UptimeFigures {
  checks?: number;
  failed_checks?: number;
  outages: number;
  total_outage_s: number;
  mean_outage_s: number | null;
  longest_outage_s: number | null;
  uptime_pct: number | null;
}

export interface Statistics {
  since: string;
  until: string;
  hours: number;
  sites: (UptimeFigures & { site: string })[];
  heartbeats: (UptimeFigures & { label: string; site: string })[];
}

// A live reading on the stream (`event: reading`).
export interface LiveReading {
  device: string;
  ts: string;
  reachable: boolean;
  power_w: number | null;
  on: boolean | null;
}

// Every event type the service emits (docs/events.md).
export const EVENT_TYPES = [
  'device_active',
  'cycle_finished',
  'device_offline',
  'device_online',
  'switched_on',
  'switched_off',
  'power_lost',
  'power_restored',
] as const;
