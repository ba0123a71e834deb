import { createCircuitBreaker } from '../../src/upstream/breaker';
import { createMemoryBudget } from '../../src/upstream/budget';
import { UpstreamError } from '../../src/errors';

const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (error) {
    return error as UpstreamError;
  }
  throw new Error('expected a refusal');
};

describe('per-bot budget (rolling windows)', () => {
  it('grants up to the per-minute budget, then refuses with the seconds until a slot frees', async () => {
    let clock = 1_000_000;
    const budget = createMemoryBudget({ perMinute: 3, perHour: 100, maxWaitMs: 0 }, () => clock);
    for (let i = 0; i < 3; i++) {
      await budget.acquire('bot');
      clock += 10_000;
    }
    const e = await refusal(budget.acquire('bot'));
    expect(e.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 30, source: 'budget' });
    await budget.acquire('other-bot'); // budgets are per bot
  });

  it('is rolling, not fixed-window: no burst of twice the budget across a minute boundary', async () => {
    let clock = 59_000; // just before a "fixed" minute boundary
    const budget = createMemoryBudget({ perMinute: 2, perHour: 100, maxWaitMs: 0 }, () => clock);
    await budget.acquire('bot');
    await budget.acquire('bot');
    clock = 61_000; // a new fixed window would refill here
    await expect(budget.acquire('bot')).rejects.toBeInstanceOf(UpstreamError);
    clock = 119_001;
    await budget.acquire('bot');
  });

  it('queues a call when a slot frees within maxWaitMs, then lets it go', async () => {
    let clock = 0;
    const budget = createMemoryBudget({ perMinute: 1, perHour: 100, maxWaitMs: 1000 }, () => clock);
    await budget.acquire('bot');
    clock = 59_700; // a slot frees in 300 ms
    const started = Date.now();
    await budget.acquire('bot');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('keeps the hourly budget too', async () => {
    let clock = 0;
    const budget = createMemoryBudget({ perMinute: 10, perHour: 3, maxWaitMs: 0 }, () => clock);
    for (let i = 0; i < 3; i++) {
      await budget.acquire('bot');
      clock += 61_000;
    }
    const e = await refusal(budget.acquire('bot'));
    expect(e.extensions.retryAfter).toBe(3600 - 183);
  });
});

describe('circuit breaker', () => {
  it('opens after the threshold, fails fast, lets one probe through after the cooldown', () => {
    let clock = 0;
    const breaker = createCircuitBreaker(2, 1000, () => clock);
    breaker.enter();
    breaker.failure();
    breaker.enter();
    breaker.failure();
    expect(breaker.state()).toBe('open');
    expect(() => breaker.enter()).toThrow(UpstreamError);
    clock = 1000;
    expect(breaker.state()).toBe('half-open');
    breaker.enter(); // the probe
    expect(() => breaker.enter()).toThrow(UpstreamError); // only one
    breaker.failure();
    expect(breaker.state()).toBe('open');
    clock = 2000;
    breaker.enter();
    breaker.success();
    expect(breaker.state()).toBe('closed');
    breaker.enter();
  });

  it('a success resets the count of consecutive failures', () => {
    const breaker = createCircuitBreaker(2, 1000, () => 0);
    breaker.failure();
    breaker.success();
    breaker.failure();
    expect(breaker.state()).toBe('closed');
  });
});
