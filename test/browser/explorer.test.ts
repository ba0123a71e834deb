import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { TrendFullQuery } from '../generated/operations';
import { callerToken, JWT_ENV } from '../helpers/caller-tokens';
import { CHROMIUM, launchChromium, warnChromiumMissing } from '../helpers/chromium';
import { operation, startStack, type Stack } from '../helpers/stack';

/**
 * The explorer page in a real browser (Debian chromium, headless, empty profile) against a real
 * server and the built-in upstream: numbers checked against the API, charts checked as drawn
 * (chart elements and canvas pixels), errors in words, and no request leaving the server's origin.
 */

const TESTS = [
  'draws a demo bot: tiles equal the API, daily chart and 24 × days heatmap drawn',
  'an impossible range shows which argument is wrong and costs no upstream call',
  'controls live in the URL: a changed view reloads from its link; long ranges skip the heatmap',
  'with caller tokens: no token asks to sign in, another bot is "not yours", both free upstream',
  'loads nothing from outside the server',
];
if (!CHROMIUM) warnChromiumMissing('test/browser/explorer.test.ts', TESTS);
const suite = CHROMIUM ? describe : describe.skip;

const ARTIFACTS = join(__dirname, '..', '..', '.ci', 'artifacts');
const ZONE = 'America/New_York';

interface PageState {
  bot: string;
  preset: string;
  timeZone: string;
}

type Trend = NonNullable<TrendFullQuery['engagementTrend']>;

