import { cacheShares, ConfigError, DEMO_CLIENT_ID, loadConfig, loadEmulatorConfig, NO_FAULTS } from '../../src/config';

describe('configuration', () => {
  it('defaults to the built-in upstream, v2, port 4000 and the documented caps', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 4000, maxRangeDaysDaily: 90, maxRangeDaysHourly: 31, upstreamConcurrency: 4 });
    expect(c.kore).toMatchObject({ host: undefined, clientId: DEMO_CLIENT_ID, apiVersion: 'v2', v1TimeZone: 'UTC' });
    expect(Object.isFrozen(c) && Object.isFrozen(c.kore)).toBe(true);
  });

  it('takes a real Kore.ai host with its credentials, trimming the trailing slash', () => {
    const c = loadConfig({
      KORE_HOST: 'https://platform.kore.ai/',
      KORE_CLIENT_ID: 'cs-1',
      KORE_CLIENT_SECRET: 'x',
      KORE_API_VERSION: 'v1',
    });
    expect(c.kore).toMatchObject({ host: 'https://platform.kore.ai', clientId: 'cs-1', apiVersion: 'v1' });
  });

  it.each<[Record<string, string>, RegExp]>([
    [{ PORT: 'eighty' }, /PORT .*"eighty"/],
    [{ PORT: '70000' }, /PORT/],
    [{ KORE_API_VERSION: 'v3' }, /KORE_API_VERSION .*"v3"/],
    [{ KORE_HOST: 'platform.kore.ai', KORE_CLIENT_ID: 'a', KORE_CLIENT_SECRET: 'b' }, /KORE_HOST/],
    [{ KORE_HOST: 'ftp://x', KORE_CLIENT_ID: 'a', KORE_CLIENT_SECRET: 'b' }, /KORE_HOST/],
    [{ KORE_HOST: 'https://platform.kore.ai' }, /KORE_CLIENT_ID and KORE_CLIENT_SECRET/],
    [{ KORE_CLIENT_ID: 'a', KORE_CLIENT_SECRET: 'b' }, /KORE_HOST is not/],
    [{ MAX_RANGE_DAYS_DAILY: '0' }, /MAX_RANGE_DAYS_DAILY/],
    [{ MAX_RANGE_DAYS_HOURLY: '100', MAX_RANGE_DAYS_DAILY: '90' }, /MAX_RANGE_DAYS_HOURLY/],
    [{ KORE_V1_TIME_ZONE: 'Nowhere/City' }, /KORE_V1_TIME_ZONE/],
    [{ NODE_ENV: 'staging' }, /NODE_ENV/],
    [{ NODE_ENV: 'production' }, /KORE_HOST is not set in production/],
    [{ EMULATOR_FAULTS: '{"errorRate": 3}' }, /EMULATOR_FAULTS/],
    [{ EMULATOR_FAULTS: 'not json' }, /EMULATOR_FAULTS/],
    [{ BUDGET_PER_MINUTE: '0' }, /BUDGET_PER_MINUTE/],
    [{ BUDGET_CALLER_SHARE: '0' }, /BUDGET_CALLER_SHARE/],
    [{ BUDGET_CALLER_SHARE: 'half' }, /BUDGET_CALLER_SHARE/],
    [{ BUDGET_RESERVE_SHARE: '0.9' }, /BUDGET_RESERVE_SHARE/],
    [{ KORE_TIMEOUT_MS: '60000' }, /KORE_TIMEOUT_MS/],
    [{ BUDGET_RECOVERY_MS: '0' }, /BUDGET_RECOVERY_MS/],
    [{ REDIS_COMMAND_TIMEOUT_MS: '10' }, /REDIS_COMMAND_TIMEOUT_MS/],
    [{ LANDING_PAGE: 'graphiql' }, /LANDING_PAGE/],
    [{ INTROSPECTION: 'maybe' }, /INTROSPECTION/],
    [{ LOG_FORMAT: 'xml' }, /LOG_FORMAT/],
  ])('refuses %j with a message naming it', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('keeps a reserve for newcomers only when callers can be told apart (AUTH_MODE=jwt)', () => {
    expect(loadConfig({}).resilience).toMatchObject({ budgetCallerShare: 0.5, budgetReserveShare: 0 });
    expect(loadConfig({ AUTH_MODE: 'jwt', AUTH_JWT_SECRET: 'x'.repeat(32) }).resilience.budgetReserveShare).toBe(0.25);
    expect(loadConfig({ BUDGET_CALLER_SHARE: '.3', BUDGET_RESERVE_SHARE: '0.1' }).resilience).toMatchObject({
      budgetCallerShare: 0.3,
      budgetReserveShare: 0.1,
    });
  });

  it('serves demo data in production only when told to', () => {
    expect(loadConfig({ NODE_ENV: 'production', AUTH_MODE: 'none', USE_BUILTIN_UPSTREAM: 'true' }).kore.host).toBeUndefined();
  });

  it('never puts a secret value in an error message', () => {
    try {
      loadConfig({ KORE_CLIENT_ID: 'a', KORE_CLIENT_SECRET: 'super-secret-value' });
    } catch (error) {
      expect(String(error)).not.toContain('super-secret-value');
    }
    expect.assertions(1);
  });
});

