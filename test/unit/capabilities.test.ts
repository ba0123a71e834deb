import type { ApiVersion } from '../../src/engagement/model';
import { ConversationStatus, ConversationType, type EngagementFilters } from '../../src/engagement/engagement.args';
import { validateTrendArgs } from '../../src/engagement/engagement.validate';
import { UpstreamUnsupportedError } from '../../src/errors';
import { CAPABILITIES, mapTrend, trendQuery } from '../../src/upstream/kore';
import { fullBody, upstreamReq } from '../helpers/kore-bodies';

/**
 * One row per API version decides what it can be asked and answer: validation refuses what the row
 * lacks, the request builder sends only what the row takes, and the mapper's answers lack exactly
 * what the row lacks. (The resolvers' field errors: test/integration/capabilities.test.ts.)
 */

const VERSIONS = Object.keys(CAPABILITIES) as ApiVersion[];
const NOW = Date.parse('2025-12-10T12:00:00Z');
const FIXED_ZONE = 'UTC';
const limits = { maxRangeDaysDaily: 90, maxRangeDaysHourly: 31, v1TimeZone: FIXED_ZONE };
const ask = (version: ApiVersion, f: Partial<EngagementFilters>) =>
  validateTrendArgs(version, 'st-1', { start: '2025-12-01', end: '2025-12-05' }, { timeZone: FIXED_ZONE, ...f }, false, limits, NOW);

function refusal(fn: () => unknown): UpstreamUnsupportedError | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof UpstreamUnsupportedError) return error;
    throw error;
  }
  return undefined;
}

it('holds what Kore.ai documents: v1 has unique users only and one zone, v2 everything', () => {
  expect(CAPABILITIES.v1).toEqual({
    summary: false,
    daily: { uniqueUsers: true, newUsers: false, returningUsers: false },
    hourly: { uniqueUsers: true, newUsers: false, returningUsers: false },
    filters: { channel: true, conversationType: false, conversationStatus: false },
    timeZone: 'fixed',
  });
  expect(CAPABILITIES.v2).toEqual({
    summary: true,
    daily: { uniqueUsers: true, newUsers: true, returningUsers: true },
    hourly: { uniqueUsers: true, newUsers: true, returningUsers: true },
    filters: { channel: true, conversationType: true, conversationStatus: true },
    timeZone: 'any',
  });
});

describe.each(VERSIONS)('API %s: its row drives validation', (version) => {
  const can = CAPABILITIES[version];

  it('accepts the default question', () => {
    expect(ask(version, {}).version).toBe(version);
  });

  it.each<[string, Partial<EngagementFilters>, (c: typeof can) => boolean]>([
    ['a conversation type', { conversationType: ConversationType.INTERACTIVE }, (c) => c.filters.conversationType],
    ['a conversation status', { conversationStatus: ConversationStatus.CLOSED }, (c) => c.filters.conversationStatus],
    ['a channel', { channel: 'rtm' }, (c) => c.filters.channel],
    ['a zone other than the configured one', { timeZone: 'Europe/Berlin' }, (c) => c.timeZone === 'any'],
  ])('%s is refused with UPSTREAM_UNSUPPORTED exactly when the row lacks it', (_name, filters, allowed) => {
    const error = refusal(() => ask(version, filters));
    if (allowed(can)) {
      expect(error).toBeUndefined();
    } else {
      expect(error?.extensions).toMatchObject({ code: 'UPSTREAM_UNSUPPORTED', apiVersion: version });
    }
  });
});

describe.each(VERSIONS)('API %s: its row matches the wire', (version) => {
  const can = CAPABILITIES[version];

  it('sends conversation filters and a zone only when the row takes them', () => {
    const params = new URLSearchParams(trendQuery(upstreamReq(version, 'daily', '2025-12-01', '2025-12-02')));
    expect(params.has('conversationType')).toBe(can.filters.conversationType);
    expect(params.has('conversationStatus')).toBe(can.filters.conversationStatus);
    expect(params.has('timeZoneOffset')).toBe(can.timeZone === 'any');
  });

  it('maps a complete daily answer to exactly what the row provides', () => {
    const data = mapTrend(
      fullBody(upstreamReq(version, 'daily', '2025-12-01', '2025-12-03')),
      upstreamReq(version, 'daily', '2025-12-01', '2025-12-03'),
    );
    expect(data.version).toBe(version);
    expect(data.summary !== null).toBe(can.summary);
    expect(data.series?.uniqueUsers).toHaveLength(3);
    expect(data.series?.newUsers != null).toBe(can.daily.newUsers);
    expect(data.series?.returningUsers != null).toBe(can.daily.returningUsers);
  });

  it('maps a complete hourly answer to exactly what the row provides', () => {
    const req = upstreamReq(version, 'hourly', '2025-12-01', '2025-12-02');
    const data = mapTrend(fullBody(req), req);
    expect(data.summary !== null).toBe(can.summary);
    expect(data.hourly).toHaveLength(48);
    expect(
      data.hourly?.every((b) => (b.newUsers !== null) === can.hourly.newUsers && (b.returningUsers !== null) === can.hourly.returningUsers),
    ).toBe(true);
  });
});
