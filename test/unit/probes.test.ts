import { boundedCheck, READINESS_CHECK_TIMEOUT_MS } from '../../src/server/probes';

/**
 * The readiness probe's promise: each check gets READINESS_CHECK_TIMEOUT_MS at most, so /readyz
 * answers inside common probe timeouts even behind a hung dependency. Timers are jest's fake ones,
 * so the bound is checked exactly, not by a wall-clock race.
 */
describe('boundedCheck', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const settled = async <T>(promise: Promise<T>): Promise<{ done: boolean; value?: T }> => {
    let state: { done: boolean; value?: T } = { done: false };
    void promise.then((value) => (state = { done: true, value }));
    await jest.advanceTimersByTimeAsync(0);
    return state;
  };

  it('answers false exactly when a hung check runs out of time, and not before', async () => {
    const hung = boundedCheck(() => new Promise<boolean>(() => undefined));
    await jest.advanceTimersByTimeAsync(READINESS_CHECK_TIMEOUT_MS - 1);
    expect(await settled(hung)).toEqual({ done: false });
    await jest.advanceTimersByTimeAsync(1);
    expect(await settled(hung)).toEqual({ done: true, value: false });
  });

  it("passes a check's own answer through, and turns a failure into not ready", async () => {
    expect(await settled(boundedCheck(async () => true))).toEqual({ done: true, value: true });
    expect(await settled(boundedCheck(async () => false))).toEqual({ done: true, value: false });
    expect(await settled(boundedCheck(() => Promise.reject(new Error('down'))))).toEqual({ done: true, value: false });
  });

  it('leaves no timer behind once a check has answered', async () => {
    await boundedCheck(async () => true);
    expect(jest.getTimerCount()).toBe(0);
  });
});
