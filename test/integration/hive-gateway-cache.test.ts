import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { testNow } from '../helpers/clock';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream';
import { startHiveGateway, startBotsSubgraph, type HiveGateway } from '../helpers/hive-gateway';
import { dailyAnswerFor, expectedUnique } from '../helpers/kore-answers';
import { startStackBehind, type Stack } from '../helpers/stack';

/**
 * Hive Gateway (composed by The Guild's composer) keeps a repeated entity query in its response
 * cache for as long as our Cache-Control says, and not at all when it says no-store or max-age=0.
 * Counted where it matters: requests reaching the Engagement Graph subgraph's HTTP server, and
 * calls reaching the (recording) upstream.
 */

let clock = testNow();
const today = todayIn('UTC', clock);
const day = (offset: number) => isoDate(today + offset);
const BOTS = ['st-1', 'st-2', 'st-1'];

let fake: FakeUpstream;
let failing = false;
let stack: Stack;
let bots: Awaited<ReturnType<typeof startBotsSubgraph>>;
let gateway: HiveGateway;
let subgraphRequests = 0;

beforeAll(async () => {
  fake = await startFakeUpstream((r) => (failing ? { status: 502, raw: '<html>bad gateway</html>' } : dailyAnswerFor(r)));
  stack = await startStackBehind(fake.url, {
    env: {
      RETRY_MAX_ATTEMPTS: '2',
      RETRY_BASE_DELAY_MS: '20',
      CACHE_TTL_SETTLED_SECONDS: '21600',
      CACHE_TTL_RECENT_SECONDS: '0', // recent ranges: max-age=0
    },
    now: () => clock,
  });
  stack.server.httpServer.on('request', (req) => {
    if (req.url === '/graphql' && req.method === 'POST') subgraphRequests++;
  });
  bots = await startBotsSubgraph(BOTS);
  gateway = await startHiveGateway([
    { name: 'engagement', url: `${stack.url}/graphql` },
    { name: 'bots', url: bots.url },
  ]);
});

afterAll(async () => {
  await gateway?.close();
  await bots?.close();
  await stack?.close();
  await fake?.close();
});

type Bots = { bots: Array<{ id: string; name: string; engagementTrend: { summary: { uniqueUsers: number } } | null }> };
const BOTS_QUERY = `query($r: DateRangeInput!) { bots { id name engagementTrend(range: $r) { summary { uniqueUsers } } } }`;

async function viaGateway(range: { start: string; end: string }) {
  const res = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: BOTS_QUERY, variables: { r: range } }),
  });
  return (await res.json()) as { data?: Bots; errors?: unknown[] };
}

describe('Hive Gateway caching by our Cache-Control', () => {
  it('composes the subgraph with @theguild/federation-composition', () => {
    expect(gateway.supergraphSdl).toMatch(/join__graph\(name: "engagement"/);
    expect(gateway.supergraphSdl).toMatch(/type Bot\b[^{]*@join__type\(graph: ENGAGEMENT, key: "id"\)/);
  });

  it('answers a repeated entity query (settled range: public, max-age in hours) from its cache: no second subgraph request', async () => {
    const range = { start: day(-20), end: day(-10) };
    const beforeSubgraph = subgraphRequests;
    const beforeUpstream = fake.requests.length;
    const first = await viaGateway(range);
    expect(first.errors).toBeUndefined();
    expect(first.data?.bots.map((b) => [b.id, b.engagementTrend?.summary.uniqueUsers])).toEqual(
      BOTS.map((id) => [id, expectedUnique(range.start, range.end)]),
    );
    expect(subgraphRequests - beforeSubgraph).toBe(1); // one _entities request for the three placements
    expect(fake.requests.length - beforeUpstream).toBe(2); // one call per distinct bot

    const second = await viaGateway(range);
    expect(second).toEqual(first);
    expect(subgraphRequests - beforeSubgraph).toBe(1);
    expect(fake.requests.length - beforeUpstream).toBe(2);
  });

  it('asks the subgraph again every time its answer says max-age=0 (a recent range with CACHE_TTL_RECENT_SECONDS=0)', async () => {
    const range = { start: day(-5), end: day(-1) };
    const beforeSubgraph = subgraphRequests;
    const first = await viaGateway(range);
    const second = await viaGateway(range);
    expect(first.errors).toBeUndefined();
    expect(second).toEqual(first);
    expect(subgraphRequests - beforeSubgraph).toBe(2);
  });

  it('never keeps an answer the subgraph marked no-store: refused (errors) or served stale', async () => {
    const refused = { start: day(-1), end: day(-9) }; // end before start: BAD_USER_INPUT, no upstream call
    let beforeSubgraph = subgraphRequests;
    const bad = await viaGateway(refused);
    await viaGateway(refused);
    expect(bad.data?.bots.every((b) => b.engagementTrend === null)).toBe(true);
    expect(subgraphRequests - beforeSubgraph).toBe(2);

    // Answers fetched directly from the subgraph (not through the gateway), then the upstream fails:
    // the subgraph serves them stale, without errors, with no-store.
    const range = { start: day(-3), end: day(-1) };
    for (const id of ['st-1', 'st-2']) {
      const direct = await stack.gql(
        `query($r: DateRangeInput!) { engagementTrend(botId: "${id}", range: $r) { summary { uniqueUsers } } }`,
        {
          r: range,
        },
      );
      expect(direct.body.errors).toBeUndefined();
    }
    clock += 1_000;
    failing = true;
    beforeSubgraph = subgraphRequests;
    const stale = await viaGateway(range);
    expect(stale.errors).toBeUndefined();
    expect(stale.data?.bots.map((b) => b.engagementTrend?.summary.uniqueUsers)).toEqual(
      BOTS.map(() => expectedUnique(range.start, range.end)),
    );
    const again = await viaGateway(range);
    expect(again).toEqual(stale);
    expect(subgraphRequests - beforeSubgraph).toBe(2);
  });
});
