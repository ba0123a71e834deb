/**
 * The nesting limit for the JSON a request carries (MAX_JSON_DEPTH), checked on the raw text
 * before anything parses or walks it.
 *
 * Everything downstream that walks request JSON recurses: graphql-js's variable coercion, Apollo's
 * request handling, JSON.stringify (operation-cache keys), the cost estimator. A few kilobytes of
 * `[[[[…` are enough to exhaust the stack in any of them, so the depth is bounded once, here, for
 * every place Apollo reads JSON from: the POST body, and a GET's `variables` and `extensions`
 * parameters (counted as if they sat in a body's envelope object, so both spellings of one request
 * have the same depth). The deepest input this schema legitimately takes is a representation in
 * `_entities` (body → variables → list → object): four levels.
 */

/**
 * The deepest any walker in this code base must handle: the top of MAX_JSON_DEPTH's range, and the
 * depth at which the cost estimator gives up. Far below what exhausts the default stack.
 */
export const MAX_VALUE_DEPTH = 1000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * Whether a JSON text opens more than `max` arrays or objects inside one another, starting at
 * `depth`. One pass over the characters with a counter, so it cannot overflow and stops at the
 * first level too many. Brackets inside strings do not count. Invalid JSON is counted the same way
 * and refused by the parser afterwards; any text that parses is counted exactly.
 */
export function jsonNestsDeeperThan(text: string, max: number, depth = 0): boolean {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) return true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
  }
  return false;
}

/** The GET parameters Apollo Server parses as JSON (every copy: a repeated one is refused later, but only after parsing). */
const JSON_PARAMETERS = ['variables', 'extensions'] as const;

/**
 * Whether the JSON of a request nests deeper than `max`: the POST body (`body`, as read) or the
 * JSON parameters of the query string. The envelope object of a POST body is level 1.
 */
export function requestJsonTooDeep(body: string | undefined, search: URLSearchParams, max: number): boolean {
  if (body !== undefined) return jsonNestsDeeperThan(body, max);
  for (const name of JSON_PARAMETERS) {
    for (const value of search.getAll(name)) if (jsonNestsDeeperThan(value, max, 1)) return true;
  }
  return false;
}

/**
 * The client went away before its body arrived (Node's "aborted", ECONNRESET): nobody is left to
 * answer, and it is no fault of ours, so it is not an error-level event.
 */
export const isAbortedBody = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === 'ECONNRESET';
