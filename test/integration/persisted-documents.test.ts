import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExplorerTrendQueryVariables } from '../../src/explorer/page/generated';
import { EXPLORER_DOCUMENT_ID } from '../../src/server/persisted-documents';
import { codes, startStack, trendCalls, type GraphQLResult, type Stack } from '../helpers/stack';

/**
 * PERSISTED_DOCUMENTS over real HTTP and the built-in upstream: what `require` refuses (before
 * parsing, without an upstream call, counted), what it serves by id (the same numbers as the text),
 * `allow` taking both, `off` keeping automatic persisted queries, the explorer page under `require`,
 * and the shipped manifest being what Apollo's tool generates.
 */

const ROOT = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'eg-pd-'));
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A dashboard's operation, trusted through PERSISTED_DOCUMENTS_MANIFEST. */
const DASHBOARD = `query Dashboard($botId: ID!) {
  engagementTrend(botId: $botId, range: { start: "2025-11-03", end: "2025-11-09" }) {
    summary { uniqueUsers newUsers returningUsers }
    series { uniqueUsers { date users } }
  }
}`;
const DASHBOARD_ID = sha256(DASHBOARD);
const MANIFEST = join(dir, 'dashboards.json');
writeFileSync(
  MANIFEST,
  JSON.stringify({
    format: 'apollo-persisted-query-manifest',
    version: 1,
    operations: [{ id: DASHBOARD_ID, name: 'Dashboard', type: 'query', body: DASHBOARD }],
  }),
);

const byId = (id: string) => ({ persistedQuery: { version: 1, sha256Hash: id } });