suite('engagement explorer in a real browser', () => {
  let stack: Stack;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  const requested: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    stack = await startStack();
    browser = await launchChromium(CHROMIUM as string, { locale: 'en-US', timezoneId: ZONE });
    browser.context.on('request', (request) => requested.push(request.url()));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  async function open(path: string): Promise<Page> {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${stack.url}${path}`);
    await page.waitForFunction(
      () =>
        document.getElementById('view')?.getAttribute('aria-busy') !== 'true' &&
        (document.getElementById('status')?.textContent !== '' || !document.getElementById('error')?.hidden),
      null,
      { timeout: 20_000 },
    );
    expect(problems).toEqual([]);
    return page;
  }

  /** The same question the page asked (a preset, resolved by the API), straight from the API. */
  async function apiTrend(state: PageState): Promise<Trend> {
    const { body } = await stack.gql<{ engagementTrend: Trend }>(operation('trend-full'), {
      botId: state.bot,
      range: { preset: state.preset },
      filters: { timeZone: state.timeZone },
    });
    expect(body.errors).toBeUndefined();
    return body.data!.engagementTrend;
  }

  it(TESTS[0], async () => {
    const page = await open('/explore?bot=st-demo-retail&range=7');
    const state = await page.evaluate(() => (window as unknown as { engagementExplorer: { state: PageState } }).engagementExplorer.state);
    // The browser's zone by default; the old link's `range=7` is the API's preset.
    expect(state).toMatchObject({ bot: 'st-demo-retail', timeZone: ZONE, preset: 'LAST_7_DAYS' });
    const api = await apiTrend(state);
    expect(api.range.days).toBe(7);

    // Tiles: exactly the API's numbers, as shown and as data.
    const en = new Intl.NumberFormat('en-US');
    const avg = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
    const s = api.summary!;
    for (const [key, value, perDay] of [
      ['uniqueUsers', s.uniqueUsers, s.avgUniqueUsersPerDay],
      ['newUsers', s.newUsers, s.avgNewUsersPerDay],
      ['returningUsers', s.returningUsers, s.avgReturningUsersPerDay],
    ] as const) {
      const tile = page.locator(`[data-tile=${key}]`);
      expect(await tile.locator('.value').textContent()).toBe(en.format(value));
      expect(Number(await tile.locator('.value').getAttribute('data-value'))).toBe(value);
      expect(await tile.locator('.avg').textContent()).toBe(`${avg.format(perDay)} a day on average`);
    }
    expect(s.uniqueUsers).toBeGreaterThan(0);

    // The daily chart: three series with the API's points (then the previous period, checked in
    // explorer-dashboard.test.ts), and ink on the canvas.
    const daily = await page.evaluate(() => {
      const chart = (window as unknown as { engagementExplorer: { daily: import('chart.js').Chart } }).engagementExplorer.daily;
      const canvas = chart.canvas;
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let inked = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) inked++;
      return {
        labels: chart.data.labels,
        series: chart.data.datasets.map((d) => ({ label: d.label, data: d.data })),
        inkedShare: inked / (pixels.length / 4),
      };
    });
    expect(daily.labels).toEqual(api.series.uniqueUsers.map((p) => p.date));
    expect(daily.series.slice(0, 3)).toEqual([
      { label: 'Unique', data: api.series.uniqueUsers.map((p) => p.users) },
      { label: 'New', data: api.series.newUsers!.map((p) => p.users) },
      { label: 'Returning', data: api.series.returningUsers!.map((p) => p.users) },
    ]);
    expect(daily.series).toHaveLength(4);
    expect(daily.series[3].label).toMatch(/previous 7 days/);
    expect(daily.inkedShare).toBeGreaterThan(0.01);

    // The heatmap: 24 × days cells, each with area inside the plot, each painted where it stands.
    const heat = await page.evaluate(() => {
      const chart = (window as unknown as { engagementExplorer: { heatmap: import('chart.js').Chart } }).engagementExplorer.heatmap;
      const area = chart.chartArea;
      const ratio = chart.currentDevicePixelRatio;
      const ctx = chart.canvas.getContext('2d')!;
      const cells = chart.getDatasetMeta(0).data.map((el) => {
        const { x, y, width, height } = el.getProps(['x', 'y', 'width', 'height'], true) as unknown as {
          x: number;
          y: number;
          width: number;
          height: number;
        };
        const alpha = ctx.getImageData(Math.round((x + width / 2) * ratio), Math.round((y + height / 2) * ratio), 1, 1).data[3];
        return {
          inside: x >= area.left - 1 && x + width <= area.right + 1 && y >= area.top - 1 && y + height <= area.bottom + 1,
          width,
          height,
          alpha,
        };
      });
      const values = (chart.data.datasets[0].data as unknown as Array<{ x: string; y: string; v: number }>).map((d) => [
        d.x,
        Number(d.y),
        d.v,
      ]);
      return { cells, values };
    });
    expect(heat.cells).toHaveLength(24 * 7);
    for (const cell of heat.cells) {
      expect(cell.inside).toBe(true);
      expect(cell.width).toBeGreaterThan(1);
      expect(cell.height).toBeGreaterThan(1);
      expect(cell.alpha).toBeGreaterThan(0);
    }
    expect(heat.values).toEqual(api.hourly.map((b) => [b.date, b.hour, b.uniqueUsers]));

    const shot = join(ARTIFACTS, 'explorer.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(20_000);
    await page.close();
  });

  it(TESTS[1], async () => {
    const callsBefore = stack.emulator!.calls.length;
    const page = await open('/explore?bot=st-demo-retail&range=custom&start=2025-12-10&end=2025-12-01&tz=UTC');
    expect(await page.locator('#error').isVisible()).toBe(true);
    expect(await page.locator('#error h2').textContent()).toBe('Date range is not accepted');
    expect(await page.locator('#error p').textContent()).toBe('start (2025-12-10) must not be after end (2025-12-01)');
    expect(await page.locator('#start').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#end').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('[data-tile]').count()).toBe(0);
    expect(stack.emulator!.calls.length).toBe(callsBefore);
    await page.screenshot({ path: join(ARTIFACTS, 'explorer-error.png') });

    // A time zone nobody has: the field is named and marked.
    const zone = await open('/explore?bot=st-demo-retail&range=7&tz=Mars/Olympus');
    expect(await zone.locator('#error h2').textContent()).toBe('Time zone is not accepted');
    expect(await zone.locator('#timeZone').getAttribute('aria-invalid')).toBe('true');
    expect(stack.emulator!.calls.length).toBe(callsBefore);
    await page.close();
    await zone.close();
  });

  it(TESTS[2], async () => {
    const page = await open('/explore?bot=st-demo-banking&range=7&tz=UTC');
    await page.locator('#preset').selectOption('LAST_30_DAYS');
    await page.waitForFunction(() => /\(30 days\)/.test(document.getElementById('status')?.textContent ?? ''));
    await page.locator('#conversationStatus').selectOption('CLOSED');
    await page.waitForFunction(
      () =>
        new URL(location.href).searchParams.get('status') === 'CLOSED' &&
        document.getElementById('view')?.getAttribute('aria-busy') !== 'true',
    );
    const link = page.url();
    expect(new URL(link).searchParams.get('range')).toBe('LAST_30_DAYS');
    expect(new URL(link).searchParams.get('bot')).toBe('st-demo-banking');
    const shown = await page.locator('[data-tile=uniqueUsers] .value').getAttribute('data-value');

    const again = await open(new URL(link).pathname + new URL(link).search);
    expect(await again.locator('#preset').inputValue()).toBe('LAST_30_DAYS');
    expect(await again.locator('#conversationStatus').inputValue()).toBe('CLOSED');
    expect(await again.locator('#bot').inputValue()).toBe('st-demo-banking');
    expect(await again.locator('[data-tile=uniqueUsers] .value').getAttribute('data-value')).toBe(shown);
    expect(
      await again.evaluate(
        () =>
          (window as unknown as { engagementExplorer: { heatmap: import('chart.js').Chart } }).engagementExplorer.heatmap.getDatasetMeta(0)
            .data.length,
      ),
    ).toBe(24 * 30);

    // 90 days is past the hourly cap (31): the daily chart only, and the page says why.
    await again.locator('#preset').selectOption('LAST_90_DAYS');
    await again.waitForFunction(() => /\(90 days\)/.test(document.getElementById('status')?.textContent ?? ''));
    expect(await again.locator('#heatmap-note').isVisible()).toBe(true);
    expect(
      await again.evaluate(() => (window as unknown as { engagementExplorer: { heatmap?: unknown } }).engagementExplorer.heatmap),
    ).toBeUndefined();
    expect(
      await again.evaluate(
        () =>
          (window as unknown as { engagementExplorer: { daily: import('chart.js').Chart } }).engagementExplorer.daily.data.labels?.length,
      ),
    ).toBe(90);
    await page.close();
    await again.close();
  });

  it(TESTS[3], async () => {
    const secured = await startStack({ env: JWT_ENV });
    try {
      const page = await browser.context.newPage();
      await page.goto(`${secured.url}/explore?bot=st-demo-banking&range=7&tz=UTC`);
      await page.locator('#error h2').waitFor();
      expect(await page.locator('#error h2').textContent()).toBe('Sign-in needed');
      expect(await page.locator('#token-box').isVisible()).toBe(true);

      await page.locator('#token-box summary').click();
      await page.locator('#token').fill(callerToken({ bots: ['st-demo-retail'] }));
      await page.locator('button[type=submit]').click();
      await page.waitForFunction(() => document.querySelector('#error h2')?.textContent === 'This bot is not yours to see');
      expect(await page.locator('#error p').textContent()).toBe(
        'Your token does not list st-demo-banking. Ask for a token that includes it, or pick another bot.',
      );
      expect(await page.locator('#bot').getAttribute('aria-invalid')).toBe('true');
      expect(secured.emulator!.calls).toHaveLength(0);
      // The token is never put in the link.
      expect(page.url()).not.toMatch(/token|eyJ/);

      await page.locator('#bot').fill('st-demo-retail');
      await page.locator('button[type=submit]').click();
      await page.locator('[data-tile=uniqueUsers] .value[data-value]').waitFor();
      expect(await page.locator('#error').isHidden()).toBe(true);
      expect(secured.emulator!.calls.length).toBeGreaterThan(0);
      await page.close();
    } finally {
      await secured.close();
    }
  });

  it(TESTS[4], async () => {
    expect(requested.length).toBeGreaterThan(8);
    const outside = requested.filter((url) => !url.startsWith(`${stack.url}/`) && !/^http:\/\/127\.0\.0\.1:\d+\//.test(url));
    expect(outside).toEqual([]);
    const res = await fetch(`${stack.url}/explore`);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
  });
});
