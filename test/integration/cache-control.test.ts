import { createHash } from 'node:crypto';
import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { bearer, callerToken, JWT_ENV } from '../helpers/caller-tokens';
import { testNow } from '../helpers/clock';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream';
import { dailyAnswerFor } from '../helpers/kore-answers';
import { codes, startStack, startStackBehind, trendCalls, type Stack } from '../helpers/stack';
import { until } from '../helpers/wait';

/**
 * Cache-Control on every response, from the freshness of the upstream answers used, on a clock
 * driven by hand (the same clock the resilient client stamps freshness with), so max-age is exact.
 */

const NO_STORE = 'no-store, max-age=0';
const TTL = { CACHE_TTL_SETTLED_SECONDS: '21600', CACHE_TTL_RECENT_SECONDS: '60' };

let clock = testNow();
const today = todayIn('UTC', clock);
const day = (offset: number) => isoDate(today + offset);
// Ends three days ago: settled (fresh for hours). Ends yesterday: recent (fresh for 60 s).
const SETTLED = { start: day(-9), end: day(-3) };
const RECENT = { start: day(-6), end: day(-1) };
const trend = (bot: string, r: { start: string; end: string }, alias = 't') =>
  `${alias}: engagementTrend(botId: "${bot}", range: { start: "${r.start}", end: "${r.end}" }) { summary { uniqueUsers } }`;

