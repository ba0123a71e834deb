import { isoDate, parseIsoDate } from '../../src/time/calendar';
import { ConversationStatus, ConversationType, RangePreset, type EngagementFilters } from '../../src/engagement/engagement.args';
import { validateTrendArgs } from '../../src/engagement/engagement.validate';
import { BadUserInputError, UpstreamUnsupportedError } from '../../src/errors';

const NOW = Date.parse('2025-12-10T12:00:00Z');
const limits = { maxRangeDaysDaily: 90, maxRangeDaysHourly: 31, v1TimeZone: 'UTC' };
const filters = (f: Partial<EngagementFilters> = {}): EngagementFilters => ({
  conversationType: ConversationType.ALL,
  conversationStatus: ConversationStatus.ALL,
  timeZone: 'UTC',
  ...f,
});
const run = (
  over: { botId?: string; start?: string; end?: string; f?: Partial<EngagementFilters>; hourly?: boolean; version?: 'v1' | 'v2' } = {},
) =>
  validateTrendArgs(
    over.version ?? 'v2',
    over.botId ?? 'st-demo-retail',
    { start: over.start ?? '2025-12-01', end: over.end ?? '2025-12-05' },
    filters(over.f),
    over.hourly ?? false,
    limits,
    NOW,
  );

function argumentOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof BadUserInputError) return error.argument;
    throw error;
  }
  throw new Error('expected BadUserInputError');
}

describe('argument validation', () => {
  it('returns the canonical question for good input', () => {
    const q = run({ f: { channel: 'rtm', timeZone: 'Asia/Kolkata', conversationType: ConversationType.NON_INTERACTIVE } });
    expect(q).toMatchObject({
      version: 'v2',
      botId: 'st-demo-retail',
      channel: 'rtm',
      conversationType: 'NON_INTERACTIVE',
      conversationStatus: 'ALL',
    });
    expect(isoDate(q.startDay)).toBe('2025-12-01');
    expect(q.endDay - q.startDay).toBe(4);
  });

  it.each<[string, Parameters<typeof run>[0], string]>([
    ['a bot id with a path', { botId: '../admin' }, 'botId'],
    ['a bot id with a query', { botId: 'st-1?x=1' }, 'botId'],
    ['an encoded slash', { botId: 'st%2F1' }, 'botId'],
    ['an empty bot id', { botId: '' }, 'botId'],
    ['a 65-character bot id', { botId: 'a'.repeat(65) }, 'botId'],
    ['an unknown zone', { f: { timeZone: 'Mars/Base' } }, 'filters.timeZone'],
    ['an injected zone', { f: { timeZone: 'UTC&channels=x' } }, 'filters.timeZone'],
    ['a channel with punctuation', { f: { channel: 'rtm,slack' } }, 'filters.channel'],
    ['an empty channel', { f: { channel: '' } }, 'filters.channel'],
    ['start after end', { start: '2025-12-05', end: '2025-12-01' }, 'range'],
    ['a date before 2000', { start: '1999-12-31' }, 'range.start'],
    ['a start after today', { start: '2025-12-11', end: '2025-12-12' }, 'range.start'],
    ['91 daily days', { start: '2025-09-01', end: '2025-11-30' }, 'range'],
    ['32 days with hourly', { start: '2025-11-01', end: '2025-12-02', hourly: true }, 'range'],
    ['an impossible date', { end: '2025-02-30' }, 'range.end'],
  ])('refuses %s, naming %s', (_name, input, argument) => {
    expect(argumentOf(() => run(input))).toBe(argument);
  });

  it('reads the form of the range before its dates: a preset beside a malformed date names range, not range.start', () => {
    const ask = (range: { start?: string; end?: string; preset?: RangePreset }) => () =>
      validateTrendArgs('v2', 'st-demo-retail', range, filters(), false, limits, NOW);
    expect(argumentOf(ask({ start: 'soon', preset: RangePreset.TODAY }))).toBe('range');
    expect(argumentOf(ask({ end: '2025-12-05' }))).toBe('range');
    expect(argumentOf(ask({}))).toBe('range');
    expect(isoDate(ask({ preset: RangePreset.YESTERDAY })().startDay)).toBe('2025-12-09');
  });

  it('allows exactly the caps', () => {
    expect(() => run({ start: '2025-09-02', end: '2025-11-30' })).not.toThrow(); // 90 days
    expect(() => run({ start: '2025-11-01', end: '2025-12-01', hourly: true })).not.toThrow(); // 31 days
  });

  it('judges "today" in the requested zone', () => {
    const lateUtc = Date.parse('2025-12-10T23:30:00Z'); // already Dec 11 in Auckland
    const ask = (timeZone: string) =>
      validateTrendArgs('v2', 'b', { start: '2025-12-11', end: '2025-12-11' }, filters({ timeZone }), false, limits, lateUtc);
    expect(() => ask('Pacific/Auckland')).not.toThrow();
    expect(() => ask('UTC')).toThrow(BadUserInputError);
  });

  it('refuses on v1 what v1 cannot filter by', () => {
    expect(() => run({ version: 'v1', f: { conversationType: ConversationType.INTERACTIVE } })).toThrow(UpstreamUnsupportedError);
    expect(() => run({ version: 'v1', f: { conversationStatus: ConversationStatus.CLOSED } })).toThrow(UpstreamUnsupportedError);
    expect(() => run({ version: 'v1', f: { timeZone: 'Europe/Berlin' } })).toThrow(UpstreamUnsupportedError);
    expect(run({ version: 'v1', f: { channel: 'rtm' } }).channel).toBe('rtm');
  });

  it('checks input before support: bad input on v1 is still BAD_USER_INPUT', () => {
    expect(argumentOf(() => run({ version: 'v1', botId: '#', f: { timeZone: 'Europe/Berlin' } }))).toBe('botId');
  });

  it('accepts every real day of a leap year', () => {
    for (let d = parseIsoDate('2024-01-01') as number; d <= (parseIsoDate('2024-12-31') as number); d += 7) {
      expect(() => run({ start: isoDate(d), end: isoDate(d) })).not.toThrow();
    }
  });
});
