import 'reflect-metadata';
import { printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { EngagementSeriesResolver, EngagementTrendResolver, HourlyBucketResolver } from './engagement/engagement.resolver';

/** The executable schema. Built once per process (never per request). */
export async function buildEngagementSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [EngagementTrendResolver, EngagementSeriesResolver, HourlyBucketResolver],
    // Arguments are validated by engagement.validate.ts, which sees all of them at once.
    validate: false,
    emitSchemaFile: false,
  });
}

/** The SDL committed in schema/ (declaration order, which type-graphql keeps stable). */
export function printEngagementSchema(schema: GraphQLSchema): string {
  return `${printSchema(schema)}\n`;
}
