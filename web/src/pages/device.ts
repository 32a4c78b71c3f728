// One device (#/device/ID): its state, switch on/off and check-now buttons,
// a zoomable power chart over 1 h … 1 y, and its appliance cycles with
// energy and cost. Writes carry the saved API token; their errors (a 401
// above all) are shown next to the buttons.

import { ApiError, errorText, get, post } from '../api';
import { PowerChart, type Point } from '../chart';
import { h, fill, Notice, setText } from '../dom';
import { duration, energy, money, parseTs, watts, when } from '../format';
import { live } from '../live';
import type { Cycle, Device, Reading } from '../types';
import { canSwitch, cycleText, failed, liveTime, reachText, relayText, row, table, tickTimes } from './common';
import { every, type Page } from './page';

const RANGES = [
  { key: '1h', label: '1 h', hours: 1 },
  { key: '24h', label: '24 h', hours: 24 },
  { key: '7d', label: '7 d', hours: 24 * 7 },
  { key: '30d', label: '30 d', hours: 24 * 30 },
  { key: '1y', label: '1 y', hours: 24 * 365 },
] as const;
type Range = (typeof RANGES)[number];

interface CheckAnswer {
  device: string;
  reading: { ts: string; reachable: boolean; power_w: number | null; on: boolean | null; latency_ms?: number };
}

