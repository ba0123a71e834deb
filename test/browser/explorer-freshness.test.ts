import type { Page, Response } from 'playwright-core';
import { CHROMIUM, launchChromium, warnChromiumMissing } from '../helpers/chromium';
import { testNow } from '../helpers/clock';
import { startStack, trendCalls, type Stack } from '../helpers/stack';
import { until } from '../helpers/wait';

/**
 * The explorer's freshness line and live toggle in a real browser against a real server and the
 * built-in upstream. The page's timers run on Playwright's clock (`page.clock`), so "every 30 s,
 * never faster" is checked by moving that clock, never by waiting 30 s: just short of the interval
 * nothing is asked, at the interval one reload is. The server's clock is moved separately (its
 * answers expire) to make the API serve a stale answer, which the page must mark.
 */

const TESTS = [
  '"as of" is the API\'s asOf in the browser\'s time and its ageSeconds; live reloads every 30 s, never sooner',
  "a stale answer is marked for the eye and for screen readers, from the API's freshness.stale",
];
if (!CHROMIUM) warnChromiumMissing('test/browser/explorer-freshness.test.ts', TESTS);
const suite = CHROMIUM ? describe : describe.skip;

const ZONE = 'America/New_York';

interface Freshness {
  asOf: string;
  ageSeconds: number;
  stale: boolean;
  source: string;
}

interface LiveHandle {
  liveIntervalMs: number;
  liveArmedAt?: number;
  liveReloads: number[];
}

