// The events log (#/events): filters for type, device and hours (kept in the
// address, so a filtered view can be bookmarked), newest first; new events
// that match the filters appear at the top as they happen.

import { errorText, get } from '../api';
import { h, fill } from '../dom';
import { duration, energy, money, watts, when } from '../format';
import { live } from '../live';
import { EVENT_TYPES, type PlugEvent } from '../types';
import { failed, loading, row, table } from './common';
import type { Page } from './page';

const LIMIT = 500;
const HOURS = [1, 6, 24, 24 * 7, 24 * 30, 24 * 365];

const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

// The event's data in one line of words.
export function describe(e: PlugEvent): string {
  const d = e.data ?? {};
  switch (e.type) {
    case 'device_active':
      return `started a cycle at ${watts(num(d.power_w))}`;
    case 'cycle_finished':
      return (
        `finished after ${duration(num(d.duration_s))}: ${energy(num(d.energy_wh))}, ` +
        `peak ${watts(num(d.peak_w))}, cost ${money(num(d.cost), str(d.currency))}`
      );
    case 'device_offline':
      return `stopped answering: ${str(d.error) || 'no answer'}`;
    case 'device_online':
      return `answers again after ${duration(num(d.offline_for_s))}`;
    case 'switched_on':
    case 'switched_off':
      return `switched ${e.type === 'switched_on' ? 'on' : 'off'} (by ${str(d.source) || 'unknown'})`;
    case 'power_lost':
      return `power lost (${str(d.cause)}${d.label ? ` ${str(d.label)}` : ''}), it was on for ${duration(num(d.was_on_for_s))}`;
    case 'power_restored':
      return `power restored (${str(d.cause)}${d.label ? ` ${str(d.label)}` : ''}), it was off for ${duration(num(d.was_off_for_s))}`;
    default:
      return JSON.stringify(d);
  }
}

function hoursLabel(h: number): string {
  if (h < 24) return `${h} h`;
  if (h < 24 * 7) return `${h / 24} d`;
  if (h === 24 * 7) return '7 d';
  if (h === 24 * 365) return '1 year';
  return `${h / 24} d`;
}

export const renderEvents: Page = (main, { query }) => {
  document.title = 'Events — plugwatch';
  const type = h(
    'select',
    { id: 'filter-type', name: 'type' },
    h('option', { value: '' }, 'All types'),
    EVENT_TYPES.map((t) => h('option', { value: t }, t)),
  );
  const device = h('select', { id: 'filter-device', name: 'device' }, h('option', { value: '' }, 'All devices'));
  const hours = h(
    'select',
    { id: 'filter-hours', name: 'hours' },
    HOURS.map((x) => h('option', { value: String(x) }, hoursLabel(x))),
  );
  type.value = query.get('type') ?? '';
  hours.value = query.get('hours') ?? '24';
  if (!hours.value) hours.value = '24';
  const wantedDevice = query.get('device') ?? '';
  const fillDevices = () => {
    const ids = new Set(live.list().map((d) => d.id));
    if (wantedDevice) ids.add(wantedDevice);
    const current = device.value || wantedDevice;
    fill(
      device,
      h('option', { value: '' }, 'All devices'),
      [...ids].sort().map((id) => h('option', { value: id }, live.device(id)?.name ? `${live.device(id)?.name} (${id})` : id)),
    );
    device.value = current;
  };
  fillDevices();

  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Filter events' },
    h('div', { class: 'field' }, h('label', { for: 'filter-type' }, 'Type'), type),
    h('div', { class: 'field' }, h('label', { for: 'filter-device' }, 'Device'), device),
    h('div', { class: 'field' }, h('label', { for: 'filter-hours' }, 'Last'), hours),
  );
  const count = h('p', { class: 'muted', role: 'status', id: 'events-count' });
  const body = h('div', { id: 'events' }, loading());
  fill(main, h('h1', {}, 'Events'), form, count, body);

  let tbody: HTMLTableSectionElement | null = null;
  let shown = 0;
  const matches = (e: PlugEvent) => (!type.value || e.type === type.value) && (!device.value || e.device === device.value);
  const eventRow = (e: PlugEvent) => {
    const r = row(when(e.ts), e.type, e.device || '—', e.site, describe(e));
    r.dataset.type = e.type;
    r.dataset.id = String(e.id);
    return r;
  };

  let seq = 0;
  const load = async () => {
    const mine = ++seq;
    const params = new URLSearchParams();
    if (type.value) params.set('type', type.value);
    if (device.value) params.set('device', device.value);
    params.set('hours', hours.value);
    history.replaceState(null, '', `#/events?${params}`);
    try {
      const events = await get<PlugEvent[]>('/api/events', {
        type: type.value,
        device: device.value,
        hours: hours.value,
        limit: LIMIT,
      });
      if (mine !== seq) return;
      shown = events.length;
      count.textContent = `${events.length}${events.length === LIMIT ? '+' : ''} events in the last ${hoursLabel(Number(hours.value))}.`;
      if (!events.length) {
        tbody = null;
        fill(body, h('p', { class: 'muted' }, 'No events match these filters.'));
        return;
      }
      const t = table('Events, newest first', ['Time', 'Type', 'Device', 'Site', 'What happened'], events.map(eventRow));
      tbody = t.querySelector('tbody');
      fill(body, t);
    } catch (e) {
      if (mine === seq) fill(body, failed(`Could not load the events: ${errorText(e)}`));
    }
  };

  form.addEventListener('change', () => void load());
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void load();
  });
  const unsubscribe = live.subscribe({
    devices: () => {
      if (device.options.length - 1 < live.list().length) fillDevices();
    },
    event: (e) => {
      if (!matches(e)) return;
      if (!tbody) {
        void load();
        return;
      }
      if (tbody.querySelector(`tr[data-id="${e.id}"]`)) return;
      const r = eventRow(e);
      r.classList.add('new');
      tbody.prepend(r);
      shown += 1;
      count.textContent = `${shown} events in the last ${hoursLabel(Number(hours.value))}.`;
    },
  });
  void load();
  return unsubscribe;
};
