// The dashboard's entry point: the page frame (navigation, connection state,
// theme toggle, API token field) and a hash router that renders one page at
// a time into <main>. Pages are plain functions that build DOM and return a
// cleanup function; there is no framework.

import './styles.css';
import { h, fill, setText } from './dom';
import { live, type Mode } from './live';
import { initTheme, setThemeChoice, themeChoice, type ThemeChoice } from './theme';
import { getToken, setToken } from './token';
import { renderOverview } from './pages/overview';
import { renderDevice } from './pages/device';
import { renderOutages } from './pages/outages';
import { renderEvents } from './pages/events';
import { renderManage } from './pages/manage';
import type { Page } from './pages/page';

interface Route {
  match: RegExp;
  nav: string; // which navigation link is current
  render: Page;
}

const routes: Route[] = [
  { match: /^\/?$/, nav: '#/', render: renderOverview },
  { match: /^\/device\/([^/?]+)$/, nav: '', render: renderDevice },
  { match: /^\/outages$/, nav: '#/outages', render: renderOutages },
  { match: /^\/events$/, nav: '#/events', render: renderEvents },
  { match: /^\/manage$/, nav: '#/manage', render: renderManage },
];

const NAV = [
  ['#/', 'Overview'],
  ['#/outages', 'Outages'],
  ['#/events', 'Events'],
  ['#/manage', 'Devices'],
] as const;

const MODE_TEXT: Record<Mode, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  polling: 'Polling every 2 s',
  offline: 'Service not answering — retrying',
};

function tokenPanel(): HTMLElement {
  const input = h('input', {
    id: 'api-token',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    value: getToken(),
    'aria-describedby': 'api-token-help',
  });
  const note = h('span', { class: 'saved', role: 'status' });
  const form = h(
    'form',
    { class: 'token-form' },
    h('label', { for: 'api-token' }, 'API token'),
    input,
    h('button', { type: 'submit' }, 'Save'),
    note,
    h(
      'p',
      { id: 'api-token-help', class: 'hint' },
      'Needed for switching and changing devices when the server has server.api_token set. ' +
        'Kept in this browser only.',
    ),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    setToken(input.value.trim());
    note.textContent = input.value.trim() ? 'Saved.' : 'Cleared.';
  });
  const details = h('details', { class: 'token', id: 'token-panel' }, h('summary', {}, 'API token'), form);
  if (!getToken()) details.open = false;
  return details;
}

function themeButton(): HTMLButtonElement {
  const order: ThemeChoice[] = ['auto', 'light', 'dark'];
  const b = h('button', { type: 'button', class: 'theme', id: 'theme-toggle' });
  const show = () => {
    const c = themeChoice();
    b.textContent = `Theme: ${c}`;
    b.setAttribute('aria-label', `Colour theme: ${c}. Change`);
  };
  b.addEventListener('click', () => {
    const next = order[(order.indexOf(themeChoice()) + 1) % order.length];
    setThemeChoice(next);
    show();
  });
  show();
  return b;
}

function frame(): { main: HTMLElement; links: HTMLAnchorElement[] } {
  const links = NAV.map(([href, text]) => h('a', { href }, text));
  const mode = h('span', { class: 'mode', id: 'live-mode', role: 'status' });
  const showMode = (m: Mode) => {
    mode.dataset.mode = m;
    setText(mode, MODE_TEXT[m]);
  };
  showMode(live.mode);
  live.subscribe({ mode: showMode });
  const main = h('main', { id: 'main', tabindex: '-1' });
  fill(
    document.body,
    h('a', { class: 'skip', href: '#main' }, 'Skip to content'),
    h(
      'header',
      { class: 'top' },
      h('a', { class: 'brand', href: '#/' }, 'plugwatch'),
      h('nav', { 'aria-label': 'Pages' }, h('ul', {}, links.map((a) => h('li', {}, a)))),
      h('div', { class: 'tools' }, mode, themeButton(), tokenPanel()),
    ),
    main,
  );
  // The skip link must not change the route.
  document.querySelector('.skip')?.addEventListener('click', (e) => {
    e.preventDefault();
    main.focus();
  });
  return { main, links };
}

function start(): void {
  initTheme();
  const { main, links } = frame();
  let cleanup: (() => void) | null = null;
  let first = true;
  const route = () => {
    const path = decodeURI(location.hash.replace(/^#/, '')).split('?')[0];
    const query = new URLSearchParams(location.hash.split('?')[1] ?? '');
    cleanup?.();
    cleanup = null;
    main.replaceChildren();
    const r = routes.find((x) => x.match.test(path));
    for (const a of links) {
      if (r && a.getAttribute('href') === r.nav) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    if (!r) {
      document.title = 'Not found — plugwatch';
      fill(main, h('h1', {}, 'Page not found'), h('p', {}, h('a', { href: '#/' }, 'Back to the overview')));
      return;
    }
    const m = r.match.exec(path) ?? [];
    cleanup = r.render(main, { params: m.slice(1), query });
    // Move focus to the new page for keyboard and screen-reader users
    // (not on the first load, where the browser's own focus is right).
    if (!first) main.focus({ preventScroll: false });
    first = false;
  };
  window.addEventListener('hashchange', route);
  live.start();
  route();
}

start();