async function post(
  stack: Stack,
  body: unknown,
): Promise<{ status: number; headers: Headers; body: GraphQLResult<Record<string, unknown>> }> {
  const res = await fetch(`${stack.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as GraphQLResult<Record<string, unknown>> };
}

async function refusals(stack: Stack, kind: string): Promise<number> {
  const text = await (await fetch(`${stack.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`eg_refusals_total{kind="${kind}"} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/** `__typename` is in the manifest's bodies (the tool adds it, as Apollo Client does): left out to compare numbers. */
const withoutTypename = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value), (key, v: unknown) => (key === '__typename' ? undefined : v));

describe('trusted documents', () => {
  let off: Stack;
  let allow: Stack;
  let require: Stack;
  beforeAll(async () => {
    [off, allow, require] = await Promise.all([
      startStack(),
      startStack({ env: { PERSISTED_DOCUMENTS: 'allow', PERSISTED_DOCUMENTS_MANIFEST: MANIFEST } }),
      startStack({ env: { PERSISTED_DOCUMENTS: 'require', PERSISTED_DOCUMENTS_MANIFEST: MANIFEST } }),
    ]);
  });
  afterAll(async () => Promise.all([off, allow, require].map((s) => s.close())));

  it('require refuses free text and unknown ids before parsing, with no upstream call, counted as refusals', async () => {
    const before = require.emulator!.calls.length;
    const text = await post(require, { query: DASHBOARD, variables: { botId: 'st-demo-retail' } });
    expect([text.status, codes(text.body), text.body.data]).toEqual([400, ['PERSISTED_QUERY_ID_REQUIRED'], undefined]);
    // Not even parsed: a document that would not parse gets the same answer, not GRAPHQL_PARSE_FAILED.
    const broken = await post(require, { query: '{ engagementTrend(' });
    expect([broken.status, codes(broken.body)]).toEqual([400, ['PERSISTED_QUERY_ID_REQUIRED']]);
    const unknown = await post(require, { variables: { botId: 'st-demo-retail' }, extensions: byId(sha256('{ __typename }')) });
    expect([unknown.status, codes(unknown.body)]).toEqual([404, ['PERSISTED_QUERY_NOT_IN_LIST']]);
    expect(unknown.headers.get('cache-control')).toBe('no-store, max-age=0');
    const viaGet = await fetch(`${require.url}/graphql?query=${encodeURIComponent(DASHBOARD)}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect([viaGet.status, codes((await viaGet.json()) as GraphQLResult<unknown>)]).toEqual([400, ['PERSISTED_QUERY_ID_REQUIRED']]);

    // APQ is off: sending a document with its hash registers nothing, and the hash stays unknown.
    const other = '{ bot(id: "st-demo-retail") { id } }';
    const register = await post(require, { query: other, extensions: byId(sha256(other)) });
    expect([register.status, codes(register.body)]).toEqual([400, ['CANNOT_SEND_PQ_ID_AND_BODY']]);
    expect(codes((await post(require, { extensions: byId(sha256(other)) })).body)).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);

    expect(require.emulator!.calls.length).toBe(before);
    expect(await refusals(require, 'persisted-document:id-required')).toBe(3);
    expect(await refusals(require, 'persisted-document:not-in-list')).toBe(2);
    expect(await refusals(require, 'persisted-document:id-and-body')).toBe(1);
  });

  it('require serves a manifest document by id, over POST and GET, with the numbers the text gives', async () => {
    const variables = { botId: 'st-demo-retail' };
    const expected = await off.gql(DASHBOARD, variables);
    expect(expected.body.errors).toBeUndefined();
    const summary = (expected.body.data as { engagementTrend: { summary: { uniqueUsers: number } } }).engagementTrend.summary;
    expect(summary.uniqueUsers).toBeGreaterThan(0);

    const before = require.emulator!.calls.length;
    const served = await post(require, { operationName: 'Dashboard', variables, extensions: byId(DASHBOARD_ID) });
    expect(served.status).toBe(200);
    expect(served.body).toEqual(expected.body);
    // One upstream call, for the manifest's question (not anything the client could have sent).
    const calls = trendCalls(require.emulator!, before);
    expect(calls).toHaveLength(1);
    expect(calls[0].query).toMatchObject({ start_date: '2025-11-03', end_date: '2025-11-09' });

    const search = new URLSearchParams({ variables: JSON.stringify(variables), extensions: JSON.stringify(byId(DASHBOARD_ID)) });
    const get = await fetch(`${require.url}/graphql?${search}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual(expected.body);
  });

  it('allow runs manifest ids and free text alike, and still refuses unknown ids', async () => {
    const variables = { botId: 'st-demo-travel' };
    const text = await allow.gql(DASHBOARD, variables);
    const id = await post(allow, { variables, extensions: byId(DASHBOARD_ID) });
    expect(text.body.errors).toBeUndefined();
    expect(id.body).toEqual(text.body);
    const other = await allow.gql('{ bot(id: "st-demo-travel") { id } }');
    expect(other.body.data).toEqual({ bot: { id: 'st-demo-travel' } });
    const unknown = await post(allow, { extensions: byId('0'.repeat(64)) });
    expect([unknown.status, codes(unknown.body)]).toEqual([404, ['PERSISTED_QUERY_NOT_IN_LIST']]);
  });

  it('off is unchanged: automatic persisted queries register a hash and then run it by id', async () => {
    const query = '{ bot(id: "st-demo-retail") { id } }';
    const first = await post(off, { extensions: byId(sha256(query)) });
    expect(codes(first.body)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect((await post(off, { query, extensions: byId(sha256(query)) })).body.data).toEqual({ bot: { id: 'st-demo-retail' } });
    expect((await post(off, { extensions: byId(sha256(query)) })).body.data).toEqual({ bot: { id: 'st-demo-retail' } });
    const text = await (await fetch(`${off.url}/explore`)).text();
    expect(text).not.toContain('"documentId"');
  });

  it('the explorer works under require: the page is told its id and that id runs the page’s operation', async () => {
    const html = await (await fetch(`${require.url}/explore`)).text();
    expect(html).toContain(`"documentId":"${EXPLORER_DOCUMENT_ID}"`);
    const variables: ExplorerTrendQueryVariables = {
      botId: 'st-demo-retail',
      range: { start: '2025-11-01', end: '2025-11-14' },
      filters: { timeZone: 'UTC' },
      withHourly: true,
      unit: 'WEEK',
    };
    // Exactly what src/explorer/page/api.ts sends with a documentId.
    const served = await post(require, { operationName: 'ExplorerTrend', variables, extensions: byId(EXPLORER_DOCUMENT_ID!) });
    expect(served.status).toBe(200);
    expect(served.body.errors).toBeUndefined();
    const page = readFileSync(join(ROOT, 'src', 'explorer', 'page', 'explorer.graphql'), 'utf8');
    const expected = await off.gql(page, variables);
    // Each server fetched its own answers and keeps its own budget: the numbers are equal, each
    // answer's fetch time and each budget its own server's.
    type Own = {
      engagementTrend: { freshness?: { asOf: string; stale: boolean } };
      bot: { id: string; upstreamBudget?: { minute: { limit: number } } };
    };
    const [got, want] = [withoutTypename(served.body.data), expected.body.data].map((d) => structuredClone(d) as Own);
    expect(got.engagementTrend.freshness).toMatchObject({ stale: false, asOf: expect.any(String) });
    expect(got.bot).toMatchObject({
      id: 'st-demo-retail',
      upstreamBudget: { minute: { limit: require.config.resilience.budgetPerMinute } },
    });
    for (const own of [got, want]) {
      delete own.engagementTrend.freshness;
      delete own.bot.upstreamBudget;
    }
    expect(got).toEqual(want);
  });

  it('src/explorer/persisted-query-manifest.json is what @apollo/generate-persisted-query-manifest writes (npm run documents:emit)', () => {
    const config = JSON.parse(readFileSync(join(ROOT, 'persisted-query-manifest.config.json'), 'utf8')) as { output: string };
    const output = join(dir, 'generated.json');
    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify({ ...config, output }));
    // The tool's own CLI in a child process, from the root (its globs are relative to the working directory).
    const run = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules', '.bin', 'generate-persisted-query-manifest'), '--config', configPath],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(run.status).toBe(0);
    expect(readFileSync(join(ROOT, config.output), 'utf8')).toBe(readFileSync(output, 'utf8'));
  }, 60_000);
});
