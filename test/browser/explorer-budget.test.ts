import type { Page, Response, Route } from 'playwright-core';
import type { ExplorerTrendQuery } from '../../src/explorer/page/generated';
import { CHROMIUM, launchChromium, warnChromiumMissing } from '../helpers/chromium';
import { testNow } from '../helpers/clock';
import { startStack, trendCalls, type GraphQLResult, type Stack } from '../helpers/stack';
import { until } from '../helpers/wait';

/**
 * The explorer's budget line ("Budget this minute: 4 of 50 calls used, resets in 58 s") in a real
 * browser against a real server and the built-in upstream: its numbers are the API's
 * `bot.upstreamBudget`, whose `used` is what the upstream recorded for the bot in the last minute;
 * the bot's budget failing leaves the line out and the trend drawn.
 */

const TESTS = [
  "the line's used is the calls the upstream recorded for the bot this minute, its limit BUDGET_PER_MINUTE; a reload through the cache shows the same",
  'an error on bot or bot.upstreamBudget leaves the budget line out, the tiles drawn and the error box hidden',
];
if (!CHROMIUM) warnChromiumMissing('test/browser/explorer-budget.test.ts', TESTS);
const suite = CHROMIUM ? describe : describe.skip;

const BOT = 'st-demo-retail';
type Answer = GraphQLResult<ExplorerTrendQuery>;

suite('explorer budget line in a real browser', () => {
  let stack: Stack;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    // No background refresh: a reload must find the cache as the load left it, with no call of its own.
    stack = await startStack({ env: { REFRESH: 'off' } });
    browser = await launchChromium(CHROMIUM as string, { locale: 'en-US', timezoneId: 'UTC' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  /** Calls the built-in upstream recorded for the bot within the last minute (the stack's clock). */
  const recordedThisMinute = (bot: string) => {
    const since = testNow() - 60_000;
    return trendCalls(stack.emulator!).filter((c) => c.botId === bot && c.at > since).length;
  };

  /** A page recording every ExplorerTrend answer it gets, and any script error. */
  async function open(): Promise<{ page: Page; answers: Answer[]; problems: string[] }> {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    const answers: Answer[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('response', (response: Response) => {
      if (response.url().endsWith('/graphql')) void response.json().then((body: Answer) => answers.push(body));
    });
    return { page, answers, problems };
  }

  /** The view drawn for the `n`th answer: not busy, the tiles there. */
  const drawn = async (page: Page, answers: Answer[], n: number) =>
    answers.length === n &&
    (await page.evaluate(
      () =>
        document.getElementById('view')?.getAttribute('aria-busy') !== 'true' &&
        !!document.querySelector('[data-tile=uniqueUsers] .value')?.getAttribute('data-value'),
    ));

  const line = (page: Page) =>
    page.evaluate(() => {
      const el = document.getElementById('budget')!;
      return { text: el.textContent, data: { ...el.dataset }, afterFreshness: el.previousElementSibling?.id === 'freshness' };
    });

  it(
    TESTS[0],
    async () => {
      const { page, answers, problems } = await open();
      const before = recordedThisMinute(BOT);
      const callsBefore = trendCalls(stack.emulator!).length;
      await page.goto(`${stack.url}/explore?bot=${BOT}&range=LAST_7_DAYS&tz=UTC`);
      await until(() => drawn(page, answers, 1), { what: 'the first view drawn', timeoutMs: 20_000 });
      expect(problems).toEqual([]);
      const made = trendCalls(stack.emulator!).length - callsBefore;
      expect(made).toBeGreaterThan(0);

      // The first load's budget is the one its request found: the API's numbers, before its own calls.
      const first = answers[0].data!.bot!.upstreamBudget!;
      expect(await line(page)).toMatchObject({
        afterFreshness: true,
        data: { used: String(first.minute.used), limit: String(first.minute.limit), queued: String(first.queued) },
      });
      expect(first.minute.used).toBe(before);

      const limit = stack.config.resilience.budgetPerMinute;
      expect(limit).toBe(50); // BUDGET_PER_MINUTE's default
      const recorded = recordedThisMinute(BOT);
      expect(recorded).toBe(before + made);

      // Reloads through the cache: no call of their own, and the line counts every call this minute.
      for (let reload = 1; reload <= 2; reload++) {
        const callsAt = trendCalls(stack.emulator!).length;
        await page.reload();
        await until(() => drawn(page, answers, reload + 1), { what: `reload ${reload} drawn`, timeoutMs: 20_000 });
        expect(trendCalls(stack.emulator!).length).toBe(callsAt);
        const shown = await line(page);
        expect(shown.data).toEqual({
          limit: String(limit),
          used: String(recorded),
          resetsInSeconds: expect.stringMatching(/^\d+$/),
          queued: '0',
          callerLeft: String(answers[reload].data!.bot!.upstreamBudget!.callerLeft),
        });
        const resets = Number(shown.data.resetsInSeconds);
        expect(resets).toBeGreaterThan(0);
        expect(resets).toBeLessThanOrEqual(60);
        expect(shown.text).toBe(`Budget this minute: ${recorded} of ${limit} calls used, resets in ${resets} s`);
        expect(recordedThisMinute(BOT)).toBe(recorded);
      }
      expect(problems).toEqual([]);
      await page.close();
    },
    60_000,
  );

  it(
    TESTS[1],
    async () => {
      const { page, answers, problems } = await open();
      await page.goto(`${stack.url}/explore?bot=${BOT}&range=LAST_7_DAYS&tz=UTC`);
      await until(() => drawn(page, answers, 1), { what: 'the first view drawn', timeoutMs: 20_000 });
      expect((await line(page)).data.used).toMatch(/^\d+$/);

      // The server's real answer, its `bot` part failed as the API reports a failed field.
      const failures: Array<(data: ExplorerTrendQuery) => { path: string[] }> = [
        (data) => {
          data.bot!.upstreamBudget = null;
          return { path: ['bot', 'upstreamBudget'] };
        },
        (data) => {
          data.bot = null;
          return { path: ['bot'] };
        },
      ];
      for (const [i, fail] of failures.entries()) {
        await page.route('**/graphql', async (route: Route) => {
          const response = await route.fetch();
          const body = (await response.json()) as Answer;
          const { path } = fail(body.data!);
          const error = { message: 'Unexpected error.', path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
          await route.fulfill({ response, json: { ...body, errors: [...(body.errors ?? []), error] } });
        });
        await page.reload();
        await until(() => drawn(page, answers, i + 2), { what: `the view with a failed ${i ? 'bot' : 'budget'} drawn`, timeoutMs: 20_000 });
        await page.unroute('**/graphql');
        expect(await line(page)).toEqual({ text: '', data: {}, afterFreshness: true });
        expect(await page.locator('#error').isHidden()).toBe(true);
        expect(await page.locator('#freshness').getAttribute('data-as-of')).toBeTruthy();
        const summary = answers[i + 1].data!.engagementTrend!.summary!;
        expect(await page.locator('[data-tile=uniqueUsers] .value').getAttribute('data-value')).toBe(String(summary.uniqueUsers));
      }
      expect(problems).toEqual([]);
      await page.close();
    },
    60_000,
  );
});
