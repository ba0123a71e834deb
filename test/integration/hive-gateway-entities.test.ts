import { DEMO_BOTS, type BotProfile } from '../../src/emulator/world';
import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { testNow } from '../helpers/clock';
import {
  recordSubgraphRequests,
  startBotsSubgraph,
  startHiveGateway,
  type HiveGateway,
  type SubgraphRequest,
} from '../helpers/hive-gateway';
import { startStack, trendCalls, type Stack } from '../helpers/stack';

/**
 * The second gateway (issue 17): the subgraph composed by @theguild/federation-composition with a
 * bots subgraph and served by Hive Gateway (test/helpers/hive-gateway.ts, its real `http`
 * transport). 20 bot references of 5 distinct ids come back with the numbers direct queries give,
 * for exactly one upstream call per distinct question; the requests are counted where they arrive,
 * at this subgraph's HTTP server.
 */

const EXTRA_BOTS: BotProfile[] = [
  { ...DEMO_BOTS[0], id: 'st-demo-grocery', sessionsPerDay: 70 },
  { ...DEMO_BOTS[1], id: 'st-demo-insurance', sessionsPerDay: 40 },
];
const IDS = [...DEMO_BOTS.map((b) => b.id), ...EXTRA_BOTS.map((b) => b.id)];
// 20 placements of 5 bots, as a dashboard listing would hold them.
const PLACEMENTS = Array.from({ length: 20 }, (_, i) => IDS[i % IDS.length]);

let stack: Stack;
let bots: Awaited<ReturnType<typeof startBotsSubgraph>>;
let gateway: HiveGateway;
/** GraphQL requests the engagement subgraph received once the gateway was up (composition asked before). */
let received: SubgraphRequest[];

beforeAll(async () => {
  // Cache off: the count is this operation's calls, not what an earlier test left behind.
  stack = await startStack({ emulator: { bots: [...DEMO_BOTS, ...EXTRA_BOTS] }, env: { CACHE_MAX_BYTES: '0' } });
  bots = await startBotsSubgraph(PLACEMENTS);
  // Response caching off: this test counts what one operation costs, not what a gateway keeps.
  gateway = await startHiveGateway(
    [
      { name: 'engagement', url: `${stack.url}/graphql` },
      { name: 'bots', url: bots.url },
    ],
    { responseCaching: false },
  );
  received = recordSubgraphRequests(stack.server.httpServer);
});

afterAll(async () => {
  await gateway?.close();
  await bots?.close();
  await stack?.close();
});

const today = todayIn('UTC', testNow()); // the stack's clock (test/helpers/clock.ts)
const RANGE = { start: isoDate(today - 14), end: isoDate(today - 1) };
type Trend = { summary: { uniqueUsers: number; newUsers: number }; series: { uniqueUsers: Array<{ date: string; users: number }> } };
const TREND = 'summary { uniqueUsers newUsers } series { uniqueUsers { date users } }';

describe('Hive Gateway in front of the subgraph', () => {
  it('serves 20 Bot entities of 5 distinct ids with the direct numbers, one upstream call per distinct question', async () => {
    const from = stack.emulator!.calls.length;
    const res = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        query: `query($r: DateRangeInput!) { bots { id name engagementTrend(range: $r) { ${TREND} } } }`,
        variables: { r: RANGE },
      }),
    });
    const result = (await res.json()) as {
      data?: { bots: Array<{ id: string; name: string; engagementTrend: Trend }> };
      errors?: unknown[];
    };
    expect(result.errors).toBeUndefined();
    const bots = result.data!.bots;
    expect(bots.map((b) => b.id)).toEqual(PLACEMENTS);

    // Exactly one call per distinct (bot, range): the loaders de-duplicate whatever the gateway batches.
    const calls = trendCalls(stack.emulator!, from);
    expect(calls).toHaveLength(IDS.length);
    expect(new Set(calls.map((c) => c.botId))).toEqual(new Set(IDS));
    // The gateway batched the 20 references into one `_entities` request to this subgraph.
    const toEngagement = received.map((r) => r.query);
    expect(toEngagement).toHaveLength(1);
    expect(toEngagement[0]).toContain('_entities(representations: $representations)');

    for (const id of IDS) {
      const direct = await stack.gql<{ engagementTrend: Trend }>(
        `query($r: DateRangeInput!) { engagementTrend(botId: "${id}", range: $r) { ${TREND} } }`,
        {
          r: RANGE,
        },
      );
      expect(direct.body.data?.engagementTrend.series.uniqueUsers).toHaveLength(14);
      for (const bot of bots.filter((b) => b.id === id)) {
        expect(bot.name).toBe(`Bot ${id}`);
        expect(bot.engagementTrend).toEqual(direct.body.data?.engagementTrend);
      }
    }
  });
});
