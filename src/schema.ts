import 'reflect-metadata';
import { buildSubgraphSchema, printSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { parse, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, createResolversMap } from 'type-graphql';
import { BotResolver, resolveBotReference } from './engagement/bot.resolver';
import { EngagementSeriesResolver, EngagementTrendResolver, HourlyBucketResolver } from './engagement/engagement.resolver';
import { EngagementActivityResolver, EngagementDashboardResolver, EngagementPeriodResolver } from './engagement/dashboard.resolver';

/**
 * The served schema is an Apollo Federation 2 subgraph built from the type-graphql classes:
 * type-graphql → SDL with directives → `@link` to federation v2.9 → buildSubgraphSchema with
 * type-graphql's resolvers plus Bot.__resolveReference. Built once per process, never per request.
 *
 * v2.9 is the first federation version with `@cost` and `@listSize` (demand control): the types'
 * and resolvers' `@Directive`s declare what a field costs upstream, so a router's estimate follows
 * the Kore.ai calls the planner (engagement/plan.ts) counts; README "Cost declared to the router".
 */

export const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])';

/** The type-graphql schema: the client-facing API without federation's `_service`/`_entities`. */
export async function buildApiSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [
      EngagementTrendResolver,
      EngagementSeriesResolver,
      HourlyBucketResolver,
      BotResolver,
      EngagementDashboardResolver,
      EngagementPeriodResolver,
      EngagementActivityResolver,
    ],
    // Arguments are validated by engagement.validate.ts, which sees all of them at once.
    validate: false,
    emitSchemaFile: false,
  });
}

export async function buildEngagementSchema(): Promise<GraphQLSchema> {
  const api = await buildApiSchema();
  const typeDefs = parse(`${FEDERATION_LINK}\n\n${printSchemaWithDirectives(api)}`);
  const map = createResolversMap(api) as Record<string, object>;
  const resolvers = { ...map, Bot: { ...map.Bot, __resolveReference: resolveBotReference } };
  // type-graphql's map (resolvers, enums, the Date scalar) has the shape buildSubgraphSchema takes, under another type name.
  return buildSubgraphSchema([{ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> }]);
}

/** schema/schema.graphql: what clients of the API (and of the supergraph) see. */
export function printApiSchema(api: GraphQLSchema): string {
  return `${printSchema(api)}\n`;
}

/** schema/subgraph.graphql: what a router composes (`{ _service { sdl } }` answers the same). */
export function printSubgraphSdl(subgraph: GraphQLSchema): string {
  return `${printSubgraphSchema(subgraph).trim()}\n`;
}
