/**
 * Kore.ai's User Engagement Trend API, the one module that knows its wire: what each version can
 * answer (capabilities), how a question is spelled (request), what comes back (wire, labels), how it
 * becomes domain data (mapper) and how failures become client errors (errors). The rest of the
 * service uses the client and the table; the built-in upstream (src/emulator) uses the labels.
 */
export { CAPABILITIES, provides, type Capabilities, type TrendCounts } from './capabilities';
export { createKoreClient, type CallTrace, type KoreClient, type KoreClientOptions, type UpstreamLog } from './client';
export { parseRetryAfter, upstreamErrorFrom, type UpstreamFailure } from './errors';
export { HOUR_KEYS, koreDate, koreHourKey, parseKoreDate } from './labels';
export { MalformedBodyError, mapTrend, parseCount } from './mapper';
export { trendBody, trendPath, trendQuery } from './request';
