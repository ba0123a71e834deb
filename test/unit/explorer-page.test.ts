import { plainError, networkError, viewError } from '../../src/explorer/page/messages';
import { daysIn, hourlyFits, PRESETS, queryFromState, rangeInput, stateFromQuery, type ExplorerState } from '../../src/explorer/page/state';
import {
  ageText,
  asOfTime,
  budgetText,
  changeText,
  freshnessText,
  periodLabel,
  previousPeriodWords,
  stickinessText,
} from '../../src/explorer/page/words';
import { pageHtml } from '../../src/explorer/explorer.route';
import { RangePreset } from '../../src/engagement/engagement.args';

const DEFAULTS = { bot: 'st-demo-retail', timeZone: 'America/New_York' };

describe('explorer state in the URL', () => {
  it("offers exactly the API's presets", () => {
    expect([...PRESETS].sort()).toEqual(Object.values(RangePreset).sort());
  });

  it('an empty query gets the defaults: first demo bot, LAST_30_DAYS, the browser zone, weeks', () => {
    const state = stateFromQuery('', DEFAULTS);
    expect(state).toEqual({
      bot: 'st-demo-retail',
      preset: 'LAST_30_DAYS',
      start: '',
      end: '',
      timeZone: 'America/New_York',
      channel: '',
      conversationType: 'ALL',
      conversationStatus: 'ALL',
      unit: 'WEEK',
      live: false,
    });
    // A preset goes to the API as a preset: no dates computed here.
    expect(rangeInput(state)).toEqual({ preset: 'LAST_30_DAYS' });
  });

  it('round-trips every control; presets are kept by name, custom ranges by dates, the unit always', () => {
    const custom = stateFromQuery(
      '?bot=st-x&range=custom&start=2025-12-01&end=2025-12-07&tz=Europe%2FBerlin&unit=MONTH&channel=rtm&type=INTERACTIVE&status=CLOSED',
      DEFAULTS,
    );
    expect(stateFromQuery(queryFromState(custom), DEFAULTS)).toEqual(custom);
    expect(queryFromState(custom)).toBe(
      '?bot=st-x&range=custom&start=2025-12-01&end=2025-12-07&tz=Europe%2FBerlin&unit=MONTH&channel=rtm&type=INTERACTIVE&status=CLOSED',
    );
    expect(rangeInput(custom)).toEqual({ start: '2025-12-01', end: '2025-12-07' });
    for (const preset of PRESETS) {
      const state = stateFromQuery(`?bot=st-x&range=${preset}&tz=UTC`, DEFAULTS);
      expect([state.preset, rangeInput(state)]).toEqual([preset, { preset }]);
      expect(queryFromState(state)).toBe(`?bot=st-x&range=${preset}&tz=UTC&unit=WEEK`);
    }
    // Dates left in a preset's link are not the question: the preset is.
    expect(stateFromQuery('?range=LAST_WEEK&start=2025-01-01&end=2025-01-02', DEFAULTS)).toMatchObject({ start: '', end: '' });
  });

  it('the live toggle is kept in the link as live=1, and left out when off', () => {
    const live = stateFromQuery('?bot=st-x&range=TODAY&tz=UTC&live=1', DEFAULTS);
    expect(live.live).toBe(true);
    expect(queryFromState(live)).toBe('?bot=st-x&range=TODAY&tz=UTC&unit=WEEK&live=1');
    expect(stateFromQuery(queryFromState(live), DEFAULTS)).toEqual(live);
    expect(stateFromQuery('?bot=st-x&live=yes', DEFAULTS).live).toBe(false);
    expect(queryFromState({ ...live, live: false })).not.toContain('live');
  });

  it('old links (range=7|30|90, preset=7|30|90) open as the named presets', () => {
    for (const [old, preset] of [
      ['7', 'LAST_7_DAYS'],
      ['30', 'LAST_30_DAYS'],
      ['90', 'LAST_90_DAYS'],
    ]) {
      expect(stateFromQuery(`?bot=st-x&range=${old}&tz=UTC`, DEFAULTS).preset).toBe(preset);
      expect(stateFromQuery(`?bot=st-x&preset=${old}&tz=UTC`, DEFAULTS).preset).toBe(preset);
      expect(queryFromState(stateFromQuery(`?bot=st-x&range=${old}&tz=UTC`, DEFAULTS))).toBe(`?bot=st-x&range=${preset}&tz=UTC&unit=WEEK`);
    }
  });

  it('dates without a preset mean custom; unknown choices fall back instead of failing', () => {
    expect(stateFromQuery('?start=2025-12-01&end=2025-12-02', DEFAULTS).preset).toBe('custom');
    const odd = stateFromQuery('?range=12&type=SOME&status=nope&unit=DAY', DEFAULTS);
    expect([odd.preset, odd.conversationType, odd.conversationStatus, odd.unit]).toEqual(['LAST_30_DAYS', 'ALL', 'ALL', 'WEEK']);
    // Impossible dates are kept as typed: the API names what is wrong, and a shared link shows the same.
    expect(stateFromQuery('?range=custom&start=2025-12-10&end=2025-12-01', DEFAULTS)).toMatchObject({
      start: '2025-12-10',
      end: '2025-12-01',
    });
  });

  it('asks for hourly buckets only when the longest case of the range fits the cap', () => {
    const at = (search: string) => stateFromQuery(search, DEFAULTS);
    expect(daysIn('2025-12-02', '2026-03-01')).toBe(90);
    expect(hourlyFits(at('?range=LAST_30_DAYS'), 31)).toBe(true);
    expect(hourlyFits(at('?range=THIS_MONTH'), 31)).toBe(true);
    expect(hourlyFits(at('?range=THIS_MONTH'), 30)).toBe(false); // a 31-day month would be refused
    expect(hourlyFits(at('?range=LAST_90_DAYS'), 31)).toBe(false);
    expect(hourlyFits(at('?range=custom&start=2025-12-01&end=2025-12-31'), 31)).toBe(true);
    expect(hourlyFits(at('?range=custom&start=2025-12-01&end=2026-01-01'), 31)).toBe(false);
    expect(hourlyFits(at('?range=custom&start=2025-12-10&end=2025-12-01'), 31)).toBe(false);
    expect(hourlyFits({ ...at(''), preset: 'custom', start: 'x', end: '' } satisfies ExplorerState, 31)).toBe(false);
  });
});

