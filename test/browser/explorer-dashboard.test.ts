import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { ExplorerTrendQuery, ExplorerTrendQueryVariables, PeriodUnit } from '../../src/explorer/page/generated';
import { CHROMIUM, launchChromium, warnChromiumMissing } from '../helpers/chromium';
import { startStack, type Stack } from '../helpers/stack';

/**
 * The explorer's dashboard parts (issue 16) in a real browser against a real server and the built-in
 * upstream: each number on the page equals the API's answer to the same question, asked separately
 * here (the change on each tile, the dashed previous period, the calendar periods, the activity
 * figures); the periods toggle and the presets live in the link, and a preset is sent as a preset.
 */

const TESTS = [
  "tiles show the API's change against the previous period; the dashed line is compare's series; activity figures",
  "periods chart: one bar per week or month overlapping the range, the API's summaries, partial ones marked; toggle in the link",
  'a preset link is sent as the preset, shows the dates the API resolved, and reloads as the same preset',
];
if (!CHROMIUM) warnChromiumMissing('test/browser/explorer-dashboard.test.ts', TESTS);
const suite = CHROMIUM ? describe : describe.skip;

const PAGE_OPERATION = readFileSync(join(__dirname, '..', '..', 'src', 'explorer', 'page', 'explorer.graphql'), 'utf8');
type Trend = NonNullable<ExplorerTrendQuery['engagementTrend']>;
type Handle = { engagementExplorer: { daily: import('chart.js').Chart; periods: import('chart.js').Chart; trend: Trend } };

const en = new Intl.NumberFormat('en-US');
const percent = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });

/** The calendar weeks (ISO, keyed by their Monday) or months that share a day with the range. */
function periodsOverlapping(start: string, end: string, unit: PeriodUnit): number {
  const keys = new Set<string>();
  for (let t = Date.parse(`${start}T00:00:00Z`); t <= Date.parse(`${end}T00:00:00Z`); t += 86_400_000) {
    const day = new Date(t);
    const monday = new Date(t - ((day.getUTCDay() + 6) % 7) * 86_400_000);
    keys.add(unit === 'WEEK' ? monday.toISOString().slice(0, 10) : day.toISOString().slice(0, 7));
  }
  return keys.size;
}

