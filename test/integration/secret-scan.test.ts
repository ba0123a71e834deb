import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callerToken, ISSUER, AUDIENCE } from '../helpers/caller-tokens';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream';
import { startStack, type Stack } from '../helpers/stack';
import jwt from 'jsonwebtoken';

/**
 * Every configured secret, every token, and an upstream that echoes what it was sent into its
 * error bodies: after a mixed run of good, refused and failing requests, nothing secret appears
 * in any response (bodies and headers), any log line, /metrics, /healthz, /readyz or the schema.
 */

const KORE_SECRET = 'kore-client-secret-SCAN-1a2b3c';
const CALLER_SECRET = 'caller-signing-secret-SCAN-4d5e6f-0123456789';
const ROUTER_SECRET = 'router-shared-secret-SCAN-7g8h9i';
const FILE_SECRET = 'file-client-secret-SCAN-0j1k2l';
const UPSTREAM_MARKER = 'UPSTREAM-BODY-SCAN-MARKER';
const SECRETS = [KORE_SECRET, CALLER_SECRET, ROUTER_SECRET, FILE_SECRET, UPSTREAM_MARKER];

let fake: FakeUpstream;
let stack: Stack;
const seen: string[] = [];

beforeAll(async () => {
  // Echoes the request's headers (its `auth` token included) into error bodies, as a careless proxy might.
  fake = await startFakeUpstream((req) => {
    if (req.path.includes('st-fail-401'))
      return { status: 401, body: { errors: [{ msg: `${UPSTREAM_MARKER} bad token ${String(req.headers.auth)}`, code: 4002 }] } };
    if (req.path.includes('st-fail-500')) return { status: 500, raw: `<html>${UPSTREAM_MARKER} ${JSON.stringify(req.headers)}</html>` };
    if (req.path.includes('st-fail-junk')) return { status: 200, raw: `{"summary": "${UPSTREAM_MARKER} ${String(req.headers.auth)}"}` };
    return {
      status: 200,
      body: {
        summary: {
          uniqueUsers: 1,
          newUsers: 1,
          returningUsers: 0,
          avgUniqueUsersPerDay: 1,
          avgNewUsersPerDay: 1,
          avgReturningUsersPerDay: 0,
        },
      },
    };
  });
  const dir = mkdtempSync(join(tmpdir(), 'eg-scan-'));
  writeFileSync(join(dir, 'file.secret'), `${FILE_SECRET}\n`);
  writeFileSync(
    join(dir, 'credentials.json'),
    JSON.stringify({ 'st-from-file': { host: fake.url, clientId: 'cs-file', clientSecretFile: 'file.secret' } }),
  );
  stack = await startStack({
    upstreamUrl: fake.url,
    env: {
      KORE_HOST: fake.url,
      KORE_CLIENT_ID: 'cs-scan',
      KORE_CLIENT_SECRET: KORE_SECRET,
      KORE_CREDENTIALS_FILE: join(dir, 'credentials.json'),
      AUTH_MODE: 'jwt',
      AUTH_JWT_SECRET: CALLER_SECRET,
      AUTH_JWT_ISSUER: ISSUER,
      AUTH_JWT_AUDIENCE: AUDIENCE,
      ROUTER_SECRET,
      RETRY_MAX_ATTEMPTS: '1',
      CACHE_MAX_BYTES: '0',
      LOG_LEVEL: 'trace',
    },
  });
});
afterAll(async () => {
  await stack?.close();
  await fake?.close();
});

const good = (bots: unknown = '*') => callerToken({ bots }, {}, CALLER_SECRET);

async function exchange(path: string, init: RequestInit = {}): Promise<void> {
  const res = await fetch(`${stack.url}${path}`, init);
  seen.push(`${res.status} ${JSON.stringify([...res.headers])} ${await res.text()}`);
}

const post = (query: string, headers: Record<string, string>, variables: Record<string, unknown> = {}) =>
  exchange('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
const trend = (bot: string) =>
  `{ engagementTrend(botId: "${bot}", range: { start: "2025-12-01", end: "2025-12-03" }) { summary { uniqueUsers } } }`;

describe('secrets never leak', () => {
  it('appear in no response, log line, metric, probe or schema after a mixed run', async () => {
    const routed = { 'x-router-secret': ROUTER_SECRET };
    const tokens = [
      good(),
      good(['st-ok']),
      callerToken({}, { expiresIn: -3600 }, CALLER_SECRET),
      jwt.sign({ bots: '*' }, 'wrong-secret-wrong-secret-wrong-secret'),
    ];
    for (const bot of ['st-ok', 'st-fail-401', 'st-fail-500', 'st-fail-junk', 'st-from-file', 'bad bot'])
      await post(trend(bot), { ...routed, authorization: `Bearer ${tokens[0]}` });
    await post(trend('st-other'), { ...routed, authorization: `Bearer ${tokens[1]}` }); // FORBIDDEN
    await post(trend('st-ok'), { ...routed, authorization: `Bearer ${tokens[2]}` }); // expired
    await post(trend('st-ok'), { ...routed, authorization: `Bearer ${tokens[3]}` }); // bad signature
    await post(trend('st-ok'), { authorization: `Bearer ${tokens[0]}`, 'x-router-secret': `${ROUTER_SECRET}-wrong` }); // router secret wrong
    await post(`{ ${'__typename '.repeat(1500)}}`, { ...routed, authorization: `Bearer ${tokens[0]}` }); // token limit
    await post('{ _service { sdl } }', { ...routed, authorization: `Bearer ${tokens[0]}` });
    await post('{ __schema { types { name description } } }', { ...routed, authorization: `Bearer ${tokens[0]}` });
    for (const path of ['/metrics', '/healthz', '/readyz']) await exchange(path);

    // The run did what it says: the upstream was reached as both apps, and refused requests were refused.
    expect(fake.requests.length).toBeGreaterThanOrEqual(5);
    expect(seen.join('\n')).toMatch(/FORBIDDEN[\s\S]*UNAUTHENTICATED/);
    const everything = [...seen, ...stack.logs].join('\n');
    for (const secret of [...SECRETS, ...tokens]) expect(everything).not.toContain(secret);
    // No JWT at all: not the callers', not the ones minted for Kore.ai (echoed back by the fake).
    expect(everything).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]*/);
  });
});
