import { createCircuitBreaker } from '../../src/upstream/breaker';
import { budgetRefusalLabel, budgetSpent, createMemoryBudget, isCallerShareRefusal } from '../../src/upstream/budget';
import { ErrorCode, revivedUpstreamError, storedUpstreamError, UpstreamError, type StoredUpstreamError } from '../../src/errors';

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
    expect(e.origin).toEqual({ kind: 'budget', refusal: 'bot-budget' });
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

  it('an open circuit refuses with a typed circuit-open origin, under the code and message of what opened it', () => {
    let clock = 0;
    const breaker = createCircuitBreaker(1, 2000, () => clock);
    breaker.enter();
    breaker.failure(new UpstreamError(ErrorCode.UPSTREAM_TIMEOUT, 'Kore.ai did not answer within 100 ms.', undefined));
    clock = 500;
    let open: unknown;
    try {
      breaker.enter();
    } catch (error) {
      open = error;
    }
    expect(open).toBeInstanceOf(UpstreamError);
    const e = open as UpstreamError;
    expect(e.origin).toEqual({ kind: 'circuit-open' });
    expect(e.message).toBe('Kore.ai did not answer within 100 ms; calls are paused for 2 s (circuit open).');
    expect(JSON.stringify(e.extensions)).toBe('{"retryAfter":2,"reason":"circuit-open","code":"UPSTREAM_TIMEOUT"}');
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
    expect(over.origin).toEqual({ kind: 'budget', refusal: 'caller-share' });
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
    for (const who of ['c3', 'c4', 'c5', 'c6'])
      await expect(budget.acquire('bot', who)).rejects.toMatchObject({ extensions: { reason: 'bot-budget' } });
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
    const redis = {
      status: 'ready',
      on: () => undefined,
      off: () => undefined,
      info: async () => `# Server\r\nredis_version:${version}\r\n`,
      eval: async () => ['0', '0'],
    };
    const budget = createRedisBudget(
      redis as never,
      { perMinute: 1, perHour: 1, maxWaitMs: 0 },
      { recoveryMs: 5000, onUnsupported: (v) => told.push(v) },
    );
    await new Promise((resolve) => setImmediate(resolve));
    budget.close?.();
    expect(told.length > 0).toBe(unsupported);
  });
});

describe("an upstream error's typed origin", () => {
  const refusal = budgetSpent('bot', 2500, 'caller-share');

  it('is set where the error is made, and the client-facing extensions stay as they were', () => {
    expect(refusal.origin).toEqual({ kind: 'budget', refusal: 'caller-share' });
    expect(JSON.stringify(refusal.extensions)).toBe('{"retryAfter":3,"source":"budget","reason":"caller-share","code":"RATE_LIMITED"}');
    expect(new UpstreamError(ErrorCode.UPSTREAM_REJECTED, 'no', 400).origin).toEqual({ kind: 'kore' });
  });

  it('is never serialized: not an own property, not in toJSON, not in JSON', () => {
    expect(Object.keys(refusal)).not.toContain('origin');
    expect(Object.getOwnPropertyNames(refusal)).not.toContain('origin');
    expect(Object.getOwnPropertyNames(refusal)).not.toContain('retryAfter');
    expect(refusal.retryAfter).toBe(3);
    expect(Object.keys(refusal.toJSON()).sort()).toEqual(['extensions', 'message']);
    const json = JSON.stringify(refusal);
    expect(json).not.toMatch(/origin|kind/);
    expect(JSON.parse(json)).toEqual({ message: refusal.message, extensions: refusal.extensions });
  });

  it('survives the Redis failure memory (stored as JSON, revived on another replica)', () => {
    const errors = [
      refusal,
      budgetSpent('bot', 1000, 'bot-budget'),
      new UpstreamError(
        ErrorCode.UPSTREAM_UNAVAILABLE,
        'paused',
        undefined,
        { retryAfter: 1, reason: 'circuit-open' },
        { kind: 'circuit-open' },
      ),
      new UpstreamError(
        ErrorCode.UPSTREAM_UNAVAILABLE,
        'no Redis',
        undefined,
        { reason: 'shared-state-unavailable' },
        { kind: 'shared-state' },
      ),
      new UpstreamError(ErrorCode.RATE_LIMITED, 'slow down', 429, { retryAfter: 7 }),
    ];
    for (const error of errors) {
      const revived = revivedUpstreamError(JSON.parse(JSON.stringify(storedUpstreamError(error))) as StoredUpstreamError);
      expect(revived).toBeInstanceOf(UpstreamError);
      expect({
        code: revived.code,
        message: revived.message,
        origin: revived.origin,
        extensions: JSON.stringify(revived.extensions),
      }).toEqual({
        code: error.code,
        message: error.message,
        origin: error.origin,
        extensions: JSON.stringify(error.extensions),
      });
    }
  });

  it("is read from a typed source: an entry without one counts as Kore.ai's, whatever its extensions say", () => {
    const old = { code: 'RATE_LIMITED', message: 'spent', extensions: { retryAfter: 1, source: 'budget', reason: 'caller-share' } };
    const revived = revivedUpstreamError(old as unknown as StoredUpstreamError);
    expect(revived.origin).toEqual({ kind: 'kore' });
    expect(isCallerShareRefusal(revived)).toBe(false);
  });

  it('decides caller-share refusals and the refusal metric label, never the extensions', () => {
    const forged = new UpstreamError(ErrorCode.RATE_LIMITED, 'spent', 429, { source: 'budget', reason: 'caller-share' });
    expect(isCallerShareRefusal(refusal)).toBe(true);
    expect(isCallerShareRefusal(forged)).toBe(false);
    expect(isCallerShareRefusal(budgetSpent('bot', 1, 'bot-budget'))).toBe(false);
    expect(budgetRefusalLabel(refusal)).toBe('caller-share');
    expect(budgetRefusalLabel(budgetSpent('bot', 1))).toBe('bot-budget');
    expect(
      budgetRefusalLabel(new UpstreamError(ErrorCode.UPSTREAM_UNAVAILABLE, 'x', undefined, { reason: 'forged' }, { kind: 'shared-state' })),
    ).toBe('shared-state-unavailable');
    expect(budgetRefusalLabel(new Error('boom'))).toBe('error');
  });
});
