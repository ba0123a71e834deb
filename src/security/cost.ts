import {
  Kind,
  valueFromASTUntyped,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { OperationLimitError } from '../errors';
import { MAX_VALUE_DEPTH } from './body';

/**
 * The cost of an operation in Kore.ai calls: an upper bound on the distinct upstream requests it
 * can cause, computed from the document and raw variables before anything executes.
 *
 * Every `engagementTrend` (on Query, on `bot(id:)` or on `_entities` representations) contributes
 * one key per granularity its selection needs, exactly as loaders.ts plans calls: `hourly` → an
 * hourly call; `series`, or `summary` without `hourly` → a daily call. Keys are (bot, arguments,
 * granularity), so repeating a question under many aliases or fragments costs once, while every
 * different range, filter or bot costs again. Arguments are compared as written (after variables),
 * so two spellings of one question may count twice: the estimate never counts low.
 */

type Variables = Readonly<Record<string, unknown>>;
type Scope = { kind: 'query' } | { kind: 'bots'; ids: readonly string[] };

/**
 * JSON with sorted keys, so `{a,b}` and `{b,a}` are one question. Variables reach this raw (before
 * coercion), so the depth is bounded here too and not only by MAX_JSON_DEPTH at the HTTP layer:
 * past MAX_VALUE_DEPTH it refuses (HTTP 400) instead of exhausting the stack.
 */
function stable(value: unknown, depth = 0): string {
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
 * A bot id as a key. `String()` is not safe on raw variables: it recurses through nested arrays and
 * throws on `{"toString": 1}`. Any non-string key differs from every string key, so two ids share
 * a key only if they are the same value: the estimate still never counts low.
 */
const idKey = (id: unknown): string => (typeof id === 'string' ? id : `\u0000${stable(id)}`);

/** @skip/@include: a literal or a variable that is a boolean decides; anything else counts as included. */
function included(directives: readonly DirectiveNode[] | undefined, variables: Variables): boolean {
  for (const d of directives ?? []) {
    if (d.name.value !== 'skip' && d.name.value !== 'include') continue;
    const arg = d.arguments?.find((a) => a.name.value === 'if');
    const value = arg ? valueFromASTUntyped(arg.value, variables) : undefined;
    if (typeof value !== 'boolean') continue;
    if (d.name.value === 'skip' ? value : !value) return false;
  }
  return true;
}

function argument(field: FieldNode, name: string, variables: Variables): unknown {
  const arg = field.arguments?.find((a) => a.name.value === name);
  return arg ? valueFromASTUntyped(arg.value, variables) : undefined;
}

export function estimateUpstreamCalls(document: DocumentNode, operation: OperationDefinitionNode, variables: Variables): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const keys = new Set<string>();

  /**
   * Visits every field of a selection set with fragments flattened. Like graphql-js's collectFields,
   * a named fragment is expanded once per selection set, so spreading it twice (or in a cycle)
   * cannot multiply the work.
   */
  const fieldsOf = (set: SelectionSetNode | undefined, visit: (field: FieldNode) => void, seen = new Set<string>()) => {
    for (const s of set?.selections ?? []) {
      if (!included(s.directives, variables)) continue;
      if (s.kind === Kind.FIELD) visit(s);
      else if (s.kind === Kind.INLINE_FRAGMENT) fieldsOf(s.selectionSet, visit, seen);
      else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        fieldsOf(fragments.get(s.name.value)?.selectionSet, visit, seen);
      }
    }
  };

  const granularities = (trend: FieldNode): string[] => {
    const asked = new Set<string>();
    fieldsOf(trend.selectionSet, (f) => asked.add(f.name.value));
    const out: string[] = [];
    if (asked.has('hourly')) out.push('hourly');
    if (asked.has('series') || (asked.has('summary') && !asked.has('hourly'))) out.push('daily');
    return out;
  };

  const addTrend = (trend: FieldNode, botIds: readonly string[]) => {
    const question = stable({ range: argument(trend, 'range', variables), filters: argument(trend, 'filters', variables) });
    for (const granularity of granularities(trend)) for (const bot of botIds) keys.add(`${bot}|${question}|${granularity}`);
  };

  const walk = (set: SelectionSetNode | undefined, scope: Scope) => {
    fieldsOf(set, (field) => {
      const name = field.name.value;
      if (scope.kind === 'query') {
        if (name === 'engagementTrend') addTrend(field, [idKey(argument(field, 'botId', variables))]);
        else if (name === 'bot') walk(field.selectionSet, { kind: 'bots', ids: [idKey(argument(field, 'id', variables))] });
        else if (name === '_entities') {
          const reps = argument(field, 'representations', variables);
          const ids = (Array.isArray(reps) ? reps : [reps]).map((r) => idKey(r && typeof r === 'object' ? (r as { id?: unknown }).id : undefined));
          walk(field.selectionSet, { kind: 'bots', ids: [...new Set(ids)] });
        }
      } else if (scope.kind === 'bots' && name === 'engagementTrend') addTrend(field, scope.ids);
    });
  };

  if (operation.operation === 'query') walk(operation.selectionSet, { kind: 'query' });
  return keys.size;
}