describe('explorer change and period wording', () => {
  const change = (current: number, previous: number, relative: number | null) => ({
    current,
    previous,
    absolute: current - previous,
    relative,
  });

  it("an increase or a decrease: arrow, the API's relative as a percent, and the words", () => {
    expect(changeText(change(900, 800, 0.125), 30, 'en-US')).toEqual({
      direction: 'up',
      short: '▲ 12.5%',
      words: 'up 12.5% from the previous 30 days',
    });
    expect(changeText(change(600, 800, -0.25), 7, 'en-US')).toEqual({
      direction: 'down',
      short: '▼ 25%',
      words: 'down 25% from the previous 7 days',
    });
    expect(changeText(change(5, 5, 0), 1, 'en-US')).toEqual({ direction: 'same', short: '→ 0%', words: 'unchanged from the previous day' });
    // The percent is the API's figure as given (not recomputed from current and previous).
    expect(changeText(change(3, 2, 0.4), 30, 'en-US').short).toBe('▲ 40%');
  });

  it('nothing before (relative null): "new", never a percent', () => {
    expect(changeText(change(12, 0, null), 30, 'en-US')).toEqual({
      direction: 'new',
      short: 'new',
      words: 'new: none in the previous 30 days',
    });
    const none = changeText(change(0, 0, null), 30, 'en-US');
    expect(none.direction).toBe('same');
    expect(none.short).not.toMatch(/%/);
    expect(previousPeriodWords(90)).toBe('the previous 90 days');
  });

  it('stickiness as a percent, or a dash when there is none', () => {
    expect(stickinessText(0.1234, 'en-US')).toBe('12.3%');
    expect(stickinessText(null, 'en-US')).toBe('—');
  });

  it('period labels: weeks by their days, months by name, partial ones say so', () => {
    const week = (start: string, end: string, complete: boolean) => ({ range: { start, end }, complete });
    expect(periodLabel(week('2025-12-01', '2025-12-07', true), 'WEEK', 'en-US')).toBe('Dec 1 – Dec 7');
    expect(periodLabel(week('2025-12-03', '2025-12-07', false), 'WEEK', 'en-US')).toBe('Dec 3 – Dec 7 (partial)');
    expect(periodLabel(week('2025-12-29', '2026-01-04', true), 'WEEK', 'en-US')).toBe('Dec 29 – Jan 4');
    expect(periodLabel(week('2025-12-01', '2025-12-01', false), 'WEEK', 'en-US')).toBe('Dec 1 (partial)');
    expect(periodLabel(week('2025-11-01', '2025-11-30', true), 'MONTH', 'en-US')).toBe('Nov 2025');
    expect(periodLabel(week('2025-12-01', '2025-12-10', false), 'MONTH', 'en-US')).toBe('Dec 2025 (partial: Dec 1 – Dec 10)');
  });
});