describe('cache shares', () => {
  it.each([0, 1, 4, 5, 49_999_999, 50_000_000])(
    'CACHE_MAX_BYTES=%i is split without going over: a fifth for operations, a tenth for documents, a twentieth for refresh',
    (total) => {
      const { answers, operations, documents, refresh } = cacheShares(total);
      expect(answers + operations + documents + refresh).toBe(total);
      expect(operations).toBe(Math.floor(total / 5));
      expect(documents).toBe(Math.floor(total / 10));
      expect(refresh).toBe(Math.floor(total / 20));
      expect(answers).toBeGreaterThanOrEqual(operations);
    },
  );
});

describe('single-flight lease', () => {
  it('FLIGHT_LEASE_MS defaults to a few seconds and refuses values a leader could not renew in time', () => {
    expect(loadConfig({}).resilience.flightLeaseMs).toBe(3000);
    expect(loadConfig({ FLIGHT_LEASE_MS: '1000' }).resilience.flightLeaseMs).toBe(1000);
    for (const bad of ['0', '299', '60001', '2.5s', 'soon']) expect(() => loadConfig({ FLIGHT_LEASE_MS: bad })).toThrow(/FLIGHT_LEASE_MS/);
  });
});

describe('client connection limits', () => {
  it('defaults: headers within 10 s, a whole request within 30 s, at most 2000 connections', () => {
    expect(loadConfig({})).toMatchObject({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, maxConnections: 2000 });
  });

  it.each<[Record<string, string>, RegExp]>([
    [{ HEADERS_TIMEOUT_MS: '0' }, /HEADERS_TIMEOUT_MS/],
    [{ HEADERS_TIMEOUT_MS: '40000' }, /HEADERS_TIMEOUT_MS \(40000\) must not exceed REQUEST_TIMEOUT_MS \(30000\)/], // node refuses it too
    [{ MAX_CONNECTIONS: '0' }, /MAX_CONNECTIONS/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('Redis command timeout', () => {
  it('defaults to 500 ms and refuses nonsense', () => {
    expect(loadConfig({}).redisCommandTimeoutMs).toBe(500);
    expect(() => loadConfig({ REDIS_COMMAND_TIMEOUT_MS: '0' })).toThrow(/REDIS_COMMAND_TIMEOUT_MS/);
  });
});

describe('the standalone emulator (npm run emulator)', () => {
  it("defaults to port 4010 on loopback with Kore.ai's limits and no faults", () => {
    expect(loadEmulatorConfig({})).toEqual({ port: 4010, host: '127.0.0.1', faults: {}, rateLimit: { perMinute: 60, perHour: 1800 } });
  });

  it('takes its EMULATOR_* variables, faults checked by the same parser as PUT /emulator/faults', () => {
    const c = loadEmulatorConfig({
      EMULATOR_PORT: '0',
      EMULATOR_HOST: '0.0.0.0',
      EMULATOR_RATE_PER_MINUTE: '1000000',
      EMULATOR_FAULTS: '{"errorRate":0.5}',
    });
    expect(c).toEqual({
      port: 0,
      host: '0.0.0.0',
      faults: { ...NO_FAULTS, errorRate: 0.5 },
      rateLimit: { perMinute: 1_000_000, perHour: 1800 },
    });
    expect(loadConfig({ EMULATOR_FAULTS: '{"latencyMs":5}' }).emulatorFaults).toEqual({ ...NO_FAULTS, latencyMs: 5 });
  });

  it.each<[Record<string, string>, RegExp]>([
    [{ EMULATOR_PORT: 'http' }, /EMULATOR_PORT .*"http"/],
    [{ EMULATOR_RATE_PER_HOUR: '0' }, /EMULATOR_RATE_PER_HOUR/],
    [{ EMULATOR_FAULTS: '{"explode":1}' }, /EMULATOR_FAULTS .*unknown fault "explode"/],
  ])('refuses %j with a message naming it', (env, message) => {
    expect(() => loadEmulatorConfig(env)).toThrow(ConfigError);
    expect(() => loadEmulatorConfig(env)).toThrow(message);
  });
});