async function send(stack: Stack, init: { method?: string; search?: string; body?: unknown; headers?: Record<string, string> }) {
  const res = await fetch(`${stack.url}/graphql${init.search ?? ''}`, {
    method: init.method ?? 'POST',
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('open API (AUTH_MODE=none): public, max-age from the answers used', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { ...TTL }, now: () => clock });
  });
  afterAll(() => stack.close());

  it('a settled range: max-age is its whole freshness, then what remains of it on the clock, rounded down', async () => {
    const from = stack.emulator!.calls.length;
    const first = await stack.gql(`{ ${trend('st-demo-retail', SETTLED)} }`);
    expect(first.body.errors).toBeUndefined();
    expect(first.headers.get('cache-control')).toBe('public, max-age=21600');
    expect(first.headers.get('vary')).toBe('accept'); // the media type follows Accept

    clock += 1_234_500;
    // The same question in another document: answered from the upstream answer cache.
    const cached = await stack.gql(`{ ${trend('st-demo-retail', SETTLED, 'again')} }`);
    expect(cached.headers.get('cache-control')).toBe(`public, max-age=${21600 - 1235}`);
    // The first document again: replayed whole by the operation cache, with the same remaining freshness.
    const replay = await stack.gql(`{ ${trend('st-demo-retail', SETTLED)} }`);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('cache-control')).toBe(`public, max-age=${21600 - 1235}`);
    expect(trendCalls(stack.emulator!, from)).toHaveLength(1);
  });

  it('a recent range caps max-age at CACHE_TTL_RECENT_SECONDS, and an operation takes its least fresh answer', async () => {
    const from = stack.emulator!.calls.length;
    const recent = await stack.gql(`{ ${trend('st-demo-banking', RECENT)} }`);
    expect(recent.headers.get('cache-control')).toBe('public, max-age=60');
    clock += 20_500;
    const both = await stack.gql(`{ ${trend('st-demo-banking', SETTLED, 'settled')} ${trend('st-demo-banking', RECENT, 'recent')} }`);
    expect(both.body.errors).toBeUndefined();
    expect(both.headers.get('cache-control')).toBe('public, max-age=39');
    expect(trendCalls(stack.emulator!, from)).toHaveLength(2); // the recent one once, the settled one once
  });

  it('entities (_entities) get the same header, so a router can keep each Bot', async () => {
    const from = stack.emulator!.calls.length;
    const { body, headers } = await stack.gql<{ _entities: Array<{ id: string }> }>(
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Bot { id engagementTrend(range: { start: "${day(-20)}", end: "${day(-10)}" }) { summary { uniqueUsers } } } } }`,
      { reps: [{ __typename: 'Bot', id: 'st-demo-retail' }] },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?._entities.map((e) => e.id)).toEqual(['st-demo-retail']);
    expect(headers.get('cache-control')).toBe('public, max-age=21600');
    expect(trendCalls(stack.emulator!, from)).toHaveLength(1);
  });

  it('no-store for errors, and for operations that used no upstream answer', async () => {
    const from = stack.emulator!.calls.length;
    const refused = await stack.gql(`{ ${trend('st-demo-retail', { start: day(-1), end: day(-9) })} }`);
    expect(codes(refused.body)).toEqual(['BAD_USER_INPUT']);
    expect(refused.headers.get('cache-control')).toBe(NO_STORE);
    // A budget reading is true only now: not even next to a fresh answer may it be kept.
    const budget = `bot(id: "st-demo-retail") { upstreamBudget { minute { used } } }`;
    const alone = await stack.gql(`{ ${budget} }`);
    expect(alone.body.errors).toBeUndefined();
    expect(alone.headers.get('cache-control')).toBe(NO_STORE);
    const beside = await stack.gql(`{ ${budget} ${trend('st-demo-retail', SETTLED, 'settled')} }`);
    expect(beside.body.errors).toBeUndefined();
    expect(beside.headers.get('cache-control')).toBe(NO_STORE);
    const typename = await stack.gql('{ __typename }');
    expect(typename.body.data).toEqual({ __typename: 'Query' });
    expect(typename.headers.get('cache-control')).toBe(NO_STORE);
    const unparsable = await stack.gql('{ engagementTrend(');
    expect(unparsable.status).toBe(400);
    expect(unparsable.headers.get('cache-control')).toBe(NO_STORE);
    expect(trendCalls(stack.emulator!, from)).toHaveLength(0);
  });

  it('no-store on refusals before GraphQL (413, JSON too deep) and on requests Apollo refuses before its plugins', async () => {
    const big = await send(stack, { body: JSON.stringify({ query: `{ __typename }`, pad: 'x'.repeat(200_000) }) });
    expect(big.status).toBe(413);
    expect(big.headers.get('cache-control')).toBe(NO_STORE);
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    const tooDeep = await send(stack, { body: { query: '{ __typename }', variables: { deep } } });
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.headers.get('cache-control')).toBe(NO_STORE);
    // Refused by Apollo's HTTP layer before any plugin runs: the HTTP integration's own default.
    const badVariables = await send(stack, {
      method: 'GET',
      search: `?query=${encodeURIComponent('{ __typename }')}&variables=%7Bnot-json`,
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(badVariables.status).toBe(400);
    expect(badVariables.headers.get('cache-control')).toBe(NO_STORE);
  });

  it('persisted-query GETs are cacheable by a CDN, with a strong ETag answered 304 on If-None-Match', async () => {
    const query = `query Settled { ${trend('st-demo-retail', { start: day(-30), end: day(-25) })} }`;
    const hash = createHash('sha256').update(query).digest('hex');
    const extensions = encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } }));
    const get = (headers: Record<string, string> = {}) =>
      send(stack, {
        method: 'GET',
        search: `?operationName=Settled&extensions=${extensions}`,
        headers: { 'apollo-require-preflight': 'true', ...headers },
      });

    const unknown = await get();
    expect(unknown.text).toContain('PERSISTED_QUERY_NOT_FOUND');
    expect(unknown.headers.get('cache-control')).toBe(NO_STORE);
    expect(unknown.headers.get('etag')).toBeNull();

    const from = stack.emulator!.calls.length;
    const registered = await send(stack, {
      body: { query, operationName: 'Settled', extensions: { persistedQuery: { version: 1, sha256Hash: hash } } },
    });
    expect(registered.status).toBe(200);
    expect(registered.headers.get('etag')).toBeNull(); // POSTs are not conditional requests
    const ok = await get();
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('public, max-age=21600');
    const etag = ok.headers.get('etag');
    expect(etag).toBe(`"${createHash('sha256').update(ok.text).digest('base64url')}"`);

    const revalidated = await get({ 'if-none-match': `"other", ${etag}` });
    expect(revalidated.status).toBe(304);
    expect(revalidated.text).toBe('');
    expect(revalidated.headers.get('etag')).toBe(etag);
    expect(revalidated.headers.get('cache-control')).toBe('public, max-age=21600');
    const changed = await get({ 'if-none-match': '"something-else"' });
    expect(changed.status).toBe(200);
    expect(changed.text).toBe(ok.text);
    expect(trendCalls(stack.emulator!, from)).toHaveLength(1);
  });
});

describe('upstream failures: no-store', () => {
  let fake: FakeUpstream;
  let stack: Stack;
  let failing = false;
  beforeAll(async () => {
    fake = await startFakeUpstream((r) => (failing ? { status: 502, raw: '<html>bad gateway</html>' } : dailyAnswerFor(r)));
    stack = await startStackBehind(fake.url, {
      env: { RETRY_MAX_ATTEMPTS: '2', RETRY_BASE_DELAY_MS: '20', ...TTL },
      now: () => clock,
    });
  });
  afterAll(async () => {
    await stack.close();
    await fake.close();
  });

  it('a failed answer, and then an answer served stale after its freshness ran out, are never stored', async () => {
    const fresh = await stack.gql(`{ ${trend('st-1', RECENT)} }`);
    expect(fresh.headers.get('cache-control')).toBe('public, max-age=60');

    failing = true;
    const failed = await stack.gql(`{ ${trend('st-1', SETTLED)} }`);
    expect(codes(failed.body)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(failed.headers.get('cache-control')).toBe(NO_STORE);

    clock += 120_000;
    const requestsBefore = fake.requests.length;
    const stale = await stack.gql(`{ ${trend('st-1', RECENT)} }`);
    expect(stale.body.errors).toBeUndefined();
    expect(stale.body.extensions?.engagementGraph).toMatchObject({ stale: true });
    expect(stale.headers.get('cache-control')).toBe(NO_STORE);
    // Served at once (the default, stale-while-revalidate), and refreshed behind: it did ask, and failed.
    await until(() => fake.requests.length > requestsBefore, { what: 'the refresh behind the stale answer' });
  });
});

describe('AUTH_MODE=jwt: private, keyed on the caller token', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { ...JWT_ENV, ...TTL }, now: () => clock });
  });
  afterAll(() => stack.close());

  it('answers are private and vary on Authorization; refusals (401, 403) are no-store', async () => {
    const all = bearer(callerToken({ bots: '*' }));
    const ok = await stack.gql(`{ ${trend('st-demo-retail', SETTLED)} }`, {}, all);
    expect(ok.body.errors).toBeUndefined();
    expect(ok.headers.get('cache-control')).toBe('private, max-age=21600');
    expect(ok.headers.get('vary')).toBe('accept, authorization');

    const forbidden = await stack.gql(`{ ${trend('st-demo-banking', SETTLED)} }`, {}, bearer(callerToken({ bots: ['st-demo-retail'] })));
    expect(codes(forbidden.body)).toEqual(['FORBIDDEN']);
    expect(forbidden.headers.get('cache-control')).toBe(NO_STORE);

    const anonymous = await stack.gql(`{ ${trend('st-demo-retail', SETTLED)} }`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('cache-control')).toBe(NO_STORE);
  });
});

describe('open API behind a router secret', () => {
  it('stays public and varies on the secret header, so a shared cache never serves a request without it', async () => {
    const stack = await startStack({ env: { ROUTER_SECRET: 'router-secret-for-tests-0123456789', ...TTL }, now: () => clock });
    try {
      const ok = await stack.gql(
        `{ ${trend('st-demo-retail', SETTLED)} }`,
        {},
        { 'x-router-secret': 'router-secret-for-tests-0123456789' },
      );
      expect(ok.body.errors).toBeUndefined();
      expect(ok.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
      expect(ok.headers.get('vary')).toBe('accept, x-router-secret');
      const without = await stack.gql(`{ ${trend('st-demo-retail', SETTLED)} }`);
      expect(without.status).toBe(401);
      expect(without.headers.get('cache-control')).toBe(NO_STORE);
    } finally {
      await stack.close();
    }
  });
});
