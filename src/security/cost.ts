import type { DocumentNode, OperationDefinitionNode } from 'graphql';
import { planOperation, type ResolveQuestion, type Variables } from '../engagement/plan';

/**
 * What MAX_UPSTREAM_CALLS counts, from the planner's plan (engagement/plan.ts decides which calls
 * an operation makes; this file only decides what the limit weighs).
 *
 * `calls` is what execution will ask Kore.ai (the operation log's `estimatedCalls`). The limit
 * also weighs the calls refused questions would have made: a refusal depends on who asks, and an
 * operation naming thousands of bots the caller may not read is refused as too costly rather than
 * answered with thousands of errors. Both are keyed, so repeating a question costs once.
 */
export interface OperationCost {
  /** Distinct upstream calls execution makes. */
  readonly calls: number;
  /** What the limit compares with MAX_UPSTREAM_CALLS: `calls` plus the calls refused questions would make. */
  readonly limited: number;
}

export function operationCost(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Variables,
  resolveQuestion?: ResolveQuestion,
): OperationCost {
  const plan = planOperation(document, operation, variables, resolveQuestion);
  return { calls: plan.calls.size, limited: plan.calls.size + plan.refused.size };
}
