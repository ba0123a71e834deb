import { plainError, networkError } from '../../src/explorer/page/messages';
import { addDays, daysIn, presetRange, queryFromState, stateFromQuery, todayIn } from '../../src/explorer/page/state';
import { pageHtml } from '../../src/explorer/explorer.route';

const NOW = new Date('2026-03-01T02:30:00Z'); // still Feb 28 in New York
const DEFAULTS = { bot: 'st-demo-retail', timeZone: 'America/New_York' };

describe('explorer state in the URL', () => {
  it('dates: today is per time zone, presets end today and include it', () => {
    expect(todayIn('UTC', NOW)).toBe('2026-03-01');
    expect(todayIn('America/New_York', NOW)).toBe('2026-02-28');
    expect(todayIn('Mars/Olympus', NOW)).toBeUndefined();
    expect(presetRange('7', 'America/New_York', NOW)).toEqual({ start: '2026-02-22', end: '2026-02-28' });
    expect(presetRange('90', 'UTC', NOW)).toEqual({ start: '2025-12-02', end: '2026-03-01' });
    expect(daysIn('2025-12-02', '2026-03-01')).toBe(90);
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
  });

  it('an empty query gets the defaults: first demo bot, last 30 days, the browser zone', () => {
    expect(stateFromQuery('', DEFAULTS, NOW)).toEqual({
      bot: 'st-demo-retail',
      preset: '30',
      start: '2026-01-30',
      end: '2026-02-28',
      timeZone: 'America/New_York',
      channel: '',
      conversationType: 'ALL',
      conversationStatus: 'ALL',
    });
  });

  it('round-trips every control; presets are kept by name, custom ranges by dates', () => {
    const custom = stateFromQuery(
      '?bot=st-x&range=custom&start=2025-12-01&end=2025-12-07&tz=Europe%2FBerlin&channel=rtm&type=INTERACTIVE&status=CLOSED',
      DEFAULTS,
      NOW,
    );
    expect(stateFromQuery(queryFromState(custom), DEFAULTS, NOW)).toEqual(custom);
    expect(queryFromState(custom)).toBe(
      '?bot=st-x&range=custom&start=2025-12-01&end=2025-12-07&tz=Europe%2FBerlin&channel=rtm&type=INTERACTIVE&status=CLOSED',
    );
    const preset = stateFromQuery('?bot=st-x&range=7&tz=UTC', DEFAULTS, NOW);
    expect(queryFromState(preset)).toBe('?bot=st-x&range=7&tz=UTC');
  });

  it('dates without a preset mean custom; unknown choices fall back instead of failing', () => {
    expect(stateFromQuery('?start=2025-12-01&end=2025-12-02', DEFAULTS, NOW).preset).toBe('custom');
    const odd = stateFromQuery('?range=12&type=SOME&status=nope', DEFAULTS, NOW);
    expect([odd.preset, odd.conversationType, odd.conversationStatus]).toEqual(['30', 'ALL', 'ALL']);
    // Impossible dates are kept as typed: the API names what is wrong, and a shared link shows the same.
    expect(stateFromQuery('?range=custom&start=2025-12-10&end=2025-12-01', DEFAULTS, NOW)).toMatchObject({
      start: '2025-12-10',
      end: '2025-12-01',
    });
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
