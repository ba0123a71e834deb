import fc from 'fast-check';
import { parseIsoDate } from '../../src/time/calendar';
import { computeMetrics, type MetricsQuery } from '../../src/emulator/metrics';
import { ACTIVE, DEMO_BOTS, INTERACTIVE, World } from '../../src/emulator/world';

const NOW = Date.parse('2026-03-15T13:37:00Z');
const world = new World();
const LAST_DAY = parseIsoDate('2026-03-15') as number;
const FIRST_DAY = parseIsoDate('2025-01-01') as number;
const ZONES = ['UTC', 'Asia/Kolkata', 'America/New_York', 'Europe/Berlin', 'Pacific/Auckland', 'Australia/Lord_Howe', 'America/St_Johns'];

const queryArb = (maxDays: number) =>
  fc.record({
    bot: fc.constantFrom(...DEMO_BOTS.map((b) => b.id)),
    start: fc.integer({ min: FIRST_DAY, max: LAST_DAY }),
    length: fc.integer({ min: 1, max: maxDays }),
    timeZone: fc.constantFrom(...ZONES),
    channel: fc.constantFrom(null, 'rtm', 'whatsapp', 'msteams', 'unknownchannel'),
    type: fc.constantFrom('all', 'interactive', 'non interactive' as const),
    status: fc.constantFrom('all', 'active', 'closed' as const),
  });

type Arb = {
  bot: string;
  start: number;
  length: number;
  timeZone: string;
  channel: string | null;
  type: MetricsQuery['type'];
  status: MetricsQuery['status'];
};
const toQuery = (a: Arb, hourly: boolean): MetricsQuery => ({
  startDay: a.start,
  endDay: Math.min(a.start + a.length - 1, LAST_DAY + 1),
  timeZone: a.timeZone,
  channel: a.channel,
  type: a.type,
  status: a.status,
  hourly,
});
const events = (bot: string) => world.events(bot, NOW) as NonNullable<ReturnType<World['events']>>;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('emulator numbers (property-based)', () => {
  it('returning = unique − new in every bucket; daily new users add up to the range; range unique bounds every day', () => {
    fc.assert(
      fc.property(queryArb(90), (a) => {
        const m = computeMetrics(events(a.bot), toQuery(a as Arb, false), NOW);
        for (const c of [m.summary, ...m.days]) expect(c.returning).toBe(c.unique - c.new);
        expect(sum(m.days.map((d) => d.new))).toBe(m.summary.new);
        for (const d of m.days) expect(d.unique).toBeLessThanOrEqual(m.summary.unique);
        expect(m.summary.unique).toBeLessThanOrEqual(sum(m.days.map((d) => d.unique)));
      }),
      { numRuns: 60 },
    );
  });

  it('hourly buckets agree with the days: new users per day add up, hour unique ≤ day unique', () => {
    fc.assert(
      fc.property(queryArb(7), (a) => {
        const m = computeMetrics(events(a.bot), toQuery(a as Arb, true), NOW);
        const hours = m.hours ?? [];
        expect(hours).toHaveLength(m.days.length * 24);
        m.days.forEach((day, d) => {
          const slice = hours.slice(d * 24, d * 24 + 24);
          expect(sum(slice.map((h) => h.new))).toBe(day.new);
          for (const h of slice) {
            expect(h.returning).toBe(h.unique - h.new);
            expect(h.unique).toBeLessThanOrEqual(day.unique);
          }
        });
      }),
      { numRuns: 40 },
    );
  });

  it('matches a brute-force count that asks Intl about every session', () => {
    fc.assert(
      fc.property(queryArb(3), (a) => {
        const q = toQuery(a as Arb, false);
        const ev = events(a.bot);
        const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: q.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
        const dayOf = (ts: number) => parseIsoDate(fmt.format(ts)) as number;
        const ch = q.channel === null ? -1 : ev.channels.indexOf(q.channel);
        const match = (i: number) =>
          (q.channel === null || ev.channel[i] === ch) &&
          (q.type === 'all' || ((ev.flags[i] & INTERACTIVE) !== 0) === (q.type === 'interactive')) &&
          (q.status === 'all' || ((ev.flags[i] & ACTIVE) !== 0) === (q.status === 'active'));
        const firstDay = new Map<number, number>();
        const users = Array.from({ length: q.endDay - q.startDay + 1 }, () => new Set<number>());
        for (let i = 0; i < ev.ts.length && ev.ts[i] <= NOW; i++) {
          if (!match(i)) continue;
          const day = dayOf(ev.ts[i]);
          if (!firstDay.has(ev.user[i])) firstDay.set(ev.user[i], day);
          if (day >= q.startDay && day <= q.endDay) users[day - q.startDay].add(ev.user[i]);
        }
        const m = computeMetrics(ev, q, NOW);
        users.forEach((set, d) => {
          expect(m.days[d].unique).toBe(set.size);
          expect(m.days[d].new).toBe([...set].filter((u) => firstDay.get(u) === q.startDay + d).length);
        });
      }),
      { numRuns: 12 },
    );
  });

  it('is deterministic: two worlds built apart hold the same sessions', () => {
    const other = new World().events('st-demo-banking', NOW);
    const mine = events('st-demo-banking');
    expect(other?.ts.length).toBe(mine.ts.length);
    expect(other?.ts.slice(-500)).toEqual(mine.ts.slice(-500));
    expect(other?.user.slice(-500)).toEqual(mine.user.slice(-500));
  });

  it('has months of sessions with a weekly rhythm and several channels', () => {
    const ev = events('st-demo-retail');
    expect(ev.ts[0]).toBeLessThan(Date.parse('2025-01-02T00:00:00Z'));
    expect(new Set(ev.channel).size).toBeGreaterThanOrEqual(3);
    const m = computeMetrics(
      ev,
      { startDay: LAST_DAY - 55, endDay: LAST_DAY - 1, timeZone: 'UTC', channel: null, type: 'all', status: 'all', hourly: false },
      NOW,
    );
    const byWeekday = [0, 0, 0, 0, 0, 0, 0];
    m.days.forEach((d, i) => (byWeekday[(LAST_DAY - 55 + i + 4) % 7] += d.unique));
    expect(byWeekday[6]).toBeGreaterThan(byWeekday[2] * 1.2); // retail: Saturdays busier than Tuesdays
  });

  it('counts nothing after "now": the rest of today is still empty', () => {
    const ev = events('st-demo-travel');
    const m = computeMetrics(
      ev,
      { startDay: LAST_DAY, endDay: LAST_DAY, timeZone: 'UTC', channel: null, type: 'all', status: 'all', hourly: true },
      NOW,
    );
    const hours = m.hours ?? [];
    expect(sum(hours.slice(0, 13).map((h) => h.unique))).toBeGreaterThan(0);
    expect(sum(hours.slice(14).map((h) => h.unique))).toBe(0);
  });
});
