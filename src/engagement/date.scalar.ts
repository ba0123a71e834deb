import { GraphQLScalarType, Kind } from 'graphql';
import { parseIsoDate } from '../time/calendar';
import { InvalidDateError } from '../errors';

/**
 * `Date`: a calendar date as `YYYY-MM-DD`. Internally the ISO string itself, checked to be a real
 * date (2025-02-30 is refused). Errors are InvalidDateError so clients get BAD_USER_INPUT whether
 * the date came inline or as a variable (formatError recognizes them inside validation errors).
 */
function parse(value: unknown): string {
  if (typeof value !== 'string' || parseIsoDate(value) === null) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
    throw new InvalidDateError(shown);
  }
  return value;
}

export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date in ISO 8601 form, `YYYY-MM-DD` (for example `2025-12-01`). Only real dates are accepted.',
  specifiedByURL: 'https://www.rfc-editor.org/rfc/rfc3339#section-5.6',
  serialize: (value) => {
    if (typeof value === 'string' && parseIsoDate(value) !== null) return value;
    throw new TypeError('Date cannot represent this value');
  },
  parseValue: parse,
  parseLiteral: (ast) => parse(ast.kind === Kind.STRING ? ast.value : ast.kind),
});
