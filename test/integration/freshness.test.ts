import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { testNow } from '../helpers/clock';
import { startFakeUpstream, type FakeReply, type FakeRequest, type FakeUpstream } from '../helpers/fake-upstream';
import { dailyAnswerFor } from '../helpers/kore-answers';
import { codes, startStackBehind, type Stack, type StackOptions } from '../helpers/stack';
import { until } from '../helpers/wait';

/**
 * `freshness` and `cache: CachePolicy` (issue 18), against the recording fake over real HTTP on a
 * hand-driven clock: what `freshness` says is checked against what the upstream recorded.
 */

let fake: FakeUpstream;
const stacks: Stack[] = [];
/** Releases every reply held by `hold()` (afterEach too, so no request outlives its test). */
let releaseHeld: () => void = () => undefined;
beforeEach(async () => {
  fake = await startFakeUpstream(dailyAnswerFor);
});
afterEach(async () => {
  releaseHeld();
  await Promise.all(stacks.splice(0).map((s) => s.close()));
  await fake.close();
});

let clock = testNow();
async function stackWith(env: Record<string, string> = {}, extra: Partial<StackOptions> = {}): Promise<Stack> {
  clock = testNow();
  const stack = await startStackBehind(fake.url, {
    env: { RETRY_BASE_DELAY_MS: '20', RETRY_MAX_ATTEMPTS: '1', CACHE_TTL_RECENT_SECONDS: '60', ...env },
    now: () => clock,
    ...extra,
  });
  stacks.push(stack);
  return stack;
}

/** From now on the fake holds every reply until released, recording each request as it arrives. */
function hold(): () => void {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  releaseHeld = release;
  fake.reply = async (r: FakeRequest): Promise<FakeReply> => {
    await gate;
    return dailyAnswerFor(r);
  };
  return release;
}

const today = todayIn('UTC', testNow());
const day = (offset: number) => isoDate(today + offset);
/** A range touching today: fresh for CACHE_TTL_RECENT_SECONDS. */
const trendQuery = (cache?: string, fields = 'summary { uniqueUsers }') =>
  `{ engagementTrend(botId: "st-1", range: { start: "${day(-2)}", end: "${day(0)}" }${cache ? `, cache: ${cache}` : ''}) {
    ${fields} freshness { asOf ageSeconds stale source } } }`;

interface Freshness {
  asOf: string;
  ageSeconds: number;
  stale: boolean;
  source: string;
}
type Trend = { engagementTrend: { summary?: { uniqueUsers: number } | null; freshness: Freshness } | null };
const iso = (ms: number) => new Date(ms).toISOString();

