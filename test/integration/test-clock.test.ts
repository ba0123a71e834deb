import { isoDate } from '../../src/time/calendar';
import { todayIn } from '../../src/time/zones';
import { testNow } from '../helpers/clock';
import { codes, startStack } from '../helpers/stack';

/**
 * The test stacks' "today" is the one tests compute: stack.ts gives every in-process stack without
 * a clock of its own the shared test clock, and validation reads the clock the stack was given.
 * Were either link broken, tests would again compare a "today" fixed at load time with the
 * server's real one, and fail on runs that cross midnight.
 */

const summary = (start: string, end: string) =>
  `{ engagementTrend(botId: "st-demo-retail", range: { start: "${start}", end: "${end}" }) { summary { uniqueUsers } } }`;

describe('the test clock', () => {
  it('a default stack validates "today" on testNow(): today is asked about, tomorrow is refused naming that day', async () => {
    const stack = await startStack();
    try {
      const today = todayIn('UTC', testNow());
      expect((await stack.gql(summary(isoDate(today - 2), isoDate(today)))).body.errors).toBeUndefined();
      const { body } = await stack.gql(summary(isoDate(today + 1), isoDate(today + 1)));
      expect(codes(body)).toEqual(['BAD_USER_INPUT']);
      expect(body.errors?.[0].message).toContain(`must not be after today (${isoDate(today)} in UTC)`);
    } finally {
      await stack.close();
    }
  });

  it('a stack given its own clock validates on that clock', async () => {
    const stack = await startStack({ now: () => Date.parse('2025-06-01T12:00:00Z') });
    try {
      expect((await stack.gql(summary('2025-05-30', '2025-06-01'))).body.errors).toBeUndefined();
      const { body } = await stack.gql(summary('2025-06-02', '2025-06-02'));
      expect(body.errors?.[0].message).toContain('must not be after today (2025-06-01 in UTC)');
    } finally {
      await stack.close();
    }
  });
});
