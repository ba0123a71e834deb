/**
 * The clock of in-process test stacks (test/helpers/stack.ts gives it to every stack that does not
 * bring its own and has no Redis), so that a test's "today" and the server's "today" come from one
 * clock: `todayIn('UTC', testNow())`.
 *
 * It runs at real speed (TTLs, budgets, breaker cool-downs and rate windows behave as in
 * production) from noon UTC of the day before the real day the test file was loaded. Why there:
 * - noon: its UTC day changes only after twelve hours of running, so a run that crosses midnight
 *   (or a long suite) asks about the same "today" the server validates against;
 * - the day before: it is behind the real clock, never ahead, so tokens signed on the real clock
 *   (upstream JWTs that the built-in upstream checks against this clock) are never already expired.
 *
 * Processes spawned by tests (src/index.ts) read the real clock: for those, compute "today" at the moment
 * of the request, or ask about ranges that end days before today (valid whichever day it is).
 */

const DAY_MS = 86_400_000;

const startedAt = Date.now();
const pinnedAt = (Math.floor(startedAt / DAY_MS) - 1) * DAY_MS + DAY_MS / 2;

/** Milliseconds on the in-process stacks' clock. */
export const testNow = (): number => pinnedAt + (Date.now() - startedAt);
