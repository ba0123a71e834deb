/**
 * The one way tests wait: for a condition or a promise, always with a deadline, failing with a
 * message that names what never happened. Deadlines are generous upper bounds on a loaded machine,
 * never the property under test: a test that asserts "soon" asserts an order of events instead.
 * Nothing here sleeps for "long enough"; the poll interval only paces re-checks.
 */

export interface WaitOptions {
  /** What is awaited, in words ("the upstream call", "the process to exit"): the failure names it. */
  readonly what: string;
  /** Give up after this long (default 10 s). */
  readonly timeoutMs?: number;
  /** Re-check a condition this often (default 20 ms). */
  readonly intervalMs?: number;
  /** More to say on failure (a child's output, the requests recorded so far). */
  readonly detail?: () => string;
}

const DEFAULT_TIMEOUT_MS = 10_000;

function timedOut(options: WaitOptions, ms: number): Error {
  const more = options.detail?.();
  return new Error(`timed out after ${ms} ms waiting for ${options.what}${more ? `\n${more}` : ''}`);
}

/** Resolves once `condition` holds (checked at once, then every `intervalMs`); rejects at the deadline. */
export async function until(condition: () => boolean | Promise<boolean>, options: WaitOptions): Promise<void> {
  const ms = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw timedOut(options, ms);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 20));
  }
}

/** Settles as `work` does, or rejects at the deadline (the work itself is not cancelled). */
export async function within<T>(work: Promise<T>, options: WaitOptions): Promise<T> {
  const ms = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(timedOut(options, ms)), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
