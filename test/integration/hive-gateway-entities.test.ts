import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { composeServices } from '@theguild/federation-composition';
import { parse, print, type DocumentNode } from 'graphql';
import { DEMO_BOTS, type BotProfile } from '../../src/emulator/world';
import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { testNow } from '../helpers/clock';
import { startStack, trendCalls, type Stack } from '../helpers/stack';

/**
 * The second gateway (issue 17): the subgraph composed by @theguild/federation-composition with a
 * bots subgraph and served by Hive Gateway's runtime. 20 bot references of 5 distinct ids come back
 * with the numbers direct queries give, for exactly one upstream call per distinct question.
 *
 * The gateway is started here, minimally (test/helpers/hive-gateway.ts is being written in parallel;
 * the two are to be folded). Hive Gateway loads its subgraph transport by kind at run time
 * (`@graphql-mesh/transport-http`, not installed here), so this test gives it the `http` kind as a
 * small fetch-based executor: one POST of the delegated document per subgraph request, as the
 * gateway plans them (its entity batching and planning are the gateway's own).
 */

const EXTRA_BOTS: BotProfile[] = [
  { ...DEMO_BOTS[0], id: 'st-demo-grocery', sessionsPerDay: 70 },
  { ...DEMO_BOTS[1], id: 'st-demo-insurance', sessionsPerDay: 40 },
];
const IDS = [...DEMO_BOTS.map((b) => b.id), ...EXTRA_BOTS.map((b) => b.id)];
// 20 placements of 5 bots, as a dashboard listing would hold them.
const PLACEMENTS = Array.from({ length: 20 }, (_, i) => IDS[i % IDS.length]);
const BOTS_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Query { bots: [Bot!]! }
  type Bot @key(fields: "id") { id: ID! name: String! }
`;

interface Delegated {
  readonly document: DocumentNode;
  readonly variables?: Record<string, unknown>;
  readonly operationName?: string;
}
/** The part of @graphql-hive/gateway-runtime this test uses. */
interface GatewayRuntime {
  (req: IncomingMessage, res: ServerResponse): void;
  dispose(): Promise<void>;
}
type CreateGatewayRuntime = (config: {
  supergraph: string;
  logging: boolean;
  transports: Record<
    string,
    { getSubgraphExecutor: (opts: { transportEntry: { location?: string } }) => (request: Delegated) => Promise<unknown> }
  >;
}) => GatewayRuntime;
// Required, not imported: its types pull in @whatwg-node/fetch's `lib="dom"`, which retypes the
// global fetch for the whole program (tsc then refuses Buffer bodies in other tests).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createGatewayRuntime } = require('@graphql-hive/gateway-runtime') as { createGatewayRuntime: CreateGatewayRuntime };

let stack: Stack;
let botsServer: ApolloServer;
let gateway: GatewayRuntime;
let gatewayServer: Server;
let gatewayUrl: string;
/** Documents the gateway sent to the engagement subgraph. */
const toEngagement: string[] = [];

beforeAll(async () => {
  // Cache off: the count is this operation's calls, not what an earlier test left behind.
  stack = await startStack({ emulator: { bots: [...DEMO_BOTS, ...EXTRA_BOTS] }, env: { CACHE_MAX_BYTES: '0' } });
  botsServer = new ApolloServer({
    plugins: [ApolloServerPluginInlineTraceDisabled()],
    schema: buildSubgraphSchema([
      {
        typeDefs: parse(BOTS_SDL),
        resolvers: {
          Query: { bots: () => PLACEMENTS.map((id) => ({ id })) },
          Bot: { name: (bot: { id: string }) => `Bot ${bot.id}`, __resolveReference: (ref: { id: string }) => ref },
        },
      },
    ]),
  });
  const botsUrl = (await startStandaloneServer(botsServer, { listen: { port: 0, host: '127.0.0.1' } })).url;

  // Composed from what each subgraph says it is ({ _service { sdl } }), as a schema registry would.
  const sdlOf = async (url: string) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ _service { sdl } }' }),
    });
    return ((await res.json()) as { data: { _service: { sdl: string } } }).data._service.sdl;
  };
  const engagementUrl = `${stack.url}/graphql`;
  const composed = composeServices([
    { name: 'engagement', url: engagementUrl, typeDefs: parse(await sdlOf(engagementUrl)) },
    { name: 'bots', url: botsUrl, typeDefs: parse(await sdlOf(botsUrl)) },
  ]);
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));

  gateway = createGatewayRuntime({
    supergraph: composed.supergraphSdl,
    logging: false,
    transports: {
      http: {
        getSubgraphExecutor:
          ({ transportEntry }) =>
          async (request: Delegated) => {
            const query = print(request.document);
            if (transportEntry.location === engagementUrl) toEngagement.push(query);
            const res = await fetch(transportEntry.location as string, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ query, variables: request.variables, operationName: request.operationName }),
            });
            return res.json();
          },
      },
    },
  });
  gatewayServer = createServer(gateway);
  await new Promise<void>((resolve) => gatewayServer.listen(0, '127.0.0.1', resolve));
  gatewayUrl = `http://127.0.0.1:${(gatewayServer.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  await new Promise((resolve) => gatewayServer?.close(resolve));
  await gateway?.dispose();
  await botsServer?.stop();
  await stack?.close();
});

const today = todayIn('UTC', testNow()); // the stack's clock (test/helpers/clock.ts)
const RANGE = { start: isoDate(today - 14), end: isoDate(today - 1) };
type Trend = { summary: { uniqueUsers: number; newUsers: number }; series: { uniqueUsers: Array<{ date: string; users: number }> } };
const TREND = 'summary { uniqueUsers newUsers } series { uniqueUsers { date users } }';

describe('Hive Gateway in front of the subgraph', () => {
  it('serves 20 Bot entities of 5 distinct ids with the direct numbers, one upstream call per distinct question', async () => {
    const from = stack.emulator!.calls.length;
    const res = await fetch(gatewayUrl, {
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
