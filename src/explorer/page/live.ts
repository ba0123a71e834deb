/**
 * The "live" toggle's timer. A live view is asked again LIVE_INTERVAL_MS after its last answer
 * arrived (or failed), through the API's cache like any load. Every load stops the timer when it
 * starts and the one drawn re-arms it when it finishes, so a timed reload never races a view the
 * viewer just asked for, never shows an older state, and two reloads are never closer than the
 * interval, however slow the API or busy the viewer.
 */

/** Every 30 s: the API keeps a range touching today 60 s by default, so a faster wall gains nothing. */
export const LIVE_INTERVAL_MS = 30_000;

/** What the page's `window.engagementExplorer` handle shows of the timer (page.ts), for tests and devtools. */
export interface LiveRecord {
  /** When the armed timer was armed (the page's clock); undefined when none is. */
  liveArmedAt?: number;
  /** When each timed reload ran (the page's clock). */
  liveReloads: number[];
}

let timer: ReturnType<typeof setTimeout> | undefined;

/**
 * After a load: arm the next reload when the view is live, otherwise stop any armed one. Takes the
 * handle rather than importing page.ts, so this module has no DOM and type-checks with the server.
 */
export function armLive(live: boolean, reload: () => void, handle: LiveRecord): void {
  stopLive(handle);
  if (!live) return;
  handle.liveArmedAt = Date.now();
  timer = setTimeout(() => {
    timer = undefined;
    handle.liveArmedAt = undefined;
    handle.liveReloads.push(Date.now());
    reload();
  }, LIVE_INTERVAL_MS);
}

/** When a load starts: no timed reload until it finishes (and re-arms). */
export function stopLive(handle: LiveRecord): void {
  clearTimeout(timer);
  timer = undefined;
  handle.liveArmedAt = undefined;
}
