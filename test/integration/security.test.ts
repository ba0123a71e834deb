import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { parse } from 'graphql';
import { startEmulator, type Emulator } from '../../src/emulator/emulator.server';
import { bearer, callerToken, JWT_ENV } from '../helpers/caller-tokens';
import { codes, startStack, trendCalls, type Stack } from '../helpers/stack';

/** Per-bot authorization, Apollo Router-style forwarding, per-bot Kore.ai apps, production hygiene. */

const RANGE = { start: '2025-12-01', end: '2025-12-07' };
const SUMMARY = (alias: string, bot: string) =>
  `${alias}: engagementTrend(botId: "${bot}", range: { start: "${RANGE.start}", end: "${RANGE.end}" }) { summary { uniqueUsers } }`;

describe('per-bot authorization', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { ...JWT_ENV, CACHE_MAX_BYTES: '0' } });
  });
  afterAll(() => stack.close());

  it('answers the bots a token lists and refuses the others field by field, calling upstream only for the allowed', async () => {
    const from = stack.emulator!.calls.length;
    const { status, body } = await stack.gql<Record<string, { summary: { uniqueUsers: number } } | null>>(
      `{ ${SUMMARY('retail', 'st-demo-retail')} ${SUMMARY('banking', 'st-demo-banking')} ${SUMMARY('travel', 'st-demo-travel')} }`,
      {},
      bearer(callerToken({ bots: ['st-demo-retail', 'st-demo-travel'] })),
    );
    expect(status).toBe(200);
    expect(codes(body)).toEqual(['FORBIDDEN']);
    expect(body.errors?.[0].path).toEqual(['banking']);
    expect(body.data?.banking).toBeNull();
    expect(body.data?.retail?.summary.uniqueUsers).toBeGreaterThan(0);
    expect(body.data?.travel?.summary.uniqueUsers).toBeGreaterThan(0);
    expect(
      trendCalls(stack.emulator!, from)
        .map((c) => c.botId)
        .sort(),
    ).toEqual(['st-demo-retail', 'st-demo-travel']);
  });

  it('reads every bot with bots: "*"', async () => {
    const { body } = await stack.gql(`{ ${SUMMARY('banking', 'st-demo-banking')} }`, {}, bearer(callerToken({ bots: '*' })));
    expect(body.errors).toBeUndefined();
  });

  it('keeps the rest of the operation when one bot is refused (nullable Query.bot)', async () => {
    const from = stack.emulator!.calls.length;
    const q = (bot: string) =>
      `${bot.replace(/-/g, '_')}: bot(id: "${bot}") { id engagementTrend(range: { start: "${RANGE.start}", end: "${RANGE.end}" }) { summary { uniqueUsers } } }`;
    const { body } = await stack.gql<Record<string, { id: string; engagementTrend: { summary: { uniqueUsers: number } } } | null>>(
      `{ ${q('st-demo-retail')} ${q('st-demo-banking')} }`,
      {},
      bearer(callerToken()),
    );
    expect(body.data?.st_demo_retail?.engagementTrend.summary.uniqueUsers).toBeGreaterThan(0);
    expect(body.data?.st_demo_banking).toBeNull();
    expect(codes(body)).toEqual(['FORBIDDEN']);
    expect(trendCalls(stack.emulator!, from).map((c) => c.botId)).toEqual(['st-demo-retail']);
  });

  it('checks every _entities representation: allowed bots resolve, others are FORBIDDEN entities', async () => {
    const from = stack.emulator!.calls.length;
    const reps = ['st-demo-retail', 'st-demo-banking', 'st-demo-retail'].map((id) => ({ __typename: 'Bot', id }));
    const { body } = await stack.gql<{ _entities: Array<{ id: string; engagementTrend: { summary: { uniqueUsers: number } } } | null> }>(
      `query($r: [_Any!]!, $range: DateRangeInput!) { _entities(representations: $r) { ... on Bot { id engagementTrend(range: $range) { summary { uniqueUsers } } } } }`,
      { r: reps, range: RANGE },
      bearer(callerToken()),
    );
    expect(body.data?._entities.map((e) => e?.id ?? null)).toEqual(['st-demo-retail', null, 'st-demo-retail']);
    expect(body.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([['FORBIDDEN', ['_entities', 1]]]);
    expect(trendCalls(stack.emulator!, from)).toHaveLength(1);
  });

  it('serves the Sandbox page to a browser without a token, but runs nothing without one', async () => {
    const page = await fetch(`${stack.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    const query = await fetch(`${stack.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'text/html', 'apollo-require-preflight': 'true' },
    });
    expect(query.status).toBe(401);
  });
});

