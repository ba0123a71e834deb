/**
 * GraphQL errors → sentences for people, keyed by the API's stable `extensions.code`. Pure (no DOM),
 * unit-tested in jest. `field` names the control to mark when an argument is at fault.
 */

export interface ApiError {
  readonly message: string;
  /** Where in the answer the error is (`["bot", "upstreamBudget"]`); absent for the whole request. */
  readonly path?: ReadonlyArray<string | number>;
  readonly extensions?: { readonly code?: unknown; readonly [key: string]: unknown };
}

export interface PlainError {
  readonly title: string;
  readonly detail: string;
  /** The control at fault (an element id on the page), when there is one. */
  readonly field?: 'bot' | 'dates' | 'timeZone' | 'channel' | 'token';
}

/** API argument paths (`range.end`, `filters.timeZone`) → the control and how the page calls it. */
const ARGUMENTS: Record<string, { field: NonNullable<PlainError['field']>; label: string }> = {
  botId: { field: 'bot', label: 'Bot id' },
  range: { field: 'dates', label: 'Date range' },
  'range.start': { field: 'dates', label: 'Start date' },
  'range.end': { field: 'dates', label: 'End date' },
  'range.preset': { field: 'dates', label: 'Date range' },
  'filters.timeZone': { field: 'timeZone', label: 'Time zone' },
  'filters.channel': { field: 'channel', label: 'Channel' },
};

/** The part of the API's message after "Invalid argument x: ", which already says what is wrong. */
const reason = (message: string) => message.replace(/^Invalid argument [\w.$]+: /, '');

export function plainError(error: ApiError, botId: string): PlainError {
  const code = typeof error.extensions?.code === 'string' ? error.extensions.code : 'UNKNOWN';
  switch (code) {
    case 'BAD_USER_INPUT': {
      const path = typeof error.extensions?.argument === 'string' ? error.extensions.argument : '';
      const argument = ARGUMENTS[path] ?? ARGUMENTS[path.split('.')[0]] ?? (path.startsWith('range') ? ARGUMENTS.range : undefined);
      return argument
        ? { title: `${argument.label} is not accepted`, detail: reason(error.message), field: argument.field }
        : { title: 'An argument is not accepted', detail: error.message };
    }
    case 'RATE_LIMITED': {
      const after = Number(error.extensions?.retryAfter);
      const when =
        Number.isFinite(after) && after > 0 ? `in ${Math.ceil(after)} second${Math.ceil(after) === 1 ? '' : 's'}` : 'in a minute';
      return {
        title: 'Kore.ai is rate-limiting this bot',
        detail: `Its analytics allow a few calls a minute per bot, shared by everyone. Try again ${when}.`,
      };
    }
    case 'FORBIDDEN':
      return {
        title: 'This bot is not yours to see',
        detail: `Your token does not list ${botId}. Ask for a token that includes it, or pick another bot.`,
        field: 'bot',
      };
    case 'UNAUTHENTICATED':
      return {
        title: 'Sign-in needed',
        detail: 'This server asks for a caller token. Paste one under "Token" (it stays in this browser tab).',
        field: 'token',
      };
    case 'BOT_NOT_CONFIGURED':
      return { title: 'No Kore.ai app for this bot', detail: `This server has no Kore.ai credentials for ${botId}.`, field: 'bot' };
    case 'UPSTREAM_TIMEOUT':
    case 'UPSTREAM_UNAVAILABLE':
    case 'UPSTREAM_BAD_RESPONSE':
      return { title: 'Kore.ai did not answer properly', detail: `${error.message} Try again shortly.` };
    case 'UPSTREAM_UNAUTHENTICATED':
    case 'UPSTREAM_REJECTED':
      return { title: 'Kore.ai refused the question', detail: error.message };
    case 'UPSTREAM_UNSUPPORTED':
      return { title: 'Not available from this Kore.ai API', detail: error.message };
    case 'COST_LIMIT_EXCEEDED':
    case 'OPERATION_LIMIT_EXCEEDED':
      return { title: 'The server refused the question', detail: error.message };
    default:
      return { title: 'Something went wrong', detail: error.message };
  }
}

/**
 * The error the view's box shows: the first one not under `bot`. That root field only feeds the
 * budget line, which is left out when it failed; the trend's own errors (a refused bot fails both,
 * and names the trend's `botId` argument, which marks the bot field) and the request's are shown.
 */
export function viewError(errors: readonly ApiError[]): ApiError | undefined {
  return errors.find((error) => error.path?.[0] !== 'bot');
}

/** Neither GraphQL errors nor data: the server could not be reached or did not answer GraphQL. */
export function networkError(status: number | undefined): PlainError {
  return status === undefined
    ? { title: 'The server cannot be reached', detail: 'Check that Engagement Graph is running, then try again.' }
    : { title: 'The server answered with an error', detail: `HTTP ${status}. Try again shortly.` };
}
