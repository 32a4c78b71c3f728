// Talking to plugwatch's REST API on the same origin. Reads are plain GETs;
// writes carry "Authorization: Bearer <token>" when the user saved an API
// token (token.ts). Every failure becomes an ApiError whose message is the
// server's own {"error": "..."} text, so forms can show it verbatim.

import { getToken } from './token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  // What to show a person: the status, the server's words, and for a 401
  // where the token goes.
  describe(): string {
    if (this.status === 401)
      return (
        `Not authorised (401): ${this.message}. ` +
        'Enter the server\'s API token in the "API token" field at the top of the page.'
      );
    if (this.status === 0) return this.message;
    return `${this.message} (HTTP ${this.status})`;
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') {
    const token = getToken();
    if (token) headers['Authorization'] = `Bearer ${token}`;
  }
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'The plugwatch service did not answer — is it running?');
  }
  const text = await res.text();
  let json: unknown = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!res.ok) {
    const error =
      json && typeof json === 'object' && typeof (json as { error?: unknown }).error === 'string'
        ? (json as { error: string }).error
        : `${res.status} ${res.statusText}`.trim();
    throw new ApiError(res.status, error);
  }
  return json as T;
}

export function get<T>(path: string, query: Record<string, string | number | undefined> = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return request<T>('GET', qs ? `${path}?${qs}` : path);
}

export const post = <T>(path: string, body?: unknown) => request<T>('POST', path, body);
export const patch = <T>(path: string, body: unknown) => request<T>('PATCH', path, body);
export const del = (path: string) => request<null>('DELETE', path);

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.describe();
  return e instanceof Error ? e.message : String(e);
}
