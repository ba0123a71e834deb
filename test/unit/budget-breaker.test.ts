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

describe('per-bot budget shared fairly between callers', () => {
  const limits = { perMinute: 20, perHour: 1000, maxWaitMs: 0, callerShare: 0.5, reserveShare: 0.25 };

  it('a lone caller may use the budget less the reserve; a newcomer is answered at once from it', async () => {
    let clock = 1_000_000;
    const budget = createMemoryBudget(limits, () => clock);
    for (let i = 0; i < 15; i++) await budget.acquire('bot', 'greedy');
    const over = await refusal(budget.acquire('bot', 'greedy'));
    expect(over.extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'caller-share', source: 'budget' });
    clock += 1000;
    for (let i = 0; i < 5; i++) await budget.acquire('bot', 'polite'); // the reserve
    // The bot's minute is now full for everyone.
    expect((await refusal(budget.acquire('bot', 'polite'))).extensions.reason).toBe('bot-budget');
  });

  it('while another caller is active, a caller holds at most its share; the freed slots go to the other', async () => {
    let clock = 1_000_000;
    const budget = createMemoryBudget(limits, () => clock);
    for (let i = 0; i < 15; i++) {
      await budget.acquire('bot', 'greedy');
      clock += 2000; // greedy's slots spread over 30 s
    }
    await budget.acquire('bot', 'polite');
    // Greedy holds 15 > its share of 10: refused until 6 of its slots have aged out.
    const capped = await refusal(budget.acquire('bot', 'greedy'));
    expect(capped.extensions.reason).toBe('caller-share');
    clock = 1_000_000 + 60_000 + 2000 * 5 + 1; // greedy's first 6 slots have aged out: it holds 9
    await budget.acquire('bot', 'greedy');
    await expect(budget.acquire('bot', 'greedy')).rejects.toMatchObject({ extensions: { reason: 'caller-share' } });
    // The polite caller still finds room: its share is untouched.
    for (let i = 0; i < 4; i++) await budget.acquire('bot', 'polite');
  });

  it('with more active callers than slots, a caller holding none still gets the last free slot', async () => {
    let clock = 1_000_000;
    const budget = createMemoryBudget({ perMinute: 4, perHour: 1000, maxWaitMs: 0, callerShare: 0.5, reserveShare: 0.25 }, () => clock);
    for (let i = 0; i < 3; i++) await budget.acquire('bot', 'c1');
    await budget.acquire('bot', 'c2'); // the reserve: the bot's minute is full
    clock += 1000;
    for (const who of ['c3', 'c4', 'c5', 'c6']) await expect(budget.acquire('bot', who)).rejects.toMatchObject({ extensions: { reason: 'bot-budget' } });
    clock += 59_500; // every slot has aged out; six callers are still active
    await budget.acquire('bot', 'c1');
    await budget.acquire('bot', 'c1');
    await budget.acquire('bot', 'c3'); // three of four slots taken: the last is for callers under their fair share
    await budget.acquire('bot', 'c4'); // fair share 4 / 6 rounds to 0, but a caller holding none always has one
  });

  it('spare budget is usable again once the other caller has been quiet for a minute', async () => {
    let clock = 1_000_000;
    const budget = createMemoryBudget(limits, () => clock);
    await budget.acquire('bot', 'polite');
    for (let i = 0; i < 10; i++) await budget.acquire('bot', 'greedy');
    await expect(budget.acquire('bot', 'greedy')).rejects.toMatchObject({ extensions: { reason: 'caller-share' } });
    clock += 60_001; // polite quiet for a minute; greedy's slots aged too
    for (let i = 0; i < 15; i++) await budget.acquire('bot', 'greedy');
  });
});

describe('the Redis budget on an old Redis', () => {
  it.each([
    ['6.0.16', true],
    ['5.0.7', true],
    ['6.2.0', false],
    ['7.0.15', false],
  ])('Redis %s is reported as unsupported: %s', async (version, unsupported) => {
    const { createRedisBudget } = await import('../../src/upstream/redis-budget');
    const told: string[] = [];
    // Only what the version check touches: a ready connection that answers INFO.
    const redis = { status: 'ready', on: () => undefined, off: () => undefined, info: async () => `# Server\r\nredis_version:${version}\r\n`, eval: async () => ['0', '0'] };
    const budget = createRedisBudget(redis as never, { perMinute: 1, perHour: 1, maxWaitMs: 0 }, { recoveryMs: 5000, onUnsupported: (v) => told.push(v) });
    await new Promise((resolve) => setImmediate(resolve));
    budget.close?.();
    expect(told.length > 0).toBe(unsupported);
  });
});
