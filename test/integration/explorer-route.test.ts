import { loadConfig } from '../../src/config';
import { startStack, type Stack } from '../helpers/stack';

/** GET /explore and its assets: served from this server only, switchable, off by default in production. */
describe('explorer route', () => {
  let on: Stack;
  let off: Stack;
  beforeAll(async () => {
    [on, off] = await Promise.all([startStack(), startStack({ env: { EXPLORER: 'off' } })]);
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
});
