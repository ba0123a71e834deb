import { valueFromASTUntyped, type OperationDefinitionNode } from 'graphql';
import { OperationLimitError } from '../errors';
import { MAX_VALUE_DEPTH } from '../security/body';
import { ConversationStatus, ConversationType, RangePreset, type DateRangeInput, type EngagementFilters } from './engagement.args';

/**
 * Raw variables as the planner reads them: before coercion, so hostile (deeply nested values,
 * `toString` traps, ids that are not strings) and possibly refused by coercion later. Each reader
 * returns the typed value coercion would produce, or undefined when coercion would refuse it; the
 * planner then counts the question by its raw key (`rawKey`), which may count twice, never low.
 */

export type Variables = Readonly<Record<string, unknown>>;

/**
 * JSON with sorted keys, so `{a,b}` and `{b,a}` are one question. Variables reach this raw (before
 * coercion), so the depth is bounded here too and not only by MAX_JSON_DEPTH at the HTTP layer:
 * past MAX_VALUE_DEPTH it refuses (HTTP 400) instead of exhausting the stack.
 */
export function stable(value: unknown, depth = 0): string {
  if (depth > MAX_VALUE_DEPTH) throw new OperationLimitError('json-depth', MAX_VALUE_DEPTH, undefined);
  if (Array.isArray(value)) return `[${value.map((v) => stable(v, depth + 1)).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k], depth + 1)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * A bot id as a raw key. `String()` is not safe on raw variables: it recurses through nested arrays
 * and throws on `{"toString": 1}`. Any non-string key differs from every string key, so two ids
 * share a key only if they are the same value.
 */
export const idKey = (id: unknown): string => (typeof id === 'string' ? id : `\u0000${stable(id)}`);

export const rawKey = (bot: unknown, range: unknown, filters: unknown) => `raw|${idKey(bot)}|${stable({ range, filters })}`;

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const onlyKeys = (value: Record<string, unknown>, allowed: readonly string[]) => Object.keys(value).every((k) => allowed.includes(k));
const TYPES: readonly string[] = Object.values(ConversationType);
const STATUSES: readonly string[] = Object.values(ConversationStatus);
const PRESETS: readonly string[] = Object.values(RangePreset);

/** An ID as coercion makes it: a string, or an integer's digits; undefined for anything else. */
export const asId = (raw: unknown): string | undefined =>
  typeof raw === 'string' ? raw : typeof raw === 'number' && Number.isInteger(raw) ? String(raw) : undefined;

/**
 * A raw range in the shape coercion accepts, or undefined (coercion would refuse the operation).
 * Both forms are read (dates and `preset`), and a range that gives both or neither is passed on as
 * it is: coercion accepts it, and validation (engagement.validate.ts) refuses it before any call, so
 * the planner counts it as the resolver answers it. A preset is resolved there too, so a preset and
 * the same explicit dates are one question to the planner as to the loaders.
 */
export function asRange(raw: unknown): DateRangeInput | undefined {
  if (!isRecord(raw) || !onlyKeys(raw, ['start', 'end', 'preset'])) return undefined;
  const { start, end, preset } = raw;
  const date = (v: unknown): v is string | null | undefined => v === undefined || v === null || typeof v === 'string';
  if (!date(start) || !date(end)) return undefined;
  if (preset !== undefined && preset !== null && !(typeof preset === 'string' && PRESETS.includes(preset))) return undefined;
  return { start, end, preset: preset as RangePreset | null | undefined };
}

/** Raw filters in the shape coercion accepts (null: omitted), or undefined. */
export function asFilters(raw: unknown): EngagementFilters | null | undefined {
  if (raw === undefined || raw === null) return null;
  if (!isRecord(raw) || !onlyKeys(raw, ['channel', 'conversationType', 'conversationStatus', 'timeZone'])) return undefined;
  const text = (v: unknown): v is string | null | undefined => v === undefined || v === null || typeof v === 'string';
  const { channel, conversationType: type, conversationStatus: status, timeZone } = raw;
  if (!text(channel) || !text(type) || !text(status) || !text(timeZone)) return undefined;
  if ((typeof type === 'string' && !TYPES.includes(type)) || (typeof status === 'string' && !STATUSES.includes(status))) return undefined;
  return {
    channel,
    conversationType: type as ConversationType | null | undefined,
    conversationStatus: status as ConversationStatus | null | undefined,
    timeZone,
  };
}

/** Raw variables with the operation's defaults for those not sent, as coercion fills them in. */
export function withDefaults(operation: OperationDefinitionNode, raw: Variables): Variables {
  // No prototype: `$constructor` must not find Object's.
  const variables: Record<string, unknown> = Object.assign(Object.create(null) as Record<string, unknown>, raw);
  for (const d of operation.variableDefinitions ?? []) {
    const name = d.variable.name.value;
    if (d.defaultValue && !Object.hasOwn(variables, name)) variables[name] = valueFromASTUntyped(d.defaultValue);
  }
  return variables;
}
