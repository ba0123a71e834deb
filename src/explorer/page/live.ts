import { handle } from './page';

/**
 * The "live" toggle's timer. A live view is asked again LIVE_INTERVAL_MS after its last answer
 * arrived (or failed), through the API's cache like any load: the timer is re-armed only when a load
 * finishes, and any other load (a changed control, the back button) re-arms it too, so two reloads
 * are never closer than the interval, however slow the API or busy the viewer.
 */

/** Every 30 s: the API keeps a range touching today 60 s by default, so a faster wall gains nothing. */
export const LIVE_INTERVAL_MS = 30_000;

let timer: ReturnType<typeof setTimeout> | undefined;

/** After a load: arm the next reload when the view is live, otherwise stop any armed one. */
export function armLive(live: boolean, reload: () => void): void {
  clearTimeout(timer);
  timer = undefined;
  handle.liveArmedAt = undefined;
  if (!live) return;
  handle.liveArmedAt = Date.now();
  timer = setTimeout(() => {
    timer = undefined;
    handle.liveArmedAt = undefined;
    handle.liveReloads.push(Date.now());
    reload();
  }, LIVE_INTERVAL_MS);
}
