import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream';
import { dailyAnswerFor } from '../helpers/kore-answers';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { until } from '../helpers/wait';

/**
 * Hostile bodies against the real process, as deployed (`src/index.ts`, JSON logs on stdout, the
 * operation cache off so nothing answers before execution): what only a process shows is whether it
 * survives, and whether anything reached its log at error level. Some of these once threw after the
 * response was written (a metrics hook reading an operation that was never resolved), which no
 * response status shows: an uncaught exception that ends the process.
 */

// A range that ends days before today: valid on the process's (real) clock whichever day it is.
const today = todayIn('UTC');
const GOOD = `query Good { engagementTrend(botId: "st-demo-retail", range: { start: "${isoDate(today - 9)}", end: "${isoDate(today - 3)}" }) { summary { uniqueUsers } } }`;
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

const HOSTILE: ReadonlyArray<readonly [string, string, number, string]> = [
  ['an operationName naming no operation', JSON.stringify({ query: GOOD, operationName: 'Missing' }), 400, 'OPERATION_RESOLUTION_FAILURE'],
  [
    'two operations and no operationName',
    JSON.stringify({ query: `${GOOD} query Other { __typename }` }),
    400,
    'OPERATION_RESOLUTION_FAILURE',
  ],
  [
    '10,000 levels of [[[…]]] in variables',
    `{"query":${JSON.stringify(GOOD)},"variables":{"x":${deep(10_000)}}}`,
    400,
    'OPERATION_LIMIT_EXCEEDED',
  ],
  [
    'a representation id {"toString": 1}',
    `{"query":"query($r: [_Any!]!) { _entities(representations: $r) { __typename } }","variables":{"r":[{"__typename":"Bot","id":{"toString":1}}]}}`,
    200,
    'BAD_USER_INPUT',
  ],
  [
    'a representation of an unknown type',
    `{"query":"query($r: [_Any!]!) { _entities(representations: $r) { __typename } }","variables":{"r":[{"__typename":"Nope"}]}}`,
    200,
    'BAD_USER_INPUT',
  ],
];

let fake: FakeUpstream;
let server: ServerProcess;
let exitCode: number | null | undefined;

beforeAll(async () => {
  fake = await startFakeUpstream(dailyAnswerFor);
  server = await startServerProcess({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    KORE_HOST: fake.url,
    KORE_CLIENT_ID: 'cs',
    KORE_CLIENT_SECRET: 's',
    CACHE_MAX_BYTES: '0',
  });
  void server.exited.then((code) => (exitCode = code));
}, 30_000);

afterAll(async () => {
  if (exitCode === undefined) {
    server.kill('SIGKILL');
    await server.exited;
  }
  await fake.close();
});

const post = (body: string, requestId: string) =>
  fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': requestId }, body });

/** The tail of the process's output, for a failed wait. */
const outputTail = () => server.output().slice(-2000);

const trendCalls = (from: number) => fake.requests.slice(from).filter((r) => r.path.endsWith('userEngagementTrend')).length;

const logLines = () =>
  server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string; requestId?: string });

describe('hostile bodies against the real process', () => {
  it.each(HOSTILE)('%s: answered, no upstream call, nothing at error level, and the process lives on', async (name, body, status, code) => {
    const from = fake.requests.length;
    const res = await post(body, `hostile-${name.replace(/\W+/g, '-')}`.slice(0, 64));
    expect(res.status).toBe(status);
    expect(((await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> }).errors?.[0]?.extensions?.code).toBe(code);
    expect(trendCalls(from)).toBe(0);

    // A good request afterwards: the same process answers it, calls upstream once, and its log line
    // shows that everything the hostile request caused has been written (stdout is in order).
    const control = `control-after-${from}-${name.length}`;
    const ok = await post(JSON.stringify({ query: GOOD.replace('Good', 'Control') }), control);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { errors?: unknown }).errors).toBeUndefined();
    await until(() => logLines().some((l) => l.requestId === control), { what: 'the control request to be logged', detail: outputTail });
    expect(exitCode).toBeUndefined();
    expect(logLines().filter((l) => l.level >= 50)).toEqual([]);
    // Caches are off: the control's one call, and none for the hostile request.
    expect(trendCalls(from)).toBe(1);
  });
});
