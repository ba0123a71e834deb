/**
 * Kore.ai's JSON as it arrives: the v1 and v2 User Engagement Trend bodies and the error body, as
 * documented (/work/shared/upstream, UPSTREAM.md), and the one step that checks a parsed body has
 * that shape before the mapper walks it.
 *
 * The check is structural: objects, lists and date labels that are strings. Counts stay `unknown`
 * here because Kore documents them inconsistently (v1's sample shows a string placeholder) and
 * because only rows inside the asked range are read: the mapper checks each count it keeps
 * (parseCount), so a row it drops is never judged by its counts. Unknown keys are allowed
 * everywhere; Kore adds fields without notice.
 */

/** Thrown for a body this API cannot read; the client maps it to UPSTREAM_BAD_RESPONSE. `where` is a path, never a value. */
export class MalformedBodyError extends Error {
  constructor(readonly where: string) {
    super(`upstream body is malformed at ${where}`);
    this.name = 'MalformedBodyError';
  }
}

/**
 * One day of a trend: `{"date":"Dec 01 2025","users":3}` (daily) or the date and 24 hour keys
 * `"0 - 1"` … `"23 - 0"` (hourly; keys may be left out). Values are read by key: `users` or an
 * hour key from labels.ts.
 */
export interface KoreDayRow {
  readonly date: string;
  readonly [key: string]: unknown;
}

/** v1: `{"results":[row…],"totalResults":n}` for either aggregation. */
export interface KoreV1Body {
  readonly results: readonly KoreDayRow[];
  readonly totalResults?: unknown;
}

/** v2's totals; documented as numbers (the averages as fractions), checked by the mapper. */
export interface KoreSummary {
  readonly uniqueUsers: unknown;
  readonly newUsers: unknown;
  readonly returningUsers: unknown;
  readonly avgUniqueUsersPerDay: unknown;
  readonly avgNewUsersPerDay: unknown;
  readonly avgReturningUsersPerDay: unknown;
}

export interface KoreTrend {
  readonly dataPoints: readonly KoreDayRow[];
}

/**
 * v2: a summary and up to three trends. The documented daily sample carries only the unique trend,
 * so the other two may be missing (or null); `filters` echoes the question and is not read.
 */
export interface KoreV2Body {
  readonly summary: KoreSummary;
  readonly uniqueUsersTrend: KoreTrend;
  readonly newUsersTrend: KoreTrend | null;
  readonly returningUsersTrend: KoreTrend | null;
  readonly filters?: unknown;
}

/** `{"errors":[{"msg":"…","code":N}]}`; `code` is Kore's, not always the HTTP status. */
export interface KoreErrorBody {
  readonly errors: ReadonlyArray<{ readonly msg?: unknown; readonly code?: unknown }>;
}

type JsonObject = { readonly [key: string]: unknown };

function object(value: unknown, where: string): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new MalformedBodyError(where);
  return value as JsonObject;
}

function rows(value: unknown, where: string): KoreDayRow[] {
  if (!Array.isArray(value)) throw new MalformedBodyError(where);
  for (let i = 0; i < value.length; i++) {
    if (typeof object(value[i], `${where}[${i}]`).date !== 'string') throw new MalformedBodyError(`${where}[${i}].date`);
  }
  return value as KoreDayRow[];
}

/** A trend, or null when the answer leaves it out. */
function trend(body: JsonObject, name: 'uniqueUsersTrend' | 'newUsersTrend' | 'returningUsersTrend'): KoreTrend | null {
  const value = body[name];
  if (value === undefined || value === null) return null;
  return { dataPoints: rows(object(value, name).dataPoints, `${name}.dataPoints`) };
}

/** A parsed v1 body, checked. */
export function readV1Body(json: unknown): KoreV1Body {
  const body = object(json, 'body');
  return { results: rows(body.results, 'results'), totalResults: body.totalResults };
}

/** A parsed v2 body, checked. */
export function readV2Body(json: unknown): KoreV2Body {
  const body = object(json, 'body');
  const summary = object(body.summary, 'summary') as unknown as KoreSummary;
  const uniqueUsersTrend = trend(body, 'uniqueUsersTrend');
  if (!uniqueUsersTrend) throw new MalformedBodyError('uniqueUsersTrend');
  return {
    summary,
    uniqueUsersTrend,
    newUsersTrend: trend(body, 'newUsersTrend'),
    returningUsersTrend: trend(body, 'returningUsersTrend'),
    filters: body.filters,
  };
}

/** Kore's error body from raw text, or undefined when the text is anything else (HTML from a proxy, nothing). */
export function readErrorBody(text: string): KoreErrorBody | undefined {
  try {
    const body: unknown = JSON.parse(text);
    const errors = body !== null && typeof body === 'object' ? (body as { errors?: unknown }).errors : undefined;
    // An entry that is not an object reads as one without msg or code (the first entry decides).
    return Array.isArray(errors)
      ? { errors: errors.map((e: unknown) => (e !== null && typeof e === 'object' ? (e as JsonObject) : {})) }
      : undefined;
  } catch {
    return undefined;
  }
}