describe('behind a router', () => {
  const ROUTER_SECRET = 'router-shared-secret-for-tests';
  let stack: Stack;
  let gateway: ApolloServer;
  let gatewayUrl: string;

  beforeAll(async () => {
    stack = await startStack({ env: { ...JWT_ENV, ROUTER_SECRET, CACHE_MAX_BYTES: '0' } });
    const sdlRes = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-router-secret': ROUTER_SECRET, authorization: `Bearer ${callerToken()}` },
      body: JSON.stringify({ query: '{ _service { sdl } }' }),
    });
    const sdl = ((await sdlRes.json()) as { data: { _service: { sdl: string } } }).data._service.sdl;
    const composed = composeServices([{ name: 'engagement', url: `${stack.url}/graphql`, typeDefs: parse(sdl) }]);
    if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
    // What Apollo Router's `headers` config does: propagate Authorization, insert the shared secret.
    gateway = new ApolloServer<{ authorization?: string }>({
      gateway: new ApolloGateway({
        supergraphSdl: composed.supergraphSdl,
        buildService: ({ url }) =>
          new RemoteGraphQLDataSource<{ authorization?: string }>({
            url,
            willSendRequest({ request, context }) {
              if (context.authorization) request.http?.headers.set('authorization', context.authorization);
              request.http?.headers.set('x-router-secret', ROUTER_SECRET);
            },
          }),
      }),
    });
    gatewayUrl = (
      await startStandaloneServer(gateway, {
        listen: { port: 0, host: '127.0.0.1' },
        context: async ({ req }) => ({ authorization: req.headers.authorization }),
      })
    ).url;
  });
  afterAll(async () => {
    await gateway?.stop();
    await stack?.close();
  });

  const viaRouter = async (query: string, authorization?: string) => {
    const res = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({ query }),
    });
    return (await res.json()) as { data?: Record<string, unknown> | null; errors?: Array<{ extensions?: Record<string, unknown> }> };
  };

  it('accepts the caller token the router forwards, and applies its bots', async () => {
    const from = stack.emulator!.calls.length;
    const ok = await viaRouter(`{ ${SUMMARY('retail', 'st-demo-retail')} }`, `Bearer ${callerToken()}`);
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.retail).toMatchObject({ summary: { uniqueUsers: expect.any(Number) } });
    const refused = await viaRouter(
      `{ bot(id: "st-demo-banking") { engagementTrend(range: { start: "${RANGE.start}", end: "${RANGE.end}" }) { summary { uniqueUsers } } } }`,
      `Bearer ${callerToken()}`,
    );
    expect(refused.data?.bot).toBeNull();
    expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(trendCalls(stack.emulator!, from).map((c) => c.botId)).toEqual(['st-demo-retail']);
  });

  it('without a caller token, the router relays UNAUTHENTICATED', async () => {
    const result = await viaRouter(`{ ${SUMMARY('retail', 'st-demo-retail')} }`);
    expect(JSON.stringify(result)).toMatch(/UNAUTHENTICATED|401/);
    expect(result.data?.retail ?? null).toBeNull();
  });

  it('refuses anyone going around the router, even with a valid token', async () => {
    const from = stack.emulator!.calls.length;
    for (const secret of [undefined, 'router-shared-secret-for-test', `${ROUTER_SECRET}x`]) {
      const res = await fetch(`${stack.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${callerToken()}`,
          ...(secret ? { 'x-router-secret': secret } : {}),
        },
        body: JSON.stringify({ query: `{ ${SUMMARY('retail', 'st-demo-retail')} }` }),
      });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { errors: Array<{ extensions: Record<string, unknown> }> }).errors[0].extensions).toEqual({
        code: 'UNAUTHENTICATED',
        reason: 'router-secret',
      });
    }
    expect(trendCalls(stack.emulator!, from)).toHaveLength(0);
    // Probes do not go through the router.
    expect((await fetch(`${stack.url}/healthz`)).status).toBe(200);
  });
});

