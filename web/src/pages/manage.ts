// Device management (#/manage): the list of devices with enable/disable and
// delete, and one form that adds a device or edits one (#/manage?edit=ID).
// The server validates; its message (422 and friends) appears next to the
// form as it was sent. Writes carry the saved API token.

import { ApiError, del, errorText, get, patch, post } from '../api';
import { h, fill, Notice } from '../dom';
import { live } from '../live';
import type { Device } from '../types';
import { failed, loading, reachText } from './common';
import type { Page } from './page';

type Field = HTMLInputElement | HTMLSelectElement;

function field(id: string, label: string, input: Field, hint = ''): HTMLElement {
  input.id = id;
  input.name = id.replace(/^dev-/, '');
  if (hint) input.setAttribute('aria-describedby', `${id}-hint`);
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    input,
    hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null,
  );
}

function check(id: string, label: string, input: HTMLInputElement): HTMLElement {
  input.id = id;
  input.type = 'checkbox';
  return h('div', { class: 'field check' }, input, h('label', { for: id }, label));
}

// A number field's value for JSON: a number, or the text as typed so the
// server can say what is wrong with it; undefined when empty.
function numberValue(input: HTMLInputElement): number | string | undefined {
  const text = input.value.trim();
  if (!text) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

function openTokenPanel(e: unknown): void {
  if (e instanceof ApiError && e.status === 401) {
    const panel = document.getElementById('token-panel') as HTMLDetailsElement | null;
    if (panel) panel.open = true;
  }
}

export const renderManage: Page = (main, { query }) => {
  document.title = 'Devices — plugwatch';
  const listBox = h('div', { id: 'device-list' }, loading());
  const listNotice = new Notice('list-notice');

  // ---- the form
  const f = {
    id: h('input', { type: 'text', required: true, autocomplete: 'off', spellcheck: 'false' }),
    name: h('input', { type: 'text', autocomplete: 'off' }),
    kind: h(
      'select',
      {},
      h('option', { value: 'tapo' }, 'Tapo P110 plug'),
      h('option', { value: 'http' }, 'HTTP reachability probe'),
      h('option', { value: 'tcp' }, 'TCP reachability probe'),
    ),
    address: h('input', { type: 'text', required: true, autocomplete: 'off', spellcheck: 'false' }),
    username: h('input', { type: 'text', autocomplete: 'off' }),
    password: h('input', { type: 'password', autocomplete: 'new-password' }),
    protocol: h(
      'select',
      {},
      h('option', { value: '' }, 'keep / default (auto)'),
      h('option', { value: 'auto' }, 'auto'),
      h('option', { value: 'klap' }, 'KLAP'),
      h('option', { value: 'passthrough' }, 'securePassthrough'),
    ),
    site: h('input', { type: 'text', autocomplete: 'off', placeholder: 'home' }),
    poll: h('input', { type: 'text', autocomplete: 'off', placeholder: 'default' }),
    enabled: h('input', {}),
    quorum: h('input', {}),
    detect: h('input', {}),
    startAbove: h('input', { type: 'text', inputmode: 'decimal' }),
    startDelay: h('input', { type: 'text' }),
    stopBelow: h('input', { type: 'text', inputmode: 'decimal' }),
    stopDelay: h('input', { type: 'text' }),
    price: h('input', { type: 'text', inputmode: 'decimal' }),
    currency: h('input', { type: 'text', maxlength: '8' }),
  };
  const formTitle = h('h2', { id: 'form-h' });
  const submit = h('button', { type: 'submit', class: 'primary' });
  const cancel = h('button', { type: 'button' }, 'Cancel editing');
  const formNotice = new Notice('form-notice');
  const tapoOnly = h(
    'fieldset',
    { class: 'tapo-only' },
    h('legend', {}, 'Tapo account'),
    field('dev-username', 'Username (Tapo e-mail)', f.username),
    field('dev-password', 'Password', f.password, 'Never shown again; leave empty to keep the saved one.'),
    field('dev-protocol', 'Protocol', f.protocol),
  );
  const activityFields = h(
    'div',
    { class: 'activity-fields' },
    field('dev-start-above', 'Start above (W)', f.startAbove),
    field('dev-start-delay', 'Start delay', f.startDelay, 'e.g. 10s'),
    field('dev-stop-below', 'Stop below (W)', f.stopBelow),
    field('dev-stop-delay', 'Stop delay', f.stopDelay, 'e.g. 3m — a pause shorter than this stays in the cycle'),
    field('dev-price', 'Price per kWh', f.price),
    field('dev-currency', 'Currency', f.currency, 'e.g. € or UAH'),
  );
  const form = h(
    'form',
    { id: 'device-form', novalidate: true, 'aria-labelledby': 'form-h', 'aria-describedby': 'form-notice' },
    formTitle,
    h(
      'fieldset',
      {},
      h('legend', {}, 'Device'),
      field('dev-id', 'Id', f.id, 'a-z, 0-9, _ and -; used in URLs, cannot change later'),
      field('dev-name', 'Name', f.name),
      field('dev-kind', 'Kind', f.kind),
      field('dev-address', 'Address', f.address, 'HOST[:PORT], e.g. 192.168.1.50'),
      field('dev-site', 'Site', f.site),
      field('dev-poll', 'Poll interval', f.poll, 'e.g. 5s; empty for the default'),
      check('dev-enabled', 'Enabled (polled)', f.enabled),
      check('dev-quorum', 'Counts towards the site’s outage quorum', f.quorum),
    ),
    tapoOnly,
    h('fieldset', {}, h('legend', {}, 'Appliance cycles'), check('dev-detect', 'Detect cycles (start, finish, energy, cost)', f.detect), activityFields),
    h('div', { class: 'buttons' }, submit, cancel),
    formNotice.el,
  );

  let editing: Device | null = null;
  let quorumTouched = false;

  const syncVisibility = () => {
    tapoOnly.hidden = f.kind.value !== 'tapo';
    activityFields.hidden = !f.detect.checked;
  };
  f.kind.addEventListener('change', syncVisibility);
  f.detect.addEventListener('change', syncVisibility);
  f.quorum.addEventListener('change', () => (quorumTouched = true));

  const startAdd = () => {
    editing = null;
    form.reset();
    f.id.readOnly = false;
    f.enabled.checked = true;
    f.quorum.checked = true;
    f.detect.checked = false;
    quorumTouched = false;
    formTitle.textContent = 'Add a device';
    submit.textContent = 'Add device';
    cancel.hidden = true;
    syncVisibility();
  };

  const startEdit = (d: Device) => {
    editing = d;
    form.reset();
    formNotice.clear();
    f.id.value = d.id;
    f.id.readOnly = true;
    f.name.value = d.name;
    f.kind.value = d.kind;
    f.address.value = d.address;
    f.site.value = d.site;
    f.poll.value = d.poll_interval ?? '';
    f.enabled.checked = d.enabled;
    f.quorum.checked = d.in_quorum ?? true;
    quorumTouched = false;
    f.detect.checked = !!d.activity;
    if (d.activity) {
      f.startAbove.value = String(d.activity.start_above_w);
      f.startDelay.value = d.activity.start_delay;
      f.stopBelow.value = String(d.activity.stop_below_w);
      f.stopDelay.value = d.activity.stop_delay;
      f.price.value = String(d.activity.price_per_kwh);
      f.currency.value = d.activity.currency;
    }
    formTitle.textContent = `Edit ${d.name || d.id}`;
    submit.textContent = 'Save changes';
    cancel.hidden = false;
    syncVisibility();
    form.scrollIntoView({ block: 'start' });
    f.name.focus();
  };
  cancel.addEventListener('click', () => {
    startAdd();
    history.replaceState(null, '', '#/manage');
  });

  const body = (): Record<string, unknown> => {
    const b: Record<string, unknown> = {};
    const text = (key: string, input: HTMLInputElement | HTMLSelectElement) => {
      const v = input.value.trim();
      if (v) b[key] = v;
    };
    if (!editing) text('id', f.id);
    b.name = f.name.value.trim();
    b.kind = f.kind.value;
    b.address = f.address.value.trim();
    text('site', f.site);
    if (f.poll.value.trim()) b.poll_interval = f.poll.value.trim();
    else if (editing?.poll_interval) b.poll_interval = null;
    b.enabled = f.enabled.checked;
    if (!editing || quorumTouched) b.in_quorum = f.quorum.checked;
    if (f.kind.value === 'tapo') {
      text('username', f.username);
      if (f.password.value) b.password = f.password.value;
      text('protocol', f.protocol);
    }
    if (f.detect.checked) {
      const a: Record<string, unknown> = {};
      const n = (key: string, input: HTMLInputElement) => {
        const v = numberValue(input);
        if (v !== undefined) a[key] = v;
      };
      n('start_above_w', f.startAbove);
      n('stop_below_w', f.stopBelow);
      n('price_per_kwh', f.price);
      if (f.startDelay.value.trim()) a.start_delay = f.startDelay.value.trim();
      if (f.stopDelay.value.trim()) a.stop_delay = f.stopDelay.value.trim();
      if (f.currency.value.trim()) a.currency = f.currency.value.trim();
      b.activity = a;
    } else if (editing?.activity) {
      b.activity = null;
    }
    return b;
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    formNotice.clear();
    try {
      if (editing) {
        const d = await patch<Device>(`/api/devices/${encodeURIComponent(editing.id)}`, body());
        formNotice.ok(`Saved ${d.name || d.id}.`);
        editing = d;
      } else {
        const d = await post<Device>('/api/devices', body());
        startAdd();
        formNotice.ok(`Added ${d.name || d.id} — the service polls it within 2 s.`);
      }
      await Promise.all([loadList(), live.refresh()]);
    } catch (err) {
      formNotice.error(errorText(err));
      openTokenPanel(err);
    } finally {
      submit.disabled = false;
    }
  });

  // ---- the list
  const action = async (text: string, run: () => Promise<unknown>) => {
    listNotice.clear();
    try {
      await run();
      listNotice.ok(text);
      await Promise.all([loadList(), live.refresh()]);
    } catch (err) {
      listNotice.error(errorText(err));
      openTokenPanel(err);
    }
  };

  const deviceRow = (d: Device) => {
    const toggle = h('button', { type: 'button', 'data-action': 'toggle' }, d.enabled ? 'Disable' : 'Enable');
    toggle.setAttribute('aria-label', `${d.enabled ? 'Disable' : 'Enable'} ${d.name || d.id}`);
    toggle.addEventListener('click', () =>
      void action(`${d.enabled ? 'Disabled' : 'Enabled'} ${d.name || d.id}.`, () =>
        patch(`/api/devices/${encodeURIComponent(d.id)}`, { enabled: !d.enabled }),
      ),
    );
    const edit = h('button', { type: 'button', 'data-action': 'edit', 'aria-label': `Edit ${d.name || d.id}` }, 'Edit');
    edit.addEventListener('click', () => {
      history.replaceState(null, '', `#/manage?edit=${encodeURIComponent(d.id)}`);
      startEdit(d);
    });
    const remove = h('button', { type: 'button', class: 'danger', 'data-action': 'delete', 'aria-label': `Delete ${d.name || d.id}` }, 'Delete');
    remove.addEventListener('click', () => {
      if (!window.confirm(`Delete ${d.name || d.id}? Its history stays in the database.`)) return;
      void action(`Deleted ${d.name || d.id}.`, () => del(`/api/devices/${encodeURIComponent(d.id)}`));
      if (editing?.id === d.id) startAdd();
    });
    return h(
      'tr',
      { 'data-device': d.id },
      h('td', {}, h('a', { href: `#/device/${encodeURIComponent(d.id)}` }, d.name || d.id)),
      h('td', {}, d.id),
      h('td', {}, d.kind),
      h('td', {}, d.address),
      h('td', {}, d.site),
      h('td', { 'data-field': 'state' }, reachText(d)),
      h('td', {}, d.source === 'config' ? 'config file' : (d.source ?? '')),
      h('td', { class: 'actions' }, edit, toggle, remove),
    );
  };

  const loadList = async () => {
    try {
      const devices = await get<Device[]>('/api/devices');
      fill(
        listBox,
        devices.length
          ? h(
              'div',
              { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Devices' },
              h(
                'table',
                {},
                h('caption', { class: 'sr-only' }, 'Devices'),
                h(
                  'thead',
                  {},
                  h('tr', {}, ['Name', 'Id', 'Kind', 'Address', 'Site', 'State', 'From', 'Actions'].map((t) => h('th', { scope: 'col' }, t))),
                ),
                h('tbody', {}, devices.map(deviceRow)),
              ),
            )
          : h('p', { class: 'muted' }, 'No devices yet.'),
      );
      return devices;
    } catch (err) {
      fill(listBox, failed(`Could not load the devices: ${errorText(err)}`));
      return [];
    }
  };

  fill(
    main,
    h('h1', {}, 'Devices'),
    h('section', { 'aria-labelledby': 'list-h' }, h('h2', { id: 'list-h' }, 'All devices'), listNotice.el, listBox),
    h(
      'section',
      { 'aria-labelledby': 'form-h' },
      form,
      h('p', { class: 'hint' }, 'Devices from the config file can be changed here; the file wins again at the next start.'),
    ),
  );
  startAdd();
  void loadList().then((devices) => {
    const wanted = query.get('edit');
    const d = wanted ? devices.find((x) => x.id === wanted) : undefined;
    if (d) startEdit(d);
  });
  return () => {};
};
