import type { UpstreamRequest } from '../../engagement/model';
import { isoDate } from '../../time/calendar';
import { CAPABILITIES } from './capabilities';

/**
 * One engagement question in Kore.ai's spellings: path, query string and body per API version.
 * What a version can be asked at all is capabilities.ts's; validation refuses the rest before a
 * request is ever built, so a filter a version lacks never reaches here with a non-default value.
 */

const CONVERSATION_TYPE = { ALL: 'All', INTERACTIVE: 'Interactive', NON_INTERACTIVE: 'Non Interactive' } as const;
const CONVERSATION_STATUS = { ALL: 'All', ACTIVE: 'Active', CLOSED: 'Closed' } as const;
/** v1 capitalizes aggregation types (`Daily`), v2 does not (`daily`). */
const AGGREGATION = { v1: { daily: 'Daily', hourly: 'Hourly' }, v2: { daily: 'daily', hourly: 'hourly' } } as const;

/** Path for a request; the bot id is validated upstream of here and encoded again regardless. */
export function trendPath(req: UpstreamRequest): string {
  const bot = encodeURIComponent(req.botId);
  return req.version === 'v2' ? `/api/public/bot/${bot}/v2/userEngagementTrend` : `/api/public/bot/${bot}/userEngagementTrend`;
}

/** Query string in Kore's spellings: only the parameters the version takes (conversation filters, a zone). */
export function trendQuery(req: UpstreamRequest): string {
  const can = CAPABILITIES[req.version];
  const params: Array<[string, string]> = [
    ['aggregation_type', AGGREGATION[req.version][req.granularity]],
    ['start_date', isoDate(req.startDay)],
    ['end_date', isoDate(req.endDay)],
  ];
  if (can.filters.conversationType) params.push(['conversationType', CONVERSATION_TYPE[req.conversationType]]);
  if (can.filters.conversationStatus) params.push(['conversationStatus', CONVERSATION_STATUS[req.conversationStatus]]);
  // Kore's default zone is undocumented: a version that takes one is always sent one.
  if (can.timeZone === 'any') params.push(['timeZoneOffset', req.timeZone]);
  if (req.channel && can.filters.channel) params.push(['channels', req.channel]);
  // encodeURIComponent, not URLSearchParams: spaces go as %20 ("Non%20Interactive"), `/` as %2F.
  return params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
}

/** The POST body: v1's page documents a JSON body (its own sample contradicts it), so v1 gets `{}`; v2 none. */
export function trendBody(req: UpstreamRequest): string | undefined {
  return req.version === 'v1' ? '{}' : undefined;
}