export const renderDevice: Page = (main, { params, query }) => {
  const id = params[0];
  document.title = `${id} — plugwatch`;
  let range: Range = RANGES.find((r) => r.key === query.get('range')) ?? RANGES[1];
  let device: Device | undefined = live.device(id);
  let alive = true;

  const title = h('h1', {}, device?.name || id);
  const sub = h('p', { class: 'muted' });
  const facts = {
    power: h('dd', { 'data-field': 'power' }),
    relay: h('dd', { 'data-field': 'relay' }),
    state: h('dd', { 'data-field': 'state' }),
    cycle: h('dd', { 'data-field': 'cycle' }),
    last: h('dd', { 'data-field': 'last-reading' }),
    energy: h('dd', { 'data-field': 'energy' }),
  };
  const notice = new Notice('control-notice');
  const onButton = h('button', { type: 'button', id: 'switch-on' }, 'Switch on');
  const offButton = h('button', { type: 'button', id: 'switch-off' }, 'Switch off');
  const checkButton = h('button', { type: 'button', id: 'check-now' }, 'Check now');
  const controls = h('div', { class: 'buttons', role: 'group', 'aria-label': 'Control' }, onButton, offButton, checkButton);

  const rangeButtons = RANGES.map((r) =>
    h('button', { type: 'button', 'data-range': r.key, 'aria-pressed': String(r === range) }, r.label),
  );
  const resetZoom = h('button', { type: 'button', id: 'reset-zoom', disabled: true }, 'Reset zoom');
  const chartBox = h('div', { class: 'chart', id: 'power-chart' });
  const chartNote = h('p', { class: 'muted small', role: 'status' });
  const cyclesBox = h('div', { id: 'cycles' });
  const cyclesTitle = h('h2', { id: 'cycles-h' });

  fill(
    main,
    h('p', { class: 'small' }, h('a', { href: '#/' }, '← Overview')),
    title,
    sub,
    h(
      'section',
      { 'aria-labelledby': 'state-h' },
      h('h2', { id: 'state-h', class: 'sr-only' }, 'State'),
      h(
        'dl',
        { class: 'facts wide' },
        h('dt', {}, 'Power'),
        facts.power,
        h('dt', {}, 'Relay'),
        facts.relay,
        h('dt', {}, 'State'),
        facts.state,
        h('dt', {}, 'Cycle'),
        facts.cycle,
        h('dt', {}, 'Last reading'),
        facts.last,
        h('dt', {}, 'Energy counted'),
        facts.energy,
      ),
      controls,
      notice.el,
    ),
    h(
      'section',
      { 'aria-labelledby': 'chart-h' },
      h('h2', { id: 'chart-h' }, 'Power'),
      h('div', { class: 'buttons', role: 'group', 'aria-label': 'Time range' }, rangeButtons, resetZoom),
      chartBox,
      h('p', { class: 'hint' }, 'Drag across the chart to zoom in; double-click or “Reset zoom” to zoom out.'),
      chartNote,
    ),
    h('section', { 'aria-labelledby': 'cycles-h' }, cyclesTitle, cyclesBox),
  );

  const chart = new PowerChart(chartBox, (zoomed) => {
    resetZoom.disabled = !zoomed;
  });
  resetZoom.addEventListener('click', () => chart.resetZoom());

  const showDevice = () => {
    if (!device) return;
    const d = device;
    setText(title, d.name || d.id);
    document.title = `${d.name || d.id} — plugwatch`;
    setText(sub, `${d.id} · ${d.kind} at ${d.address} · site ${d.site}${d.enabled ? '' : ' · disabled'}`);
    setText(facts.power, d.enabled && d.state.reachable !== false ? watts(d.state.power_w) : '—');
    setText(facts.relay, relayText(d));
    setText(facts.state, reachText(d));
    setText(facts.cycle, cycleText(d));
    if (!facts.last.firstChild || (facts.last.firstChild as HTMLElement).dataset?.ts !== (d.state.last_reading_at ?? ''))
      fill(facts.last, liveTime('ago', d.state.last_reading_at));
    setText(facts.energy, energy(d.state.energy_wh));
    const switchable = canSwitch(d);
    onButton.hidden = offButton.hidden = !switchable;
    checkButton.disabled = !d.enabled;
  };

  const loadDevice = async () => {
    try {
      device = await get<Device>(`/api/devices/${encodeURIComponent(id)}`);
      showDevice();
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        fill(main, h('h1', {}, 'No such device'), failed(e.describe()), h('p', {}, h('a', { href: '#/' }, 'Overview')));
        alive = false;
      } else notice.error(errorText(e));
    }
  };

  let chartSeq = 0;
  const loadChart = async () => {
    const seq = ++chartSeq;
    const points = Math.min(1000, Math.max(60, Math.floor(chartBox.clientWidth || 600)));
    setText(chartNote, 'Loading readings…');
    try {
      const readings = await get<Reading[]>('/api/readings', { device: id, hours: range.hours, points });
      if (seq !== chartSeq || !alive) return;
      chart.setData(
        readings.map((r) => ({
          t: (parseTs(r.ts) ?? 0) / 1000,
          power: r.power_w,
          peak: r.max_power_w ?? r.power_w,
        })),
      );
      resetZoom.disabled = true;
      setText(chartNote, readings.length ? `${readings.length} points over the last ${range.label}.` : `No readings in the last ${range.label}.`);
    } catch (e) {
      if (seq === chartSeq) setText(chartNote, `Could not load the readings: ${errorText(e)}`);
    }
  };

  const loadCycles = async () => {
    setText(cyclesTitle, `Cycles in the last ${range.label}`);
    try {
      const cycles = await get<Cycle[]>('/api/cycles', { device: id, hours: range.hours });
      if (!alive) return;
      const currency = device?.activity?.currency ?? '';
      if (!cycles.length) {
        fill(
          cyclesBox,
          h('p', { class: 'muted' }, device && !device.activity ? 'Cycle detection is off for this device.' : 'No finished cycles in this range.'),
        );
        return;
      }
      const total = cycles.reduce((a, c) => a + c.energy_wh, 0);
      const cost = cycles.reduce((a, c) => a + c.cost, 0);
      fill(
        cyclesBox,
        table(
          `Cycles of ${id}`,
          ['Started', 'Ended', 'Duration', 'Energy', 'Peak', 'Cost'],
          cycles.map((c) =>
            row(when(c.started_at), when(c.ended_at), duration(c.duration_s), energy(c.energy_wh), watts(c.peak_w), money(c.cost, currency)),
          ),
        ),
        h('p', { class: 'small' }, `${cycles.length} cycles, ${energy(total)}, ${money(cost, currency)} in total.`),
      );
    } catch (e) {
      fill(cyclesBox, failed(`Could not load the cycles: ${errorText(e)}`));
    }
  };

  // A write: buttons are disabled while it runs; the answer or the error
  // (401: where the token goes) appears next to them.
  const act = async (button: HTMLButtonElement, path: string, done: (answer: unknown) => string) => {
    const buttons = [onButton, offButton, checkButton];
    buttons.forEach((b) => (b.disabled = true));
    notice.ok(`${button.textContent}…`);
    try {
      const answer = await post<unknown>(`/api/devices/${encodeURIComponent(id)}/${path}`);
      notice.ok(done(answer));
      void live.refresh();
      await loadDevice();
    } catch (e) {
      notice.error(errorText(e));
      if (e instanceof ApiError && e.status === 401) {
        const panel = document.getElementById('token-panel') as HTMLDetailsElement | null;
        if (panel) panel.open = true;
      }
    } finally {
      buttons.forEach((b) => (b.disabled = false));
      showDevice();
    }
  };
  const switchTo = (on: boolean) => (answer: unknown) => {
    const a = answer as { on?: boolean };
    if (device && typeof a.on === 'boolean') device.state.on = a.on;
    return `Switched ${on ? 'on' : 'off'}.`;
  };
  onButton.addEventListener('click', () => void act(onButton, 'on', switchTo(true)));
  offButton.addEventListener('click', () => void act(offButton, 'off', switchTo(false)));
  checkButton.addEventListener('click', () =>
    void act(checkButton, 'check', (answer) => {
      const r = (answer as CheckAnswer).reading;
      if (!r.reachable) return 'Checked: the device did not answer.';
      const parts = [`power ${watts(r.power_w)}`];
      if (r.on !== null) parts.push(`relay ${r.on ? 'on' : 'off'}`);
      if (r.latency_ms !== undefined) parts.push(`answered in ${r.latency_ms} ms`);
      return `Checked: ${parts.join(', ')}.`;
    }),
  );

  for (const b of rangeButtons)
    b.addEventListener('click', () => {
      range = RANGES.find((r) => r.key === b.dataset.range) ?? range;
      rangeButtons.forEach((x) => x.setAttribute('aria-pressed', String(x === b)));
      history.replaceState(null, '', `#/device/${encodeURIComponent(id)}?range=${range.key}`);
      void loadChart();
      void loadCycles();
    });

  const unsubscribe = live.subscribe({
    devices: () => {
      const d = live.device(id);
      if (d) {
        device = d;
        showDevice();
      }
    },
    reading: (r) => {
      if (r.device !== id || range.hours > 1) return; // longer ranges are rollups
      const t = parseTs(r.ts);
      if (t !== null && r.reachable) chart.append({ t: t / 1000, power: r.power_w, peak: r.power_w } as Point, range.hours * 3600);
    },
    event: (e) => {
      if (e.device === id && e.type === 'cycle_finished') void loadCycles();
    },
  });
  const stopTick = every(1000, () => tickTimes(facts.last));

  showDevice();
  void loadDevice().then(() => {
    if (!alive) return;
    void loadChart();
    void loadCycles();
  });

  return () => {
    alive = false;
    unsubscribe();
    stopTick();
    chart.destroy();
  };
};
