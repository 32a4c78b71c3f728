// The API token the dashboard sends with writes, kept in this browser's
// localStorage (never sent anywhere but this server, never in a URL). When
// storage is disabled it lives in memory until the page is closed.

const KEY = 'plugwatch.api_token';
let memory = '';

export function getToken(): string {
  try {
    return localStorage.getItem(KEY) ?? memory;
  } catch {
    return memory;
  }
}

export function setToken(token: string): void {
  memory = token;
  try {
    if (token) localStorage.setItem(KEY, token);
    else localStorage.removeItem(KEY);
  } catch {
    // Storage disabled: `memory` keeps it.
  }
}
