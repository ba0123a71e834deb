import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { GraphQLError, ValidationContext, ValidationRule } from 'graphql';
import type { LimitsConfig } from '../config';
import { OperationLimitError, type OperationLimit } from '../errors';

/**
 * Operation limits, all checked before anything executes and all answered with HTTP 400:
 * - depth, aliases and directives: graphql-armor's validation rules, reporting our own
 *   OPERATION_LIMIT_EXCEEDED error instead of armor's "Syntax Error: …" text;
 * - tokens: graphql-js's own `maxTokens` parse option (armor's token plugin for Apollo answers
 *   HTTP 500); formatError turns graphql-js's message into OPERATION_LIMIT_EXCEEDED;
 * - cost: the distinct Kore.ai calls the operation could cause (the planner, engagement/plan.ts,
 *   weighed by cost.ts), checked by server/plugins/cost-limit.ts once the variables are known.
 */

const FOUND = /found (\d+)/;

function reporter(limit: OperationLimit, max: number) {
  return (ctx: ValidationContext | null, error: GraphQLError) => {
    const found = FOUND.exec(error.message);
    ctx?.reportError(new OperationLimitError(limit, max, found ? Number(found[1]) : undefined));
  };
}

export function operationLimits(limits: LimitsConfig): { validationRules: ValidationRule[]; parseOptions: { maxTokens: number } } {
  const own = (limit: OperationLimit, n: number) => ({ n, propagateOnRejection: false, onReject: [reporter(limit, n)] });
  const armor = new ApolloArmor({
    maxDepth: { ...own('depth', limits.maxDepth), flattenFragments: true, ignoreIntrospection: true },
    maxAliases: own('aliases', limits.maxAliases),
    maxDirectives: own('directives', limits.maxDirectives),
    maxTokens: { enabled: false },
    costLimit: { enabled: false }, // ours counts Kore.ai calls, not fields
    blockFieldSuggestion: { enabled: false }, // Apollo's hideSchemaDetailsFromClientErrors does this (HIDE_SCHEMA_DETAILS)
  });
  const { validationRules } = armor.protect();
  return { validationRules, parseOptions: { maxTokens: limits.maxTokens } };
}
