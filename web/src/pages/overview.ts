// The overview (#/): each site's power and since when, the heartbeat labels,
// the outages going on now, the appliances running a cycle, and a grid of
// every device with its live power. Device cards are created once and
// updated in place as readings stream in.

import { get, errorText } from '../api';
import { h, fill, setText } from '../dom';
import { duration, percent, watts } from '../format';
import { live } from '../live';
import type { Device, Status } from '../types';
import {
  cycleText,
  failed,
  isRunning,
  liveTime,
  loading,
  outageSpan,
  outageWho,
  powerBadge,
  reachText,
  relayText,
  tickTimes,
} from './common';
import { every, type Page } from './page';

const STATUS_MS = 5000;

interface Card {
  el: HTMLElement;
  power: HTMLElement;
  state: HTMLElement;
  relay: HTMLElement;
  cycle: HTMLElement;
}

function makeCard(d: Device): Card {
  const headingId = `device-${d.id}-name`;
  const power = h('p', { class: 'power', 'data-field': 'power' });
  const state = h('dd', { 'data-field': 'state' });
  const relay = h('dd', { 'data-field': 'relay' });
  const cycle = h('dd', { 'data-field': 'cycle' });
  const el = h(
    'li',
    { class: 'card device', 'data-device': d.id, 'aria-labelledby': headingId },
    h('h3', { id: headingId }, h('a', { href: `#/device/${encodeURIComponent(d.id)}` }, d.name || d.id)),
    h('p', { class: 'muted small' }, `${d.id} · ${d.kind} · ${d.site}`),
    power,
    h('dl', { class: 'facts' }, h('dt', {}, 'State'), state, h('dt', {}, 'Relay'), relay, h('dt', {}, 'Cycle'), cycle),
  );
  return { el, power, state, relay, cycle };
}

function updateCard(c: Card, d: Device, now: number): void {
  const reach = reachText(d);
  setText(c.power, d.enabled && d.state.reachable !== false ? watts(d.state.power_w) : '—');
  setText(c.state, reach);
  c.el.dataset.state = reach;
  c.el.dataset.running = String(isRunning(d));
  setText(c.relay, relayText(d));
  setText(c.cycle, cycleText(d, now));
}

function statusSections(s: Status, now: number): HTMLElement[] {
  const sites = s.sites.map((site) =>
    h(
      'li',
      { class: `card site power-${site.power}`, 'data-site': site.id },
      h('h3', {}, site.id),
      h('p', {}, powerBadge(site.power), ' ', liveTime('since', site.since, '', now)),
      site.quorum
        ? h(
            'p',
            { class: 'small' },
            `${site.quorum.unreachable} of ${site.quorum.total} probed devices unreachable ` +
              `(an outage at ${Math.round(site.quorum.threshold * 100)} %)`,
          )
        : h('p', { class: 'small muted' }, 'No devices in the reachability quorum'),
      h('p', { class: 'small' }, `Uptime over 24 h: ${percent(site.uptime_24h_pct)}`),
    ),
  );
  const beats = s.heartbeats.map((b) =>
    h(
      'li',
      { class: `card heartbeat power-${b.power}`, 'data-label': b.label },
      h('h3', {}, b.label, h('span', { class: 'muted small' }, ` heartbeat · ${b.site}`)),
      h('p', {}, powerBadge(b.power), ' ', liveTime('since', b.since, '', now)),
      h(
        'p',
        { class: 'small' },
        liveTime('ago', b.last_heartbeat_at, 'Last heartbeat ', now),
        `; expected every ${duration(b.period_s)}, lost after ${duration(b.period_s + b.grace_s)} of silence`,
      ),
      h('p', { class: 'small' }, `Uptime over 24 h: ${percent(b.uptime_24h_pct)}`),
    ),
  );
  const outages = s.outages.length
    ? h(
        'ul',
        { class: 'outages-now' },
        s.outages.map((o) =>
          h('li', { class: 'outage ongoing' }, h('strong', {}, outageWho(o)), ': power off ', outageSpan(o)),
        ),
      )
    : h('p', { class: 'muted', id: 'no-outage' }, 'No outage now.');
  return [
    h(
      'section',
      { 'aria-labelledby': 'power-h' },
      h('h2', { id: 'power-h' }, 'Power'),
      sites.length || beats.length
        ? h('ul', { class: 'grid cards' }, sites, beats)
        : h('p', { class: 'muted' }, 'No sites or heartbeat labels configured.'),
    ),
    h(
      'section',
      { 'aria-labelledby': 'outages-now-h' },
      h('h2', { id: 'outages-now-h' }, 'Current outages'),
      outages,
    ),
  ];
}

