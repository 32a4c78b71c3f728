// Outages (#/outages): uptime figures per site and heartbeat label
// (/api/statistics), a timeline of the window with every outage drawn on
// its row, and the list of outages (/api/outages).

import { errorText, get } from '../api';
import { h, fill } from '../dom';
import { duration, parseTs, percent, when } from '../format';
import { live } from '../live';
import type { Outage, Statistics, UptimeFigures } from '../types';
import { failed, loading, outageWho, row, table, tickTimes } from './common';
import { every, type Page } from './page';

const WINDOWS = [
  { key: '24h', label: '24 h', hours: 24 },
  { key: '7d', label: '7 d', hours: 24 * 7 },
  { key: '30d', label: '30 d', hours: 24 * 30 },
  { key: '1y', label: '1 y', hours: 24 * 365 },
] as const;
type Window = (typeof WINDOWS)[number];

interface Lane {
  key: string; // "site:home" or "label:POWER"
  title: string;
  figures: UptimeFigures | undefined;
  outages: Outage[];
}

function lanes(stats: Statistics, outages: Outage[]): Lane[] {
  const out: Lane[] = [];
  for (const s of stats.sites)
    out.push({
      key: `site:${s.site}`,
      title: `${s.site} (device quorum)`,
      figures: s,
      outages: outages.filter((o) => o.label === null && o.site === s.site),
    });
  for (const b of stats.heartbeats)
    out.push({
      key: `label:${b.label}`,
      title: `${b.label} (heartbeat, ${b.site})`,
      figures: b,
      outages: outages.filter((o) => o.label === b.label),
    });
  // Outages of a site or label no longer configured still show.
  for (const o of outages)
    if (!out.some((l) => l.outages.includes(o))) {
      const key = o.label ? `label:${o.label}` : `site:${o.site}`;
      let lane = out.find((l) => l.key === key);
      if (!lane) {
        lane = { key, title: outageWho(o), figures: undefined, outages: [] };
        out.push(lane);
      }
      lane.outages.push(o);
    }
  return out;
}

function timeline(all: Lane[], from: number, until: number): HTMLElement {
  const span = Math.max(1, until - from);
  const pct = (t: number) => `${(Math.min(Math.max(t - from, 0), span) / span) * 100}%`;
  return h(
    'ol',
    { class: 'timeline', 'aria-label': `Outages from ${when(from)} to ${when(until)}` },
    all.map((lane) =>
      h(
        'li',
        { class: 'lane', 'data-lane': lane.key },
        h('span', { class: 'lane-title' }, lane.title),
        h(
          'span',
          { class: 'lane-bar' },
          lane.outages.map((o) => {
            const start = parseTs(o.started_at) ?? from;
            const end = o.ongoing ? until : (parseTs(o.ended_at) ?? until);
            const text = o.ongoing
              ? `Outage since ${when(start)}, ongoing (${duration(o.duration_s)})`
              : `Outage ${when(start)} – ${when(end)} (${duration(o.duration_s)})`;
            const seg = h('span', {
              class: `segment${o.ongoing ? ' ongoing' : ''}`,
              title: text,
              role: 'img',
              'aria-label': text,
            });
            // Positions through CSSOM: allowed by the Content-Security-Policy.
            seg.style.left = pct(start);
            seg.style.width = `max(2px, calc(${pct(end)} - ${pct(start)}))`;
            return seg;
          }),
        ),
      ),
    ),
    h('li', { class: 'lane axis', 'aria-hidden': 'true' }, h('span', {}), h('span', { class: 'axis-labels' }, h('span', {}, when(from)), h('span', {}, 'now'))),
  );
}