suite('engagement explorer dashboard in a real browser', () => {
  let stack: Stack;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    stack = await startStack();
    browser = await launchChromium(CHROMIUM as string, { locale: 'en-US', timezoneId: 'Europe/Berlin' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  /** Waits until the page has drawn its latest question (not busy, a status or an error shown). */
  const settled = (page: Page) =>
    page.waitForFunction(
      () =>
        document.getElementById('view')?.getAttribute('aria-busy') !== 'true' &&
        (document.getElementById('status')?.textContent?.includes(' days) in ') || !document.getElementById('error')?.hidden),
      null,
      { timeout: 20_000 },
    );

  async function open(path: string): Promise<{ page: Page; sent: ExplorerTrendQueryVariables[] }> {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    const sent: ExplorerTrendQueryVariables[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (request) => {
      if (request.url().endsWith('/graphql')) sent.push((request.postDataJSON() as { variables: ExplorerTrendQueryVariables }).variables);
    });
    await page.goto(`${stack.url}${path}`);
    await settled(page);
    expect(problems).toEqual([]);
    expect(await page.locator('#error').isHidden()).toBe(true);
    return { page, sent };
  }

  /** The page's question, asked of the API separately. */
  async function api(variables: ExplorerTrendQueryVariables): Promise<Trend> {
    const { body } = await stack.gql<ExplorerTrendQuery>(PAGE_OPERATION, variables);
    expect(body.errors).toBeUndefined();
    return body.data!.engagementTrend!;
  }

  it(TESTS[0], async () => {
    const { page, sent } = await open('/explore?bot=st-demo-retail&range=LAST_30_DAYS&tz=UTC');
    expect(sent).toHaveLength(1);
    const trend = await api(sent[0]);
    expect(trend.range.days).toBe(30);
    const change = trend.change!;
    let shownPercents = 0;
    for (const key of ['uniqueUsers', 'newUsers', 'returningUsers'] as const) {
      const c = change[key];
      const line = page.locator(`[data-tile=${key}] .change`);
      expect(Number(await line.getAttribute('data-absolute'))).toBe(c.absolute);
      expect(Number(await line.getAttribute('data-previous'))).toBe(c.previous);
      expect(Number(await page.locator(`[data-tile=${key}] .value`).getAttribute('data-value'))).toBe(c.current);
      const short = await line.locator('.short').textContent();
      const words = await line.locator('.visually-hidden').textContent();
      expect(await line.locator('.short').getAttribute('aria-hidden')).toBe('true');
      if (c.relative === null) {
        expect(await line.getAttribute('data-relative')).toBeNull();
        if (c.current > 0) expect([short, words]).toEqual(['new', 'new: none in the previous 30 days']);
        expect(short).not.toMatch(/%/);
      } else {
        shownPercents++;
        expect(Number(await line.getAttribute('data-relative'))).toBe(c.relative);
        const p = percent.format(Math.abs(c.relative));
        const [arrow, dir] = c.absolute > 0 ? ['▲', 'up'] : c.absolute < 0 ? ['▼', 'down'] : ['→', 'unchanged'];
        expect(short).toBe(`${arrow} ${p}`);
        expect(words).toBe(dir === 'unchanged' ? 'unchanged from the previous 30 days' : `${dir} ${p} from the previous 30 days`);
      }
    }
    expect(shownPercents).toBeGreaterThan(0); // the demo bot has users in both periods
    expect(await page.locator('#compared').textContent()).toBe(
      `Changes are against the previous 30 days, ${trend.compare!.range.start} to ${trend.compare!.range.end}.`,
    );

    // The dashed line: compare's unique users, day i under the range's day i.
    const daily = await page.evaluate(() => {
      const chart = (window as unknown as Handle).engagementExplorer.daily;
      const d = chart.data.datasets[3] as { label?: string; data: unknown[]; borderDash?: number[] };
      return { labels: chart.data.labels, label: d.label, data: d.data, dash: d.borderDash, shown: chart.isDatasetVisible(3) };
    });
    const previous = trend.compare!.series.uniqueUsers;
    expect(previous).toHaveLength(30);
    expect(daily.data).toEqual(previous.map((p) => p.users));
    expect(daily.labels).toEqual(trend.series.uniqueUsers.map((p) => p.date));
    expect(daily.dash?.length).toBeGreaterThan(0);
    expect(daily.shown).toBe(true);
    expect(daily.label).toBe('Unique, the previous 30 days (day by day, dashed)');

    // The activity figures under the tiles.
    const a = trend.activity!;
    const figure = (key: string) => page.locator(`[data-activity=${key}] .value`);
    expect(Number(await figure('averageDailyUsers').getAttribute('data-value'))).toBe(a.averageDailyUsers);
    expect(await figure('averageDailyUsers').textContent()).toBe(
      new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 }).format(a.averageDailyUsers),
    );
    expect(a.stickiness).not.toBeNull();
    expect(Number(await figure('stickiness').getAttribute('data-value'))).toBe(a.stickiness);
    expect(await figure('stickiness').textContent()).toBe(percent.format(a.stickiness!));
    expect(await page.locator('[data-activity=peakDay]').getAttribute('data-date')).toBe(a.peakDay!.date);
    expect(Number(await figure('peakDay').getAttribute('data-value'))).toBe(a.peakDay!.users);
    expect(await page.locator('[data-activity=peakDay] .note').textContent()).toBe(`(${en.format(a.peakDay!.users)} unique users)`);
    await page.close();
  });

  it(TESTS[1], async () => {
    // Mid-week and mid-month at both ends: partial periods first and last.
    const { page, sent } = await open('/explore?bot=st-demo-travel&range=custom&start=2025-10-15&end=2025-12-10&tz=UTC');
    const bars = () =>
      page.evaluate(() => {
        const chart = (window as unknown as Handle).engagementExplorer.periods;
        const d = chart.data.datasets[0] as { data: unknown[]; backgroundColor: string[] };
        return { labels: chart.data.labels as string[], data: d.data, colors: d.backgroundColor };
      });
    for (const unit of ['WEEK', 'MONTH'] as const) {
      const variables = sent[sent.length - 1];
      expect(variables).toMatchObject({ range: { start: '2025-10-15', end: '2025-12-10' }, unit });
      const trend = await api(variables);
      const drawn = await bars();
      expect(trend.periods).toHaveLength(periodsOverlapping('2025-10-15', '2025-12-10', unit));
      expect(drawn.data).toEqual(trend.periods.map((p) => p.summary!.uniqueUsers));
      expect(drawn.labels).toHaveLength(trend.periods.length);
      const complete = trend.periods.map((p) => p.complete);
      expect(complete[0]).toBe(false);
      expect(complete[complete.length - 1]).toBe(false);
      expect(complete).toContain(true);
      trend.periods.forEach((p, i) => {
        expect(drawn.labels[i].endsWith(')')).toBe(!p.complete); // "(partial…)"
        expect(drawn.colors[i]).toBe(p.complete ? drawn.colors[complete.indexOf(true)] : drawn.colors[0]);
      });
      expect(drawn.colors[0]).not.toBe(drawn.colors[complete.indexOf(true)]);
      expect(new URL(page.url()).searchParams.get('unit')).toBe(unit);
      if (unit === 'WEEK') {
        expect(await page.locator('input[name=unit][value=WEEK]').isChecked()).toBe(true);
        await page.locator('input[name=unit][value=MONTH]').check();
        await page.waitForFunction(() => new URL(location.href).searchParams.get('unit') === 'MONTH');
        await settled(page);
        expect(sent).toHaveLength(2);
      }
    }
    expect(await bars()).toMatchObject({
      labels: ['Oct 2025 (partial: Oct 15 – Oct 31)', 'Nov 2025', 'Dec 2025 (partial: Dec 1 – Dec 10)'],
    });

    // The link keeps the unit: it reloads as months.
    const again = await open(new URL(page.url()).pathname + new URL(page.url()).search);
    expect(await again.page.locator('input[name=unit][value=MONTH]').isChecked()).toBe(true);
    expect(again.sent[0].unit).toBe('MONTH');
    expect((await again.page.evaluate(() => (window as unknown as Handle).engagementExplorer.periods.data.labels))?.length).toBe(3);
    await page.close();
    await again.page.close();
  });

  it(TESTS[2], async () => {
    const { page, sent } = await open('/explore?bot=st-demo-banking&range=LAST_WEEK&tz=Asia%2FTokyo');
    expect(sent[0].range).toEqual({ preset: 'LAST_WEEK' });
    const trend = await api(sent[0]);
    expect(trend.range.days).toBe(7);
    expect(await page.locator('#start').inputValue()).toBe(trend.range.start);
    expect(await page.locator('#end').inputValue()).toBe(trend.range.end);
    expect(await page.locator('#status').textContent()).toBe(
      `st-demo-banking: ${trend.range.start} to ${trend.range.end} (7 days) in Asia/Tokyo`,
    );
    const link = new URL(page.url());
    expect([link.searchParams.get('range'), link.searchParams.has('start'), link.searchParams.has('end')]).toEqual([
      'LAST_WEEK',
      false,
      false,
    ]);

    await page.reload();
    await settled(page);
    expect(sent).toHaveLength(2);
    expect(sent[1].range).toEqual({ preset: 'LAST_WEEK' });
    expect(await page.locator('#preset').inputValue()).toBe('LAST_WEEK');

    // Choosing "Custom dates" starts from the dates the API resolved, and the link then keeps dates.
    await page.locator('#preset').selectOption('custom');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('range') === 'custom');
    await settled(page);
    expect(sent[sent.length - 1].range).toEqual({ start: trend.range.start, end: trend.range.end });
    expect(new URL(page.url()).searchParams.get('start')).toBe(trend.range.start);

    // An old link (range=90) opens as LAST_90_DAYS, weekly periods included, within the cost limit.
    const old = await open('/explore?bot=st-demo-retail&range=90&tz=UTC');
    expect(old.sent[0]).toMatchObject({ range: { preset: 'LAST_90_DAYS' }, unit: 'WEEK', withHourly: false });
    expect(new URL(old.page.url()).searchParams.get('range')).toBe('LAST_90_DAYS');
    const ninety = await api(old.sent[0]);
    expect(ninety.periods).toHaveLength(periodsOverlapping(ninety.range.start, ninety.range.end, 'WEEK'));
    expect(await old.page.evaluate(() => (window as unknown as Handle).engagementExplorer.periods.data.datasets[0].data)).toEqual(
      ninety.periods.map((p) => p.summary!.uniqueUsers),
    );
    await page.close();
    await old.page.close();
  });
});