export const renderOverview: Page = (main) => {
  document.title = 'Overview — plugwatch';
  const statusBox = h('div', { id: 'status' }, loading());
  const running = h('div', { id: 'running' });
  const summary = h('p', { class: 'muted', id: 'device-summary' });
  const grid = h('ul', { class: 'grid cards devices', id: 'devices' });
  const empty = h('p', { class: 'muted' });
  fill(
    main,
    h('h1', {}, 'Overview'),
    statusBox,
    h('p', { class: 'small' }, h('a', { href: '#/outages' }, 'Outage history and uptime')),
    h('section', { 'aria-labelledby': 'running-h' }, h('h2', { id: 'running-h' }, 'Running cycles'), running),
    h('section', { 'aria-labelledby': 'devices-h' }, h('h2', { id: 'devices-h' }, 'Devices'), summary, grid, empty),
  );

  let status: Status | null = null;
  let statusError = '';
  const cards = new Map<string, Card>();
  let runningKey: string | null = null;

  const drawStatus = () => {
    const now = Date.now();
    if (status) fill(statusBox, statusSections(status, now), statusError ? failed(statusError) : null);
    else if (statusError) fill(statusBox, failed(statusError));
  };

  const drawDevices = (devices: Device[]) => {
    const now = Date.now();
    if (!live.loaded) {
      setText(empty, live.error ? `Could not load the devices: ${live.error}` : 'Loading…');
      return;
    }
    const seen = new Set<string>();
    devices.forEach((d, i) => {
      seen.add(d.id);
      let c = cards.get(d.id);
      if (!c) {
        c = makeCard(d);
        cards.set(d.id, c);
      }
      if (grid.children[i] !== c.el) grid.insertBefore(c.el, grid.children[i] ?? null);
      updateCard(c, d, now);
    });
    for (const [id, c] of cards)
      if (!seen.has(id)) {
        c.el.remove();
        cards.delete(id);
      }
    const online = devices.filter((d) => d.enabled && d.state.reachable === true).length;
    const offline = devices.filter((d) => d.enabled && d.state.reachable === false).length;
    setText(summary, `${devices.length} devices: ${online} online, ${offline} offline.`);
    setText(empty, devices.length ? '' : 'No devices yet — add one on the Devices page.');
    const run = devices.filter(isRunning);
    const key = run.map((d) => `${d.id}/${d.state.activity}/${d.state.since}`).join(',');
    if (key !== runningKey) {
      runningKey = key;
      fill(
        running,
        run.length
          ? h(
              'ul',
              { class: 'running' },
              run.map((d) =>
                h(
                  'li',
                  { 'data-device': d.id },
                  h('a', { href: `#/device/${encodeURIComponent(d.id)}` }, d.name || d.id),
                  ` — ${d.state.activity === 'stopping' ? 'finishing' : 'running'} `,
                  liveTime('since', d.state.since, '', now),
                  ', now ',
                  h('span', { 'data-field': 'power' }),
                ),
              ),
            )
          : h('p', { class: 'muted' }, 'No appliance is running a cycle.'),
      );
    }
    for (const d of run) {
      const el = running.querySelector(`li[data-device="${CSS.escape(d.id)}"] [data-field="power"]`);
      if (el) setText(el, watts(d.state.power_w));
    }
  };

  const loadStatus = async () => {
    try {
      status = await get<Status>('/api/status');
      statusError = '';
    } catch (e) {
      statusError = `Could not load the power status: ${errorText(e)}`;
    }
    drawStatus();
  };

  const unsubscribe = live.subscribe({
    devices: drawDevices,
    event: (e) => {
      if (e.type === 'power_lost' || e.type === 'power_restored') void loadStatus();
    },
  });
  drawDevices(live.list());
  const stopStatus = every(STATUS_MS, () => void loadStatus());
  // "since" and "ago" texts move on by themselves.
  const stopTick = every(1000, () => {
    tickTimes(statusBox);
    tickTimes(running);
    drawDevices(live.list());
  });
  return () => {
    unsubscribe();
    stopStatus();
    stopTick();
  };
};
