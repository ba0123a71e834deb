import {
  Kind,
  valueFromASTUntyped,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { DateRangeInput, EngagementFilters } from './engagement.args';
import { requestKey, upstreamRequest, type Granularity, type TrendQuery } from './model';
import { asFilters, asId, asRange, isRecord, rawKey, withDefaults, type Variables } from './raw-arguments';
import { planTrend, rawDays, type TrendWalk } from './plan-trend';

/**
 * The one home of "what an operation costs" in Kore.ai calls:
 * - the rule from needs to upstream calls (`callFor`), which the loaders' batch function applies
 *   to the loads it sees and `planOperation` applies to what a document selects;
 * - one selection walker (`collectFields`), graphql-js's field collection over raw variables;
 * - the plan of an operation before it runs, keyed by the loaders' own request keys.
 *
 * Invariant the estimate rests on: every load of an operation is issued before the loaders'
 * batch runs (resolvers up to the loads are synchronous or pure promise chains, and DataLoader
 * dispatches after the microtask queue drains), so the batch sees every need of the operation
 * and the rule below, applied to the whole operation, is what the loaders do.
 */

// ---- The rule ------------------------------------------------------------------------------

/** What a resolver asks of a question: its summary, its daily series or its hourly buckets. */
export type Need = 'summary' | 'daily' | 'hourly';

/**
 * The call that answers `need` of a question. Both answers carry the summary, so it rides on the
 * hourly call when the same question also needs hourly data, and costs one daily call otherwise.
 */
export function callFor(need: Need, hourlyNeeded: boolean): Granularity {
  return need === 'hourly' || (need === 'summary' && hourlyNeeded) ? 'hourly' : 'daily';
}

/** The distinct calls that answer every need of one question. */
export function callsFor(needs: ReadonlySet<Need>): Granularity[] {
  return [...new Set([...needs].map((need) => callFor(need, needs.has('hourly'))))];
}

export { answersSummary } from './plan-trend';

// ---- The selection walker --------------------------------------------------------------------

export type { Variables } from './raw-arguments';
export type Fragments = Readonly<Record<string, FragmentDefinitionNode | undefined>>;

/**
 * @skip/@include. A literal or a variable that is a boolean decides; anything else (a raw variable
 * that coercion would refuse) counts as included, so an estimate over raw variables never counts low.
 */
function isIncluded(node: { readonly directives?: readonly DirectiveNode[] }, variables: Variables): boolean {
  for (const d of node.directives ?? []) {
    if (d.name.value !== 'skip' && d.name.value !== 'include') continue;
    const arg = d.arguments?.find((a) => a.name.value === 'if');
    const value = arg ? valueFromASTUntyped(arg.value, variables) : undefined;
    if (typeof value !== 'boolean') continue;
    if (d.name.value === 'skip' ? value : !value) return false;
  }
  return true;
}

/**
 * The fields of one or more selection sets (all the nodes of one response key), grouped by response
 * key, as graphql-js's collectFields does: inline fragments flattened, named fragments expanded
 * once per call (so spreading one twice, or in a cycle, cannot multiply the work), @skip/@include
 * honoured. Type conditions are not checked: every abstract position here has one possible type.
 */
export function collectFields(
  sets: ReadonlyArray<SelectionSetNode | undefined>,
  variables: Variables,
  fragments: Fragments,
): Map<string, FieldNode[]> {
  const fields = new Map<string, FieldNode[]>();
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode | undefined) => {
    for (const s of set?.selections ?? []) {
      if (!isIncluded(s, variables)) continue;
      if (s.kind === Kind.FIELD) {
        const key = s.alias?.value ?? s.name.value;
        const group = fields.get(key);
        if (group) group.push(s);
        else fields.set(key, [s]);
      } else if (s.kind === Kind.INLINE_FRAGMENT) visit(s.selectionSet);
      else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        visit(Object.hasOwn(fragments, s.name.value) ? fragments[s.name.value]?.selectionSet : undefined);
      }
    }
  };
  for (const set of sets) visit(set);
  return fields;
}

/** The names (not aliases) of the fields a collection holds. */
const namesOf = (fields: Map<string, FieldNode[]>): Set<string> => new Set([...fields.values()].map((group) => group[0].name.value));

/** The fragment definitions of a document, by name. */
export function fragmentsOf(document: DocumentNode): Fragments {
  const fragments: Record<string, FragmentDefinitionNode> = Object.create(null) as Record<string, FragmentDefinitionNode>;
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  return fragments;
}

/** Whether the current field's selection asks for child field `name` (the hourly range cap asks this). */
export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  const fields = collectFields(
    info.fieldNodes.map((node) => node.selectionSet),
    info.variableValues,
    info.fragments,
  );
  return namesOf(fields).has(name);
}

/** Names of an operation's top-level fields (for per-field metrics); named fragments only when given. */
export function topLevelFieldNames(operation: OperationDefinitionNode, fragments: Fragments = {}, variables: Variables = {}): Set<string> {
  return namesOf(collectFields([operation.selectionSet], variables, fragments));
}

