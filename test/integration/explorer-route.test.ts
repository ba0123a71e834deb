import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import type { ExplorerTrendQuery, ExplorerTrendQueryVariables } from '../../src/explorer/page/generated';
import { codes, startStack, trendCalls, type Stack } from '../helpers/stack';

/** The page's one operation, exactly as the page sends it. */
const PAGE_OPERATION = readFileSync(join(__dirname, '..', '..', 'src', 'explorer', 'page', 'explorer.graphql'), 'utf8');

/**
 * GET /explore and its assets: served from this server only, switchable, off by default in
 * production; and the page's operation fits the default cost limit at its most expensive.
 */
describe('explorer route', () => {
  let on: Stack;
  let off: Stack;
  beforeAll(async () => {
    [on, off] = await Promise.all([startStack(), startStack({ env: { EXPLORER: 'off', MAX_UPSTREAM_CALLS: '15' } })]);
  });
  afterAll(async () => Promise.all([on.close(), off.close()]));

  it('serves the page, one script and one stylesheet with a self-only CSP, and the demo bots as choices', async () => {
    const page = await fetch(`${on.url}/explore`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('"demoBots":[{"id":"st-demo-retail"');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//); // nothing from another origin
    for (const [path, type] of [
      ['/explore/explorer.js', 'text/javascript; charset=utf-8'],
      ['/explore/explorer.css', 'text/css; charset=utf-8'],
    ]) {
      const res = await fetch(`${on.url}${path}`);
      expect([res.status, res.headers.get('content-type'), res.headers.get('x-content-type-options')]).toEqual([200, type, 'nosniff']);
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/);
      expect((await res.text()).length).toBeGreaterThan(1000);
    }
  });

  it('EXPLORER=off answers 404; production leaves it off unless EXPLORER=on', async () => {
    expect((await fetch(`${off.url}/explore`)).status).toBe(404);
    expect((await fetch(`${off.url}/explore/explorer.js`)).status).toBe(404);
    const prod = { NODE_ENV: 'production', AUTH_MODE: 'none', USE_BUILTIN_UPSTREAM: 'true' };
    expect(loadConfig(prod).explorer).toBe(false);
    expect(loadConfig({ ...prod, EXPLORER: 'on' }).explorer).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development' }).explorer).toBe(true);
    expect(() => loadConfig({ EXPLORER: 'yes' })).toThrow(/EXPLORER/);
  });

  it('the page at its costliest (90 days, weekly periods) is 16 upstream calls: within 20, over 15', async () => {
    // 2025-09-03 is a Wednesday: 90 days from it overlap 14 ISO weeks, the most 90 days can.
    const variables: ExplorerTrendQueryVariables = {
      botId: 'st-demo-retail',
      range: { start: '2025-09-03', end: '2025-12-01' },
      filters: { timeZone: 'UTC' },
      withHourly: false,
      unit: 'WEEK',
    };
    const before = on.emulator!.calls.length;
    const { body } = await on.gql<ExplorerTrendQuery>(PAGE_OPERATION, variables);
    expect(body.errors).toBeUndefined();
    const trend = body.data!.engagementTrend!;
    expect(trend.range.days).toBe(90);
    expect(trend.periods).toHaveLength(14);
    // The range's daily call, the previous period's (shared by change and compare), one per week.
    expect(trendCalls(on.emulator!, before)).toHaveLength(14 + 2);
    expect(on.config.limits.maxUpstreamCalls).toBe(20); // the default

    // The cost limit counts the same 16 before anything runs: a limit of 15 refuses it for free.
    const offBefore = off.emulator!.calls.length;
    const refused = await off.gql(PAGE_OPERATION, variables);
    expect(codes(refused.body)).toEqual(['COST_LIMIT_EXCEEDED']);
    expect(refused.body.errors![0].extensions).toMatchObject({ cost: 16, max: 15 });
    expect(off.emulator!.calls.length).toBe(offBefore);
  });
});