describe('Kore.ai credentials per bot', () => {
  let eu: Emulator;
  let us: Emulator;
  let stack: Stack;
  const dir = mkdtempSync(join(tmpdir(), 'eg-creds-'));

  beforeAll(async () => {
    eu = await startEmulator({ apps: [{ clientId: 'cs-eu', clientSecret: 'eu-secret-value', bots: ['st-demo-retail'] }] });
    us = await startEmulator({ apps: [{ clientId: 'cs-us', clientSecret: 'us-secret-value', bots: ['st-demo-banking'] }] });
    writeFileSync(join(dir, 'us.secret'), 'us-secret-value\n');
    const file = join(dir, 'credentials.json');
    writeFileSync(
      file,
      JSON.stringify({
        'st-demo-retail': { host: eu.url, clientId: 'cs-eu', clientSecret: 'eu-secret-value' },
        'st-demo-banking': { host: us.url, clientId: 'cs-us', clientSecretFile: 'us.secret', apiVersion: 'v1' },
      }),
    );
    stack = await startStack({ upstreamUrl: 'http://127.0.0.1:9', env: { KORE_CREDENTIALS_FILE: file, CACHE_MAX_BYTES: '0' } });
  });
  afterAll(async () => {
    await stack?.close();
    await eu?.close();
    await us?.close();
  });

  it('calls each bot on its own host, as its own app, in its own API version', async () => {
    const { body } = await stack.gql<{ a: { series: { uniqueUsers: unknown[] } }; b: { series: { uniqueUsers: unknown[] } } }>(
      `{ a: engagementTrend(botId: "st-demo-retail", range: { start: "${RANGE.start}", end: "${RANGE.end}" }) { series { uniqueUsers { users } } }
         b: engagementTrend(botId: "st-demo-banking", range: { start: "${RANGE.start}", end: "${RANGE.end}" }) { series { uniqueUsers { users } } } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.a.series.uniqueUsers).toHaveLength(7);
    expect(body.data?.b.series.uniqueUsers).toHaveLength(7);
    // Each emulator only knows its own app and bot: a wrong pairing would have been a 401.
    expect(trendCalls(eu).map((c) => [c.botId, c.version, c.status])).toEqual([['st-demo-retail', 'v2', 200]]);
    expect(trendCalls(us).map((c) => [c.botId, c.version, c.status])).toEqual([['st-demo-banking', 'v1', 200]]);
  });

  it('refuses a bot no app is configured for, without calling anyone', async () => {
    const { body } = await stack.gql(`{ ${SUMMARY('travel', 'st-demo-travel')} }`);
    expect(codes(body)).toEqual(['BOT_NOT_CONFIGURED']);
    expect(trendCalls(eu).length + trendCalls(us).length).toBe(1 + 1);
  });

  it('never writes the client secrets to logs', () => {
    const all = stack.logs.join('');
    expect(all).not.toContain('eu-secret-value');
    expect(all).not.toContain('us-secret-value');
  });
});

describe('production hygiene', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { NODE_ENV: 'production', AUTH_MODE: 'none', USE_BUILTIN_UPSTREAM: 'true', INTROSPECTION: 'false' } });
  });
  afterAll(() => stack.close());

  it('hides field suggestions, stack traces and the schema', async () => {
    const typo = await stack.gql('{ engagementTrends { botId } }');
    expect(typo.status).toBe(400);
    expect(JSON.stringify(typo.body)).not.toMatch(/Did you mean|engagementTrend"/);
    const introspection = await stack.gql('{ __schema { types { name } } }');
    expect(introspection.status).toBe(400);
    const bad = await stack.gql(`{ engagementTrend(botId: "x y", range: { start: "2025-12-01", end: "2025-12-02" }) { botId } }`);
    expect(JSON.stringify([typo.body, introspection.body, bad.body])).not.toMatch(/stacktrace|at \w+ \(/);
  });
});
