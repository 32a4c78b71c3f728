// A tiny element builder. Text always goes in as text nodes (never as HTML),
// so nothing the server or a user typed can inject markup; styles come only
// from the stylesheet and CSSOM, which the Content-Security-Policy allows.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') {
      el.addEventListener(key.replace(/^on/, ''), value);
    } else if (key === 'class') {
      el.className = String(value);
    } else if (value === true) {
      el.setAttribute(key, '');
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: (Child | Child[])[]): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'number' ? String(c) : c);
  }
}

// Replaces the children of `el`.
export function fill(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  append(el, children);
}

// Sets text only when it changed, so screen readers and selections are not
// disturbed by updates that change nothing.
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

// A message area next to a form or a button group: role=status for news,
// role=alert for errors (read out at once).
export class Notice {
  readonly el: HTMLElement;
  constructor(id: string) {
    this.el = h('p', { id, class: 'notice', 'aria-live': 'polite' });
    this.el.hidden = true;
  }
  ok(text: string): void {
    this.show(text, 'ok', 'status');
  }
  error(text: string): void {
    this.show(text, 'error', 'alert');
  }
  clear(): void {
    this.el.hidden = true;
    this.el.textContent = '';
  }
  private show(text: string, kind: string, role: string): void {
    this.el.className = `notice ${kind}`;
    this.el.setAttribute('role', role);
    this.el.textContent = text;
    this.el.hidden = false;
  }
}
