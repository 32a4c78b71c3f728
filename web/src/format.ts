// How numbers, times and durations read on the dashboard. Times are shown in
// the browser's time zone; everything is plain text (no HTML).

export function parseTs(ts: string | null | undefined): number | null {
  if (!ts) return null;
  const t = Date.parse(ts);
  return Number.isNaN(t) ? null : t;
}

export function watts(w: number | null | undefined): string {
  if (w === null || w === undefined) return '—';
  const abs = Math.abs(w);
  if (abs >= 1000) return `${(w / 1000).toFixed(abs >= 10000 ? 1 : 2)} kW`;
  return `${abs < 10 ? w.toFixed(1) : Math.round(w)} W`;
}

export function energy(wh: number | null | undefined): string {
  if (wh === null || wh === undefined) return '—';
  if (Math.abs(wh) >= 1000) return `${(wh / 1000).toFixed(2)} kWh`;
  return `${wh.toFixed(wh < 10 ? 2 : 1)} Wh`;
}

export function money(amount: number | null | undefined, currency = ''): string {
  if (amount === null || amount === undefined) return '—';
  const text = amount.toFixed(amount !== 0 && Math.abs(amount) < 0.1 ? 3 : 2);
  if (!currency) return text;
  // Symbols go first (€0.21), codes after (0.21 UAH).
  return currency.length === 1 ? `${currency}${text}` : `${text} ${currency}`;
}

export function percent(p: number | null | undefined): string {
  if (p === null || p === undefined) return '—';
  if (p >= 100) return '100 %';
  // Rounded down, so 99.999 % never reads as a perfect 100 %.
  return `${(Math.floor(p * 100) / 100).toFixed(2)} %`;
}

// 3725 → "1 h 2 min"; 42 → "42 s"; 1.5 → "1.5 s".
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, seconds);
  if (s < 10) return `${Number(s.toFixed(1))} s`;
  if (s < 60) return `${Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) {
    const rest = Math.round(s - m * 60);
    return rest ? `${m} min ${rest} s` : `${m} min`;
  }
  const hrs = Math.floor(m / 60);
  if (hrs < 48) {
    const rest = m - hrs * 60;
    return rest ? `${hrs} h ${rest} min` : `${hrs} h`;
  }
  const d = Math.floor(hrs / 24);
  const rest = hrs - d * 24;
  return rest ? `${d} d ${rest} h` : `${d} d`;
}

const timeOnly = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const dateTime = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const fullDate = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

// A timestamp as a person reads it: the time alone today, the date too
// otherwise, the year too when it is not this year.
export function when(ts: string | number | null | undefined): string {
  const t = typeof ts === 'number' ? ts : parseTs(ts);
  if (t === null) return '—';
  const d = new Date(t);
  const now = new Date();
  if (d.toDateString() === now.toDateString()) return timeOnly.format(d);
  if (d.getFullYear() === now.getFullYear()) return dateTime.format(d);
  return fullDate.format(d);
}

// "2 min ago" (or "in 5 s" for a clock ahead of ours).
export function ago(ts: string | null | undefined, now = Date.now()): string {
  const t = parseTs(ts);
  if (t === null) return 'never';
  const s = (now - t) / 1000;
  if (s < 1) return 'just now';
  return `${duration(s)} ago`;
}

// "since 10:05 (2 h 5 min)".
export function since(ts: string | null | undefined, now = Date.now()): string {
  const t = parseTs(ts);
  if (t === null) return '';
  return `since ${when(t)} (${duration((now - t) / 1000)})`;
}