describe('freshness', () => {
  it('UPSTREAM on a first ask, CACHE on a repeat: asOf is the first fetch, ageSeconds from the clock', async () => {
    const stack = await stackWith();
    const fetchedAt = clock;
    const first = await stack.gql<Trend>(trendQuery());
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data?.engagementTrend?.freshness).toEqual({ asOf: iso(fetchedAt), ageSeconds: 0, stale: false, source: 'UPSTREAM' });

    clock += 42_000;
    const second = await stack.gql<Trend>(trendQuery());
    expect(second.body.data?.engagementTrend?.freshness).toEqual({ asOf: iso(fetchedAt), ageSeconds: 42, stale: false, source: 'CACHE' });
    expect(fake.requests).toHaveLength(1);
  });

  it('costs no call: with only range and freshness selected, nothing is asked and it reports the moment of the request', async () => {
    const stack = await stackWith();
    const { body } = await stack.gql<Trend>(trendQuery(undefined, 'range { days }'));
    expect(body.errors).toBeUndefined();
    expect(body.data?.engagementTrend?.freshness).toEqual({ asOf: iso(clock), ageSeconds: 0, stale: false, source: 'UPSTREAM' });
    expect(fake.requests).toHaveLength(0);
  });

  it('adds no call beside summary, series and activity of one question', async () => {
    const stack = await stackWith();
    const { body } = await stack.gql<Trend>(
      trendQuery(undefined, 'summary { uniqueUsers } series { uniqueUsers { users } } activity { averageDailyUsers }'),
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.engagementTrend?.freshness.source).toBe('UPSTREAM');
    expect(fake.requests).toHaveLength(1);
  });

  it('STALE_CACHE after the upstream failed (stale-if-error), with extensions.engagementGraph.stale still set', async () => {
    // `wait` asks Kore.ai for the expired entry and falls back to it; the default would serve it at once.
    const stack = await stackWith({ CACHE_POLICY: 'wait' });
    const fetchedAt = clock;
    await stack.gql<Trend>(trendQuery());
    clock += 120_000;
    fake.reply = () => ({ status: 503, body: { errors: [{ msg: 'Service Unavailable', code: 503 }] } });
    const { body } = await stack.gql<Trend>(trendQuery());
    expect(body.errors).toBeUndefined();
    expect(body.data?.engagementTrend?.freshness).toEqual({ asOf: iso(fetchedAt), ageSeconds: 120, stale: true, source: 'STALE_CACHE' });
    expect(body.extensions?.engagementGraph).toMatchObject({ stale: true });
    expect(fake.requests).toHaveLength(2);
  });

  it("STALE_CACHE when the bot's budget is spent: no call is made for it", async () => {
    const stack = await stackWith({
      BUDGET_PER_MINUTE: '1',
      BUDGET_MAX_WAIT_MS: '0',
      BUDGET_CALLER_SHARE: '1',
      CACHE_TTL_RECENT_SECONDS: '5',
    });
    const fetchedAt = clock;
    const first = await stack.gql<Trend>(trendQuery());
    expect(first.body.data?.engagementTrend?.freshness.source).toBe('UPSTREAM');
    clock += 10_000;
    const { body } = await stack.gql<Trend>(trendQuery());
    expect(body.errors).toBeUndefined();
    expect(body.data?.engagementTrend?.freshness).toEqual({ asOf: iso(fetchedAt), ageSeconds: 10, stale: true, source: 'STALE_CACHE' });
    expect(fake.requests).toHaveLength(1);
  });
});

describe('cache: STALE_WHILE_REVALIDATE', () => {
  it('answers at once from an expired entry, while its one refresh is still held upstream, then serves the refreshed answer', async () => {
    const stack = await stackWith();
    const fetchedAt = clock;
    await stack.gql<Trend>(trendQuery());
    clock += 120_000;
    const release = hold();

    const { body } = await stack.gql<Trend>(trendQuery('STALE_WHILE_REVALIDATE'));
    // Answered while the refresh had not been answered (it is held until released below).
    expect(fake.events.filter((e) => e.kind === 'answered')).toHaveLength(1);
    expect(body.errors).toBeUndefined();
    expect(body.data?.engagementTrend?.freshness).toEqual({ asOf: iso(fetchedAt), ageSeconds: 120, stale: true, source: 'STALE_CACHE' });
    expect(body.extensions?.engagementGraph).toMatchObject({ stale: true });

    await until(() => fake.requests.length === 2, { what: 'the refresh behind the response' });
    const refreshedAt = clock;
    release();
    await until(() => fake.events.filter((e) => e.kind === 'answered').length === 2, { what: 'the refresh to be answered' });
    // The refreshed answer is in the cache: the next ask, whatever its policy, is a fresh hit.
    await until(async () => (await stack.gql<Trend>(trendQuery())).body.data?.engagementTrend?.freshness.source === 'CACHE', {
      what: 'the refreshed answer in the cache',
    });
    const after = await stack.gql<Trend>(trendQuery('STALE_WHILE_REVALIDATE'));
    expect(after.body.data?.engagementTrend?.freshness).toEqual({ asOf: iso(refreshedAt), ageSeconds: 0, stale: false, source: 'CACHE' });
    expect(fake.requests).toHaveLength(2);
  });

  it('N concurrent askers of an expired entry all answer stale at once, behind exactly one refresh', async () => {
    const stack = await stackWith();
    await stack.gql<Trend>(trendQuery());
    clock += 120_000;
    const release = hold();
    const answers = await Promise.all(Array.from({ length: 12 }, () => stack.gql<Trend>(trendQuery('STALE_WHILE_REVALIDATE'))));
    for (const { body } of answers) expect(body.data?.engagementTrend?.freshness.source).toBe('STALE_CACHE');
    await until(() => fake.requests.length === 2, { what: 'the one refresh' });
    // More askers while it is still held join it rather than start another.
    const more = await stack.gql<Trend>(trendQuery('STALE_WHILE_REVALIDATE'));
    expect(more.body.data?.engagementTrend?.freshness.source).toBe('STALE_CACHE');
    release();
    await until(() => fake.open() === 0 && fake.events.filter((e) => e.kind === 'answered').length === 2, { what: 'the refresh answered' });
    expect(fake.requests).toHaveLength(2);
  });

  it('an entry expired longer than CACHE_STALE_SECONDS is not served: the asker waits for the upstream', async () => {
    const stack = await stackWith({ CACHE_STALE_SECONDS: '30' });
    await stack.gql<Trend>(trendQuery());
    clock += 60_000 + 31_000;
    const { body } = await stack.gql<Trend>(trendQuery('STALE_WHILE_REVALIDATE'));
    expect(body.data?.engagementTrend?.freshness).toEqual({ asOf: iso(clock), ageSeconds: 0, stale: false, source: 'UPSTREAM' });
    expect(fake.requests).toHaveLength(2);
  });
});