function figuresCard(lane: Lane): HTMLElement {
  const f = lane.figures;
  return h(
    'li',
    { class: 'card', 'data-lane': lane.key },
    h('h3', {}, lane.title),
    f
      ? h(
          'dl',
          { class: 'facts' },
          h('dt', {}, 'Uptime'),
          h('dd', { 'data-field': 'uptime' }, percent(f.uptime_pct)),
          h('dt', {}, 'Outages'),
          h('dd', { 'data-field': 'outages' }, String(f.outages)),
          h('dt', {}, 'Total off'),
          h('dd', {}, duration(f.total_outage_s)),
          h('dt', {}, 'Longest'),
          h('dd', {}, f.outages ? duration(f.longest_outage_s) : '—'),
          h('dt', {}, 'Mean'),
          h('dd', {}, f.outages ? duration(f.mean_outage_s) : '—'),
          f.checks !== undefined ? [h('dt', {}, 'Checks'), h('dd', {}, `${f.checks} (${f.failed_checks ?? 0} failed)`)] : null,
        )
      : h('p', { class: 'muted' }, 'No longer configured.'),
  );
}

export const renderOutages: Page = (main, { query }) => {
  document.title = 'Outages — plugwatch';
  let win: Window = WINDOWS.find((w) => w.key === query.get('window')) ?? WINDOWS[0];
  const buttons = WINDOWS.map((w) => h('button', { type: 'button', 'data-window': w.key, 'aria-pressed': String(w === win) }, w.label));
  const body = h('div', { id: 'outages' }, loading());
  fill(main, h('h1', {}, 'Outages'), h('div', { class: 'buttons', role: 'group', 'aria-label': 'Window' }, buttons), body);

  let seq = 0;
  // Periodic refreshes skip while focus is inside the results, so keyboard
  // and screen-reader users are not thrown back to the top.
  const load = async (periodic = false) => {
    if (periodic && body.contains(document.activeElement)) return;
    const mine = ++seq;
    try {
      const [stats, outages] = await Promise.all([
        get<Statistics>('/api/statistics', { hours: win.hours }),
        get<Outage[]>('/api/outages', { hours: win.hours }),
      ]);
      if (mine !== seq) return;
      const all = lanes(stats, outages);
      const from = parseTs(stats.since) ?? Date.now() - win.hours * 3600e3;
      const until = parseTs(stats.until) ?? Date.now();
      fill(
        body,
        h(
          'section',
          { 'aria-labelledby': 'uptime-h' },
          h('h2', { id: 'uptime-h' }, `Uptime over the last ${win.label}`),
          all.length ? h('ul', { class: 'grid cards' }, all.map(figuresCard)) : h('p', { class: 'muted' }, 'No sites or heartbeat labels.'),
        ),
        h('section', { 'aria-labelledby': 'timeline-h' }, h('h2', { id: 'timeline-h' }, 'Timeline'), timeline(all, from, until)),
        h(
          'section',
          { 'aria-labelledby': 'list-h' },
          h('h2', { id: 'list-h' }, `Outages (${outages.length})`),
          outages.length
            ? table(
                'Outages, newest first',
                ['Started', 'Ended', 'Duration', 'Where', 'Cause', 'Devices'],
                outages.map((o) => {
                  const r = row(
                    when(o.started_at),
                    o.ongoing ? 'ongoing' : when(o.ended_at),
                    duration(o.duration_s),
                    o.label ?? o.site,
                    o.cause,
                    (o.devices ?? []).join(', ') || '—',
                  );
                  if (o.ongoing) r.className = 'ongoing';
                  return r;
                }),
              )
            : h('p', { class: 'muted', id: 'no-outages' }, `No outages in the last ${win.label}.`),
        ),
      );
      tickTimes(body);
    } catch (e) {
      if (mine === seq) fill(body, failed(`Could not load the outages: ${errorText(e)}`));
    }
  };

  for (const b of buttons)
    b.addEventListener('click', () => {
      win = WINDOWS.find((w) => w.key === b.dataset.window) ?? win;
      buttons.forEach((x) => x.setAttribute('aria-pressed', String(x === b)));
      history.replaceState(null, '', `#/outages?window=${win.key}`);
      void load();
    });

  const unsubscribe = live.subscribe({
    event: (e) => {
      if (e.type === 'power_lost' || e.type === 'power_restored') void load();
    },
  });
  const stop = every(10000, () => void load(true));
  return () => {
    unsubscribe();
    stop();
  };
};