// ---- The plan of an operation ----------------------------------------------------------------

/**
 * A question as the resolvers would ask it: authorized and validated into the canonical question
 * the loaders key on, or null when the resolver would refuse it (bad input, forbidden, not
 * configured) before any call. Built from the request's context by engagement/question.ts, so
 * the planner reads neither configuration nor caller.
 */
export type ResolveQuestion = (
  botId: string,
  range: DateRangeInput,
  filters: EngagementFilters | null,
  hourlyAsked: boolean,
) => TrendQuery | null;

export interface OperationPlan {
  /**
   * Every upstream call execution makes, by the loaders' own key (`requestKey`). A question whose
   * raw arguments cannot be canonicalized (no resolver given, or values coercion would refuse) is
   * keyed by its raw arguments instead: it may count twice, never low.
   */
  readonly calls: ReadonlySet<string>;
  /** Calls the refused questions would have made (by raw arguments): no call is made for them. */
  readonly refused: ReadonlySet<string>;
}

/**
 * The upstream calls an operation makes, from its document and raw variables, before it runs:
 * every `engagementTrend` (on Query, on `bot(id:)`, on `_entities` representations) is resolved
 * into its canonical question as the resolver would, its needs (and those of the questions its
 * `compare`, `change` and `periods` derive, see plan-trend.ts) are gathered per question across
 * the whole operation, and `callsFor` turns them into calls.
 */
export function planOperation(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  rawVariables: Variables,
  resolveQuestion?: ResolveQuestion,
): OperationPlan {
  const fragments = fragmentsOf(document);
  const variables = withDefaults(operation, rawVariables);
  const questions = new Map<string, { readonly query?: TrendQuery; readonly needs: Set<Need> }>();
  const refused = new Set<string>();
  const argument = (field: FieldNode, name: string): unknown => {
    const arg = field.arguments?.find((a) => a.name.value === name);
    return arg ? valueFromASTUntyped(arg.value, variables) : undefined;
  };

  /** The canonical question; null when refused; undefined when the raw values cannot be canonicalized. */
  const resolve = (
    id: string,
    range: DateRangeInput,
    filters: EngagementFilters | null,
    hourlyAsked: boolean,
  ): TrendQuery | null | undefined => {
    if (!resolveQuestion) return undefined;
    try {
      return resolveQuestion(id, range, filters, hourlyAsked);
    } catch {
      return undefined; // not a refusal the resolver module knows: count it by its raw arguments
    }
  };

  const walk: TrendWalk = {
    fieldsOf: (group) =>
      collectFields(
        group.map((f) => f.selectionSet),
        variables,
        fragments,
      ),
    argument,
    resolve,
    need: (key, query, needs) => {
      const question = questions.get(key) ?? { query, needs: new Set<Need>() };
      for (const need of needs) question.needs.add(need);
      questions.set(key, question);
    },
    refuse: (key, needs) => {
      for (const granularity of callsFor(needs)) refused.add(`${granularity}|${key}`);
    },
  };

  const addTrend = (group: FieldNode[], bot: unknown) => {
    const fields = walk.fieldsOf(group);
    const [range, filters] = [argument(group[0], 'range'), argument(group[0], 'filters')];
    const [id, canonicalRange, canonicalFilters] = [asId(bot), asRange(range), asFilters(filters)];
    const query =
      id === undefined || canonicalRange === undefined || canonicalFilters === undefined
        ? undefined
        : resolve(id, canonicalRange, canonicalFilters, namesOf(fields).has('hourly'));
    planTrend(walk, fields, query, { key: rawKey(bot, range, filters), days: rawDays(range) });
  };

  const trendsOf = (groups: FieldNode[][], bots: readonly unknown[]) => {
    const fields = collectFields(
      groups.flatMap((group) => group.map((f) => f.selectionSet)),
      variables,
      fragments,
    );
    for (const group of fields.values()) if (group[0].name.value === 'engagementTrend') for (const bot of bots) addTrend(group, bot);
  };

  if (operation.operation === 'query') {
    for (const group of collectFields([operation.selectionSet], variables, fragments).values()) {
      const field = group[0];
      if (field.name.value === 'engagementTrend') addTrend(group, argument(field, 'botId'));
      else if (field.name.value === 'bot') trendsOf([group], [argument(field, 'id')]);
      else if (field.name.value === '_entities') {
        const reps = argument(field, 'representations');
        // Only a Bot representation reaches Bot.engagementTrend; any other is counted raw (never low).
        const ids = (Array.isArray(reps) ? reps : [reps]).map((r) => (isRecord(r) ? (r.__typename === 'Bot' ? r.id : [r.id]) : undefined));
        trendsOf([group], [...new Set(ids)]);
      }
    }
  }

  const calls = new Set<string>();
  for (const [key, { query, needs }] of questions) {
    for (const granularity of callsFor(needs)) calls.add(query ? requestKey(upstreamRequest(query, granularity)) : `${granularity}|${key}`);
  }
  return { calls, refused };
}