describe('cache: MUST_REVALIDATE', () => {
  it('never stale: with the upstream failing, the usual error instead of the expired entry', async () => {
    const stack = await stackWith();
    await stack.gql<Trend>(trendQuery());
    clock += 120_000;
    fake.reply = () => ({ status: 503, body: { errors: [{ msg: 'Service Unavailable', code: 503 }] } });
    const { body } = await stack.gql<Trend>(trendQuery('MUST_REVALIDATE'));
    expect(codes(body)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(body.data?.engagementTrend?.summary).toBeNull();
    expect(body.extensions?.engagementGraph).toBeUndefined();
    expect(fake.requests).toHaveLength(2);
  });

  it('waits for a fresh answer where DEFAULT would also wait, and reports it as UPSTREAM', async () => {
    const stack = await stackWith();
    await stack.gql<Trend>(trendQuery());
    clock += 120_000;
    const { body } = await stack.gql<Trend>(trendQuery('MUST_REVALIDATE'));
    expect(body.data?.engagementTrend?.freshness).toEqual({ asOf: iso(clock), ageSeconds: 0, stale: false, source: 'UPSTREAM' });
    expect(fake.requests).toHaveLength(2);
  });

  it('on Bot.engagementTrend too, and one question under two policies in one operation is one call', async () => {
    const stack = await stackWith();
    const range = `range: { start: "${day(-2)}", end: "${day(0)}" }`;
    const { body } = await stack.gql<{ bot: { a: { freshness: Freshness }; b: { freshness: Freshness } } }>(
      `{ bot(id: "st-1") {
        a: engagementTrend(${range}, cache: MUST_REVALIDATE) { summary { uniqueUsers } freshness { asOf ageSeconds stale source } }
        b: engagementTrend(${range}, cache: STALE_WHILE_REVALIDATE) { summary { uniqueUsers } freshness { asOf ageSeconds stale source } } } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.bot.a.freshness.source).toBe('UPSTREAM');
    expect(body.data?.bot.b.freshness.source).toBe('UPSTREAM');
    expect(fake.requests).toHaveLength(1);
  });
});

describe('CACHE_POLICY', () => {
  it('stale-while-revalidate makes DEFAULT serve an expired entry at once; an explicit MUST_REVALIDATE still waits', async () => {
    const stack = await stackWith({ CACHE_POLICY: 'stale-while-revalidate' });
    await stack.gql<Trend>(trendQuery());
    clock += 120_000;
    const release = hold();
    const { body } = await stack.gql<Trend>(trendQuery());
    expect(body.data?.engagementTrend?.freshness.source).toBe('STALE_CACHE');
    await until(() => fake.requests.length === 2, { what: 'the refresh behind the response' });
    const waiting = stack.gql<Trend>(trendQuery('MUST_REVALIDATE'));
    release();
    const fresh = await waiting;
    expect(fresh.body.data?.engagementTrend?.freshness.stale).toBe(false);
    expect(fake.requests).toHaveLength(2);
  });
});
