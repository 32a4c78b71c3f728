// What every page is: a function that builds its content into <main> and
// returns the cleanup to run when the person navigates away (unsubscribe,
// stop timers, destroy charts).

export interface PageArgs {
  params: string[]; // captured from the route, e.g. the device id
  query: URLSearchParams; // after '?' in the hash, e.g. #/events?type=power_lost
}

export type Page = (main: HTMLElement, args: PageArgs) => () => void;

// Runs `fn` now and every `ms` until the returned stop function is called.
export function every(ms: number, fn: () => void): () => void {
  fn();
  const t = window.setInterval(fn, ms);
  return () => window.clearInterval(t);
}
