import fc from 'fast-check';
import { parseIsoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { DEMO_BOTS } from '../../src/emulator/world';
import { BOT_ID } from '../../src/engagement/engagement.validate';
import { startStack, trendCalls, type Stack } from '../helpers/stack';
import { testNow } from '../helpers/clock';

/**
 * Arbitrary strings in every argument, sent over HTTP as variables: the server may answer with
 * data or with a 4xx / field error, never with a 500, and every call it makes upstream carries
 * only values that passed validation (checked at the upstream, on what it actually received).
 */

const TREND = `query T($botId: ID!, $start: Date!, $end: Date!, $tz: String, $channel: String, $type: ConversationType, $status: ConversationStatus) {
  engagementTrend(botId: $botId, range: { start: $start, end: $end }, filters: { timeZone: $tz, channel: $channel, conversationType: $type, conversationStatus: $status }) {
    botId summary { uniqueUsers } series { uniqueUsers { users } } } }`;

const hostile = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '../x',
    '..%2F..%2Fx',
    '?a=b',
    '#frag',
    'a&b=c',
    '\r\nX-Injected: 1',
    '\u0000',
    '%00',
    '${jndi:x}',
    "' OR 1=1 --",
    'A'.repeat(5000),
  ),
);
const sometimes = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: hostile });
const day = fc.integer({ min: parseIsoDate('2024-12-01')!, max: parseIsoDate('2026-12-31')! });
const iso = (d: number) => new Date(d * 86_400_000).toISOString().slice(0, 10);
// Mostly plausible ranges (start plus up to 120 days, some too long), sometimes anything at all.
const range = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(day, fc.integer({ min: -3, max: 120 })).map(([d, n]) => ({ start: iso(d), end: iso(d + n) })) },
  { weight: 2, arbitrary: fc.record({ start: sometimes(day.map(iso)), end: sometimes(day.map(iso)) }) },
);
const args = fc.record({
  botId: sometimes(fc.constantFrom(...DEMO_BOTS.map((b) => b.id))),
  range,
  tz: fc.option(sometimes(fc.constantFrom('UTC', 'Europe/Berlin', 'asia/kolkata', 'America/New_York', 'Etc/GMT+5')), {
    nil: null,
    freq: 2,
  }),
  channel: fc.option(sometimes(fc.constantFrom('rtm', 'msteams', 'slack')), { nil: null, freq: 2 }),
  type: fc.option(sometimes(fc.constantFrom('ALL', 'INTERACTIVE', 'NON_INTERACTIVE')), { nil: null, freq: 2 }),
  status: fc.option(sometimes(fc.constantFrom('ALL', 'ACTIVE', 'CLOSED')), { nil: null, freq: 2 }),
});

const validZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.length <= 64;
  } catch {
    return false;
  }
};

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    env: { BUDGET_PER_MINUTE: '100000', BUDGET_PER_HOUR: '1000000' },
    emulator: { rateLimit: { perMinute: 1_000_000, perHour: 1_000_000 } },
  });
});
afterAll(() => stack.close());

describe('arbitrary argument strings', () => {
  it('never cause a 500 or an upstream call with an unvalidated value', async () => {
    let called = 0;
    await fc.assert(
      fc.asyncProperty(args, async (v) => {
        const from = stack.emulator!.calls.length;
        const variables = { ...v, range: undefined, start: v.range.start, end: v.range.end };
        const res = await fetch(`${stack.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: TREND, variables }),
        });
        expect([200, 400]).toContain(res.status);
        const body = (await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
        for (const e of body.errors ?? []) expect(e.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
        const calls = trendCalls(stack.emulator!, from);
        called += calls.length;
        for (const c of calls) {
          // What the upstream received is exactly what was asked, and valid.
          expect(c.botId).toBe(v.botId);
          expect(c.botId).toMatch(BOT_ID);
          expect(c.path).toBe(`/api/public/bot/${v.botId}/v2/userEngagementTrend`);
          const start = parseIsoDate(c.query.start_date);
          const end = parseIsoDate(c.query.end_date);
          expect(c.query.start_date).toBe(v.range.start);
          expect(c.query.end_date).toBe(v.range.end);
          expect(start !== null && end !== null && start <= end && end - start < 90).toBe(true);
          expect(start! <= todayIn('Pacific/Kiritimati', testNow())).toBe(true); // the stack's clock
          expect(validZone(c.query.timeZoneOffset)).toBe(true);
          if (c.query.channels !== undefined) expect(c.query.channels).toMatch(/^[A-Za-z0-9]{1,32}$/);
          expect(['All', 'Interactive', 'Non Interactive']).toContain(c.query.conversationType);
          expect(['All', 'Active', 'Closed']).toContain(c.query.conversationStatus);
        }
      }),
      { numRuns: 300 },
    );
    // The generator does reach valid requests: otherwise "no bad call" would prove nothing.
    expect(called).toBeGreaterThan(20);
  });
});