suite('explorer freshness and live view in a real browser', () => {
  let stack: Stack;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  // The server's clock: the shared test clock, plus what a test adds to let answers expire.
  let serverAhead = 0;

  beforeAll(async () => {
    stack = await startStack({ now: () => testNow() + serverAhead });
    browser = await launchChromium(CHROMIUM as string, { locale: 'en-US', timezoneId: ZONE });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  /** A page on Playwright's clock, recording the freshness of every ExplorerTrend answer it gets. */
  async function open(path: string): Promise<{ page: Page; answers: Freshness[] }> {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    const answers: Freshness[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('response', (response: Response) => {
      if (!response.url().endsWith('/graphql')) return;
      void response
        .json()
        .then((body: { data?: { engagementTrend?: { freshness: Freshness } } }) => answers.push(body.data!.engagementTrend!.freshness));
    });
    await page.clock.install();
    await page.goto(`${stack.url}${path}`);
    await until(async () => answers.length === 1 && (await drawn(page)), { what: 'the first answer drawn', timeoutMs: 20_000 });
    expect(problems).toEqual([]);
    return { page, answers };
  }

  const drawn = (page: Page) =>
    page.evaluate(
      () => document.getElementById('view')?.getAttribute('aria-busy') !== 'true' && !!document.getElementById('freshness')?.dataset.asOf,
    );
  const live = (page: Page) => page.evaluate(() => (window as unknown as { engagementExplorer: LiveHandle }).engagementExplorer);
  const line = (page: Page) =>
    page.evaluate(() => {
      const el = document.getElementById('freshness')!;
      return { text: el.textContent, data: { ...el.dataset }, tilesStale: document.getElementById('tiles')!.hasAttribute('data-stale') };
    });

  it(
    TESTS[0],
    async () => {
      const { page, answers } = await open('/explore?bot=st-demo-retail&range=TODAY&live=1');
      const api = answers[0];
      const hhmm = new Intl.DateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: ZONE }).format(
        new Date(api.asOf),
      );
      const shown = await line(page);
      expect(shown.text).toBe(`as of ${hhmm} (${api.ageSeconds < 60 ? 'just now' : `${Math.floor(api.ageSeconds / 60)} min ago`})`);
      expect(shown.data).toMatchObject({
        asOf: api.asOf,
        ageSeconds: String(api.ageSeconds),
        stale: String(api.stale),
        source: api.source,
      });
      expect(await page.locator('#live').isChecked()).toBe(true);

      // The interval is the page's own, fixed and read-only.
      expect((await live(page)).liveIntervalMs).toBe(30_000);
      expect(
        await page.evaluate(() =>
          Reflect.set((window as unknown as { engagementExplorer: object }).engagementExplorer, 'liveIntervalMs', 1),
        ),
      ).toBe(false);

      const upstreamBefore = trendCalls(stack.emulator!).length;
      for (let round = 1; round <= 2; round++) {
        const armedAt = (await live(page)).liveArmedAt!;
        expect(armedAt).toBeDefined();
        // The page's clock stands still from here, so the steps below are exact. It runs on until
        // pauseAt lands, so aim a second ahead: pauseAt refuses a moment already past.
        const now = (await page.evaluate(() => Date.now())) + 1000;
        await page.clock.pauseAt(now);
        // Just short of the interval after the last answer: nothing asked.
        await page.clock.runFor(armedAt + 30_000 - now - 1);
        expect((await live(page)).liveReloads).toHaveLength(round - 1);
        expect(answers).toHaveLength(round);
        // At the interval: one reload, and the next one armed only once its answer is drawn.
        await page.clock.runFor(1);
        await until(async () => answers.length === round + 1 && (await live(page)).liveArmedAt !== undefined, {
          what: `live reload ${round} answered and re-armed`,
        });
        const { liveReloads } = await live(page);
        expect(liveReloads).toHaveLength(round);
        expect(liveReloads[round - 1] - armedAt).toBeGreaterThanOrEqual(30_000);
      }
      // Through the cache: TODAY was answered once by the upstream, the reloads from the cache.
      expect(trendCalls(stack.emulator!).length - upstreamBefore).toBe(0);
      expect(answers.slice(1).every((a) => a.source === 'CACHE')).toBe(true);

      // Turning live off stops the timer: a whole interval later nothing more is asked.
      await page.locator('#live').uncheck();
      await until(async () => answers.length === 4 && (await drawn(page)), { what: 'the reload the toggle asks' });
      expect(page.url()).not.toContain('live=');
      expect((await live(page)).liveArmedAt).toBeUndefined();
      await page.clock.runFor(60_000);
      expect((await live(page)).liveReloads).toHaveLength(2);
      expect(answers).toHaveLength(4);
      await page.close();
    },
    60_000,
  );

  it(
    TESTS[1],
    async () => {
      const { page, answers } = await open('/explore?bot=st-demo-banking&range=TODAY&live=1');
      expect(answers[0].stale).toBe(false);
      expect((await line(page)).tilesStale).toBe(false);
      expect(await page.locator('#freshness .stale-mark').count()).toBe(0);

      // The answer expires on the server, and Kore.ai fails: the default serves it stale.
      serverAhead += 5 * 60_000;
      stack.emulator!.faults.errorRate = 1;
      const upstreamBefore = trendCalls(stack.emulator!).length;
      try {
        await page.clock.runFor(30_000);
        await until(async () => answers.length === 2 && (await live(page)).liveArmedAt !== undefined, {
          what: 'the live reload answered',
          timeoutMs: 20_000,
        });
      } finally {
        stack.emulator!.faults.errorRate = 0;
      }
      expect(trendCalls(stack.emulator!).length).toBeGreaterThan(upstreamBefore); // it did ask, and the upstream failed
      expect(answers[1]).toMatchObject({ stale: true, source: 'STALE_CACHE', asOf: answers[0].asOf });
      expect(answers[1].ageSeconds).toBeGreaterThanOrEqual(300);
      const shown = await line(page);
      expect(shown).toMatchObject({
        tilesStale: true,
        data: { stale: 'true', source: 'STALE_CACHE', ageSeconds: String(answers[1].ageSeconds) },
      });
      // The mark is visible; the words are for screen readers (visually hidden, not aria-hidden).
      await expect(page.locator('#freshness .stale-mark').isVisible()).resolves.toBe(true);
      expect(await page.locator('#freshness .stale-mark').getAttribute('aria-hidden')).toBe('true');
      const words = page.locator('#freshness .visually-hidden');
      expect(await words.textContent()).toMatch(/^Stale: /);
      expect(await words.getAttribute('aria-hidden')).toBeNull();
      expect(shown.text).toContain(`(${Math.floor(answers[1].ageSeconds / 60)} min ago)`);
      await page.close();
    },
    60_000,
  );
});
