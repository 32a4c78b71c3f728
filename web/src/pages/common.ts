// Pieces several pages show the same way: a device's state in words, power
// badges, outage descriptions, and the "loading / failed" placeholders.

import { h } from '../dom';
import { ago, duration, since, when } from '../format';
import type { Device, Outage, Power } from '../types';

// Devices without a relay (reachability probes) cannot be switched.
export function canSwitch(d: Device): boolean {
  return d.kind !== 'http' && d.kind !== 'tcp';
}

export function reachText(d: Device): string {
  if (!d.enabled) return 'disabled';
  if (d.state.reachable === true) return 'online';
  if (d.state.reachable === false) return 'offline';
  return 'waiting for the first poll';
}

export function relayText(d: Device): string {
  if (d.state.on === true) return 'on';
  if (d.state.on === false) return 'off';
  return '—';
}

export function isRunning(d: Device): boolean {
  return d.state.activity === 'active' || d.state.activity === 'stopping';
}

// The appliance cycle in words: "running since 10:05 (12 min)", "idle".
export function cycleText(d: Device, now = Date.now()): string {
  const a = d.state.activity;
  if (!a) return d.activity ? 'idle' : 'no cycle detection';
  if (a === 'active') return `running ${since(d.state.since, now)}`.trim();
  if (a === 'stopping') return `finishing ${since(d.state.since, now)}`.trim();
  if (a === 'starting') return 'starting';
  return 'idle';
}

export function powerBadge(p: Power): HTMLElement {
  const text = p === 'on' ? 'Power ON' : p === 'off' ? 'Power OFF' : 'Power unknown';
  return h('span', { class: `badge power-${p}` }, text);
}

export function outageWho(o: Outage): string {
  return o.label ? `${o.label} (heartbeat, ${o.site})` : `${o.site} (device quorum)`;
}

export function outageSpan(o: Outage): string | HTMLElement {
  if (o.ongoing) return liveTime('since', o.started_at);
  return `${when(o.started_at)} – ${when(o.ended_at)}, ${duration(o.duration_s)}`;
}

export function loading(): HTMLElement {
  return h('p', { class: 'muted' }, 'Loading…');
}

export function failed(text: string): HTMLElement {
  return h('p', { class: 'notice error', role: 'alert' }, text);
}

// A table inside a scrolling wrapper (wide tables scroll on phones instead of
// widening the page). `head` are the column titles.
export function table(caption: string, head: string[], rows: HTMLTableRowElement[]): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption },
    h(
      'table',
      {},
      h('caption', { class: 'sr-only' }, caption),
      h('thead', {}, h('tr', {}, head.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows),
    ),
  );
}

export function row(...cells: (string | Node)[]): HTMLTableRowElement {
  return h('tr', {}, cells.map((c) => h('td', {}, c)));
}

// A time that reads relative to now ("since 10:05 (12 min)", "3 s ago") and
// is kept current by tickTimes() without rebuilding the page around it.
export function liveTime(kind: 'since' | 'ago', ts: string | null, prefix = '', now = Date.now()): HTMLElement {
  const el = h('span', { class: 'live-time', 'data-kind': kind, 'data-ts': ts ?? '', 'data-prefix': prefix });
  el.textContent = timeText(el, now);
  return el;
}

function timeText(el: HTMLElement, now: number): string {
  const ts = el.dataset.ts || null;
  const text = el.dataset.kind === 'ago' ? ago(ts, now) : since(ts, now);
  return text ? `${el.dataset.prefix ?? ''}${text}` : '';
}

export function tickTimes(root: ParentNode, now = Date.now()): void {
  root.querySelectorAll<HTMLElement>('.live-time').forEach((el) => {
    const text = timeText(el, now);
    if (el.textContent !== text) el.textContent = text;
  });
}