describe('explorer errors in plain words', () => {
  it.each([
    [
      {
        message: 'Invalid argument range.end: must be a real date as YYYY-MM-DD, got "2025-13-01"',
        extensions: { code: 'BAD_USER_INPUT', argument: 'range.end' },
      },
      'End date is not accepted',
      'must be a real date as YYYY-MM-DD, got "2025-13-01"',
      'dates',
    ],
    [
      {
        message: 'Invalid argument range: spans 120 days; at most 90 days are allowed',
        extensions: { code: 'BAD_USER_INPUT', argument: 'range' },
      },
      'Date range is not accepted',
      'spans 120 days; at most 90 days are allowed',
      'dates',
    ],
    [
      {
        message: 'Invalid argument range.preset: must be one of TODAY, YESTERDAY',
        extensions: { code: 'BAD_USER_INPUT', argument: 'range.preset' },
      },
      'Date range is not accepted',
      'must be one of TODAY, YESTERDAY',
      'dates',
    ],
    [
      {
        message: 'Invalid argument filters.timeZone: must be an IANA time zone name',
        extensions: { code: 'BAD_USER_INPUT', argument: 'filters.timeZone' },
      },
      'Time zone is not accepted',
      'must be an IANA time zone name',
      'timeZone',
    ],
    [
      { message: 'Invalid argument botId: …', extensions: { code: 'BAD_USER_INPUT', argument: 'botId' } },
      'Bot id is not accepted',
      '…',
      'bot',
    ],
    [
      { message: 'x', extensions: { code: 'RATE_LIMITED', retryAfter: 42 } },
      'Kore.ai is rate-limiting this bot',
      'Its analytics allow a few calls a minute per bot, shared by everyone. Try again in 42 seconds.',
      undefined,
    ],
    [
      { message: 'x', extensions: { code: 'RATE_LIMITED' } },
      'Kore.ai is rate-limiting this bot',
      'Its analytics allow a few calls a minute per bot, shared by everyone. Try again in a minute.',
      undefined,
    ],
    [
      { message: 'x', extensions: { code: 'FORBIDDEN', botId: 'st-b' } },
      'This bot is not yours to see',
      'Your token does not list st-b. Ask for a token that includes it, or pick another bot.',
      'bot',
    ],
    [
      { message: 'no token', extensions: { code: 'UNAUTHENTICATED' } },
      'Sign-in needed',
      'This server asks for a caller token. Paste one under "Token" (it stays in this browser tab).',
      'token',
    ],
    [
      { message: 'Kore.ai timed out.', extensions: { code: 'UPSTREAM_TIMEOUT' } },
      'Kore.ai did not answer properly',
      'Kore.ai timed out. Try again shortly.',
      undefined,
    ],
    [{ message: 'odd', extensions: {} }, 'Something went wrong', 'odd', undefined],
  ])('%j', (error, title, detail, field) => {
    expect(plainError(error, 'st-b')).toEqual({ title, detail, ...(field ? { field } : {}) });
  });

  it("the error box shows the trend's or the request's error, never one under `bot` (the budget line's)", () => {
    const budget = { message: 'budget unreadable', path: ['bot', 'upstreamBudget'], extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    const botRefused = { message: 'not yours', path: ['bot'], extensions: { code: 'BAD_USER_INPUT', argument: 'id' } };
    const trendRefused = { message: 'not yours', path: ['engagementTrend'], extensions: { code: 'BAD_USER_INPUT', argument: 'botId' } };
    const request = { message: 'too costly', extensions: { code: 'COST_LIMIT_EXCEEDED' } };
    expect(viewError([budget])).toBeUndefined();
    expect(viewError([])).toBeUndefined();
    expect(viewError([botRefused, trendRefused])).toBe(trendRefused);
    expect(viewError([budget, request])).toBe(request);
    expect(viewError([{ message: 'x', path: ['engagementTrend', 'compare'] }, budget])?.message).toBe('x');
  });

  it('no answer at all says whether the server was reached', () => {
    expect(networkError(undefined).title).toBe('The server cannot be reached');
    expect(networkError(502).detail).toBe('HTTP 502. Try again shortly.');
  });
});

describe('explorer page shell', () => {
  it('embeds its configuration as inert JSON that cannot close the script tag', () => {
    const html = pageHtml('<script type="application/json"><!--CONFIG--></script>', {
      demoBots: [{ id: 'st-1', name: '</script><script>alert(1)</script>' }],
      maxRangeDaysHourly: 31,
      authRequired: false,
    });
    expect(html).not.toContain('</script><script>');
    const json = /<script type="application\/json">(.*)<\/script>/.exec(html)?.[1] ?? '';
    expect(JSON.parse(json).demoBots[0].name).toBe('</script><script>alert(1)</script>');
  });
});

describe('explorer freshness words', () => {
  it('says the age the API counted, in whole units', () => {
    expect([0, 59, 60, 180, 3599, 3600, 7300, 86_399, 86_400, 3 * 86_400].map(ageText)).toEqual([
      'just now',
      'just now',
      '1 min ago',
      '3 min ago',
      '59 min ago',
      '1 h ago',
      '2 h ago',
      '23 h ago',
      '1 day ago',
      '3 days ago',
    ]);
  });

  it('"as of 14:05 (3 min ago)": asOf on the viewer\'s 24-hour clock in their zone', () => {
    const fresh = { asOf: '2026-12-02T14:05:30.000Z', ageSeconds: 180, stale: false };
    expect(freshnessText(fresh, 'en-US', 'UTC')).toEqual({ shown: 'as of 14:05 (3 min ago)', staleWords: '' });
    expect(asOfTime(fresh.asOf, 'en-US', 'America/New_York')).toBe('09:05');
    expect(asOfTime('2026-12-02T00:07:00.000Z', 'en-US', 'UTC')).toBe('00:07');
  });

  it('stale numbers get words for screen readers', () => {
    const text = freshnessText({ asOf: '2026-12-02T14:05:30.000Z', ageSeconds: 4000, stale: true }, 'en-US', 'UTC');
    expect(text.shown).toBe('as of 14:05 (1 h ago)');
    expect(text.staleWords).toMatch(/^Stale: /);
  });
});

describe('explorer budget words', () => {
  const budget = (used: number, limit: number, resetsInSeconds: number, queued = 0) => ({
    minute: { limit, used, resetsInSeconds },
    queued,
  });

  it('"Budget this minute: 12 of 50 calls used, resets in 41 s": the minute as the API counted it', () => {
    expect(budgetText(budget(12, 50, 41), 'en-US')).toBe('Budget this minute: 12 of 50 calls used, resets in 41 s');
    expect(budgetText(budget(1, 1, 60), 'en-US')).toBe('Budget this minute: 1 of 1 call used, resets in 60 s');
    expect(budgetText(budget(1200, 5000, 7), 'en-US')).toBe('Budget this minute: 1,200 of 5,000 calls used, resets in 7 s');
  });

  it('no call counted: nothing resets, and the line does not say it', () => {
    expect(budgetText(budget(0, 50, 0), 'en-US')).toBe('Budget this minute: 0 of 50 calls used');
  });

  it('"· 3 queued" only when calls wait for a slot', () => {
    expect(budgetText(budget(50, 50, 12, 3), 'en-US')).toBe('Budget this minute: 50 of 50 calls used, resets in 12 s · 3 queued');
    expect(budgetText(budget(50, 50, 12, 0), 'en-US')).not.toContain('queued');
  });
});
