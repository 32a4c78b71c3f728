// Light and dark: the system's preference (prefers-color-scheme) unless the
// person chose one with the toggle, which is remembered in localStorage.
// The choice is the `data-theme` attribute on <html>; the stylesheet does the
// rest. Listeners (the charts) hear about every change of the effective theme.

export type ThemeChoice = 'auto' | 'light' | 'dark';

const KEY = 'plugwatch.theme';
const media = window.matchMedia('(prefers-color-scheme: dark)');
const listeners = new Set<() => void>();
let memory: ThemeChoice = 'auto'; // when localStorage is disabled

export function themeChoice(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    if (v === 'light' || v === 'dark') return v;
    return 'auto';
  } catch {
    return memory;
  }
}

export function effectiveTheme(): 'light' | 'dark' {
  const c = themeChoice();
  if (c !== 'auto') return c;
  return media.matches ? 'dark' : 'light';
}

function apply(): void {
  const c = themeChoice();
  if (c === 'auto') document.documentElement.removeAttribute('data-theme');
  else document.documentElement.setAttribute('data-theme', c);
  for (const l of listeners) l();
}

export function setThemeChoice(c: ThemeChoice): void {
  memory = c;
  try {
    if (c === 'auto') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, c);
  } catch {
    // Storage disabled: `memory` keeps it for this page.
  }
  apply();
}

export function onThemeChange(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function initTheme(): void {
  media.addEventListener('change', apply);
  apply();
}

// A CSS custom property's value under the current theme (for canvas drawing).
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
