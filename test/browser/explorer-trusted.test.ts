import type { TrendFullQuery } from '../generated/operations';
import { CHROMIUM, launchChromium, warnChromiumMissing } from '../helpers/chromium';
import { operation, startStack, type Stack } from '../helpers/stack';
import { EXPLORER_DOCUMENT_ID } from '../../src/server/persisted-documents';

/**
 * The explorer page in a real browser against PERSISTED_DOCUMENTS=require with no manifest of
 * its own: the page's shipped operation is trusted, the page sends it by id (never as text), and
 * its tiles show the numbers a server without trusted documents gives for the same question.
 */

const TESTS = ['under PERSISTED_DOCUMENTS=require the page asks by manifest id and draws the same numbers'];
if (!CHROMIUM) warnChromiumMissing('test/browser/explorer-trusted.test.ts', TESTS);
const suite = CHROMIUM ? describe : describe.skip;

type Trend = NonNullable<TrendFullQuery['engagementTrend']>;

suite('engagement explorer with trusted documents', () => {
  let trusted: Stack;
  let open: Stack;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    [trusted, open] = await Promise.all([startStack({ env: { PERSISTED_DOCUMENTS: 'require' } }), startStack()]);
    browser = await launchChromium(CHROMIUM as string, { locale: 'en-US', timezoneId: 'UTC' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([trusted?.close(), open?.close()]);
  });

  it(
    TESTS[0],
    async () => {
      const page = await browser.context.newPage();
      const problems: string[] = [];
      const sent: unknown[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('request', (request) => {
        if (request.url().endsWith('/graphql') && request.method() === 'POST') sent.push(JSON.parse(request.postData() ?? 'null'));
      });
      await page.goto(`${trusted.url}/explore?bot=st-demo-retail&range=7&tz=UTC`);
      await page.waitForFunction(
        () =>
          document.getElementById('view')?.getAttribute('aria-busy') !== 'true' &&
          (document.getElementById('status')?.textContent !== '' || !document.getElementById('error')?.hidden),
        null,
        { timeout: 20_000 },
      );
      expect(problems).toEqual([]);
      expect(await page.locator('#error').isHidden()).toBe(true);

      expect(sent.length).toBeGreaterThan(0);
      for (const body of sent) {
        expect(body).toMatchObject({
          operationName: 'ExplorerTrend',
          extensions: { persistedQuery: { version: 1, sha256Hash: EXPLORER_DOCUMENT_ID } },
        });
        expect(body).not.toHaveProperty('query');
      }

      const state = await page.evaluate(
        () =>
          (window as unknown as { engagementExplorer: { state: { bot: string; preset: string; timeZone: string } } }).engagementExplorer
            .state,
      );
      const { body } = await open.gql<{ engagementTrend: Trend }>(operation('trend-full'), {
        botId: state.bot,
        range: { preset: state.preset },
        filters: { timeZone: state.timeZone },
      });
      const summary = body.data!.engagementTrend.summary!;
      expect(summary.uniqueUsers).toBeGreaterThan(0);
      for (const key of ['uniqueUsers', 'newUsers', 'returningUsers'] as const) {
        expect(Number(await page.locator(`[data-tile=${key}] .value`).getAttribute('data-value'))).toBe(summary[key]);
      }
    },
    60_000,
  );
});
