import type { FieldNode, GraphQLResolveInfo } from 'graphql';
import { valueFromASTUntyped } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { Context } from '../context';
import type { TrendLoad } from './loaders';
import { queryKey, type AnswerSourceValue, type Provenance, type TrendData, type TrendQuery } from './model';
import { collectFields, type Need } from './plan';
import { planTrend, type TrendWalk } from './plan-trend';
import { questionResolver } from './question';

/**
 * `EngagementTrend.freshness`: how old the upstream answers behind the selected fields are, and
 * where they came from. It makes no call of its own: it loads the very needs the planner finds in
 * the trend's selection (plan-trend.ts `planTrend`, the walk the cost limit and the resolvers
 * agree on), all at once so that a batch sees them together and picks the same calls, and
 * DataLoader hands it the answers its sibling fields get. A selection that loads nothing (only
 * `botId`, `range`, `freshness`) has no answer behind it: it is reported as of the moment the
 * request was received, age 0, not stale, source UPSTREAM (nothing came from a cache).
 */

export enum AnswerSource {
  UPSTREAM = 'UPSTREAM',
  CACHE = 'CACHE',
  STALE_CACHE = 'STALE_CACHE',
}

registerEnumType(AnswerSource, {
  name: 'AnswerSource',
  description: 'Where the answers behind a trend came from; with several answers, the least fresh of them.',
  valuesConfig: {
    UPSTREAM: { description: 'Asked from Kore.ai for this request (or by a request asking the same at the same time).' },
    CACHE: { description: 'A cached answer, still within its freshness (CACHE_TTL_RECENT_SECONDS or CACHE_TTL_SETTLED_SECONDS).' },
    STALE_CACHE: {
      description:
        'A cached answer past its freshness: served because Kore.ai failed or the budget was spent, or at once under STALE_WHILE_REVALIDATE.',
    },
  },
});

@ObjectType({ description: 'How old the numbers of a trend are, and where they came from. Costs no Kore.ai call by itself.' })
export class Freshness {
  @Field(() => DateTimeResolver, {
    description:
      'When the oldest Kore.ai answer behind the selected fields was fetched. With no answer behind them (only `range` selected), when the request was received.',
  })
  asOf!: Date;

  @Field(() => Int, { description: "Seconds from `asOf` to the server's clock as this field resolved, rounded." })
  ageSeconds!: number;

  @Field(() => Boolean, { description: 'True when some answer behind the selected fields was served past its freshness.' })
  stale!: boolean;

  @Field(() => AnswerSource, {
    description: 'STALE_CACHE if any answer was stale, else CACHE if any came from the cache, else UPSTREAM.',
  })
  source!: AnswerSource;

  constructor(asOf: number, now: number, stale: boolean, source: AnswerSource) {
    this.asOf = new Date(asOf);
    this.ageSeconds = Math.max(0, Math.round((now - asOf) / 1000));
    this.stale = stale;
    this.source = source;
  }
}

const RANK: Readonly<Record<AnswerSourceValue, number>> = { UPSTREAM: 0, CACHE: 1, STALE_CACHE: 2 };

/** The freshness of a set of answers' provenances (pure): the oldest fetch, the least fresh source. */
export function summarize(provenances: readonly Provenance[], receivedAt: number, now: number): Freshness {
  if (provenances.length === 0) return new Freshness(receivedAt, receivedAt, false, AnswerSource.UPSTREAM);
  const asOf = Math.min(...provenances.map((p) => p.fetchedAt));
  const worst = provenances.reduce((a, b) => (RANK[b.source] > RANK[a.source] ? b : a)).source;
  return new Freshness(asOf, now, worst === 'STALE_CACHE', AnswerSource[worst]);
}

/**
 * The loads behind a trend's selection: its own question's needs and those of the questions its
 * dashboard fields derive, as the planner walks them (refused questions load nothing).
 */
export function loadsBehind(
  ctx: Context,
  selection: readonly FieldNode[],
  query: TrendQuery,
  info: Pick<GraphQLResolveInfo, 'variableValues' | 'fragments'>,
  policy: TrendLoad['policy'],
): TrendLoad[] {
  const fieldsOf = (group: readonly FieldNode[]) =>
    collectFields(
      group.map((f) => f.selectionSet),
      info.variableValues,
      info.fragments,
    );
  const loads = new Map<string, TrendLoad>();
  const walk: TrendWalk = {
    fieldsOf,
    argument: (field, name) => {
      const arg = field.arguments?.find((a) => a.name.value === name);
      return arg ? valueFromASTUntyped(arg.value, info.variableValues) : undefined;
    },
    resolve: questionResolver(ctx),
    need: (_key, question, needs) => {
      if (!question) return; // every question here is canonical (resolve never answers undefined)
      // The trend's policy is its own question's; derived questions are loaded, as their fields load
      // them, under the default (a policy here would decide theirs whenever this batch came first).
      const own = queryKey(question) === queryKey(query);
      for (const need of needs)
        loads.set(`${need}|${queryKey(question)}`, { query: question, need: need satisfies Need, policy: own ? policy : undefined });
    },
    refuse: () => undefined,
  };
  planTrend(walk, fieldsOf(selection), query, { key: queryKey(query) });
  return [...loads.values()];
}

/** Waits for the answers behind a trend (failed ones are the sibling fields' errors, not freshness's) and summarizes them. */
export async function freshnessOf(ctx: Context, loads: readonly TrendLoad[]): Promise<Freshness> {
  const settled = await Promise.allSettled(loads.map((load) => ctx.loaders.trend.load(load)));
  const answers = settled.flatMap((s): TrendData[] => (s.status === 'fulfilled' ? [s.value] : []));
  const provenances = answers.flatMap((data) => {
    const p = ctx.loaders.provenance(data);
    return p ? [p] : [];
  });
  return summarize(provenances, ctx.receivedAt, ctx.now());
}
