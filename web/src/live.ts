// The live feed: the devices and their latest readings, kept current from the
// Server-Sent Events stream GET /api/stream, with polling of GET /api/devices
// as the fallback whenever the stream is not open (an older server without
// the stream, a proxy that buffers, a dropped connection while the browser
// reconnects).
//
// Pages subscribe for the device list, single readings, events and the
// connection mode. Readings arrive several times a second with many plugs,
// so device-list notifications are batched to one per animation frame.

import { get } from './api';
import { EVENT_TYPES, type Device, type LiveReading, type PlugEvent } from './types';

export type Mode = 'connecting' | 'live' | 'polling' | 'offline';

export interface Listener {
  devices?: (devices: Device[]) => void;
  reading?: (r: LiveReading) => void;
  event?: (e: PlugEvent) => void;
  mode?: (m: Mode) => void;
}

const POLL_MS = 2000; // the fallback's period
const LIVE_REFRESH_MS = 30000; // full refresh while the stream is open
const STREAM_OPEN_WAIT_MS = 4000; // poll meanwhile if the stream is slower to open
const STREAM_RETRY_MS = 30000; // try the stream again after it failed for good

// Events after which a device's state (activity, since, reachability)
// changed in ways a reading does not carry: fetch the list again.
const DEVICE_EVENTS = new Set<string>([
  'device_active',
  'cycle_finished',
  'device_offline',
  'device_online',
  'switched_on',
  'switched_off',
]);

class LiveFeed {
  private devices = new Map<string, Device>();
  private listeners = new Set<Listener>();
  private source: EventSource | null = null;
  private pollTimer: number | undefined;
  private retryTimer: number | undefined;
  private refreshTimer: number | undefined;
  private frame = 0;
  private mode_: Mode = 'connecting';
  private loaded_ = false;
  private lastError = '';
  private seq = 0; // answers to older refreshes that arrive late are dropped

  get mode(): Mode {
    return this.mode_;
  }
  get loaded(): boolean {
    return this.loaded_;
  }
  get error(): string {
    return this.lastError;
  }
  list(): Device[] {
    return [...this.devices.values()];
  }
  device(id: string): Device | undefined {
    return this.devices.get(id);
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  start(): void {
    void this.refresh();
    this.openStream();
  }

  // Fetches the device list now; readings that are newer than what we had
  // are passed on as live readings (so charts move in polling mode too).
  async refresh(): Promise<void> {
    const seq = ++this.seq;
    try {
      const list = await get<Device[]>('/api/devices');
      if (seq !== this.seq) return;
      const fresh = new Map<string, Device>();
      for (const d of list) {
        const before = this.devices.get(d.id);
        fresh.set(d.id, d);
        const ts = d.state.last_reading_at;
        if (ts && ts !== before?.state.last_reading_at)
          this.emitReading({
            device: d.id,
            ts,
            reachable: d.state.reachable !== false,
            power_w: d.state.power_w,
            on: d.state.on,
          });
      }
      this.devices = fresh;
      this.loaded_ = true;
      this.lastError = '';
      if (this.mode_ === 'offline') this.setMode(this.source?.readyState === 1 ? 'live' : 'polling');
      this.notifyDevices();
    } catch (e) {
      if (seq !== this.seq) return;
      this.lastError = e instanceof Error ? e.message : String(e);
      if (this.mode_ !== 'live') this.setMode('offline');
      this.notifyDevices();
    }
  }

  private openStream(): void {
    if (typeof EventSource === 'undefined') {
      this.startPolling();
      return;
    }
    window.clearTimeout(this.retryTimer);
    const es = new EventSource('/api/stream');
    this.source = es;
    const openWait = window.setTimeout(() => {
      if (es.readyState !== EventSource.OPEN) this.startPolling();
    }, STREAM_OPEN_WAIT_MS);
    es.addEventListener('open', () => {
      window.clearTimeout(openWait);
      this.stopPolling();
      this.setMode('live');
      void this.refresh(); // what happened while we were not listening
      this.scheduleLiveRefresh();
    });
    es.addEventListener('error', () => {
      // CONNECTING: the browser reconnects by itself (with Last-Event-ID);
      // CLOSED: the server refused the stream (e.g. 404) — poll, retry later.
      this.startPolling();
      if (es.readyState === EventSource.CLOSED) {
        es.close();
        this.source = null;
        this.retryTimer = window.setTimeout(() => this.openStream(), STREAM_RETRY_MS);
      }
    });
    es.addEventListener('reading', (m) => this.onReading((m as MessageEvent).data));
    for (const t of EVENT_TYPES) es.addEventListener(t, (m) => this.onEvent((m as MessageEvent).data));
    es.addEventListener('message', (m) => this.onEvent(m.data)); // unnamed events
  }

  private onReading(data: string): void {
    let r: LiveReading;
    try {
      r = JSON.parse(data) as LiveReading;
    } catch {
      return;
    }
    const d = this.devices.get(r.device);
    if (d) {
      if (r.reachable) {
        if (r.power_w !== null && r.power_w !== undefined) d.state.power_w = r.power_w;
        if (r.on !== null && r.on !== undefined) d.state.on = r.on;
      }
      d.state.last_reading_at = r.ts;
      this.notifyDevices();
    }
    this.emitReading(r);
  }

  private onEvent(data: string): void {
    let e: PlugEvent;
    try {
      e = JSON.parse(data) as PlugEvent;
    } catch {
      return;
    }
    if (typeof e !== 'object' || e === null || typeof e.type !== 'string') return;
    for (const l of this.listeners) l.event?.(e);
    if (DEVICE_EVENTS.has(e.type)) this.refreshSoon();
  }

  private refreshSoon(): void {
    window.clearTimeout(this.refreshTimer);
    this.refreshTimer = window.setTimeout(() => void this.refresh(), 250);
  }

  private scheduleLiveRefresh(): void {
    window.clearTimeout(this.refreshTimer);
    this.refreshTimer = window.setTimeout(() => {
      if (this.mode_ === 'live') {
        void this.refresh();
        this.scheduleLiveRefresh();
      }
    }, LIVE_REFRESH_MS);
  }

  private startPolling(): void {
    if (this.pollTimer !== undefined) return;
    if (this.mode_ !== 'offline') this.setMode('polling');
    const tick = () => {
      void this.refresh().finally(() => {
        if (this.pollTimer !== undefined) this.pollTimer = window.setTimeout(tick, POLL_MS);
      });
    };
    this.pollTimer = window.setTimeout(tick, 0);
  }

  private stopPolling(): void {
    window.clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  private setMode(m: Mode): void {
    if (m === this.mode_) return;
    this.mode_ = m;
    for (const l of this.listeners) l.mode?.(m);
  }

  private emitReading(r: LiveReading): void {
    for (const l of this.listeners) l.reading?.(r);
  }

  private notifyDevices(): void {
    if (this.frame) return;
    this.frame = window.requestAnimationFrame(() => {
      this.frame = 0;
      const list = this.list();
      for (const l of this.listeners) l.devices?.(list);
    });
  }
}

export const live = new LiveFeed();
