import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isInputObjectType,
  isListType,
  isObjectType,
  Kind,
  type ConstDirectiveNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/**
 * Apollo Router's static demand-control estimate (`strategy: static_estimated`), applied to one
 * operation the way the router scores a subgraph fetch, written from its documented cost model
 * (README "Cost declared to the router"), so that README's numbers and the upper-bound claim are
 * computed, not copied:
 *
 * - an operation costs 10 for a mutation, 0 otherwise, plus its fields;
 * - a field costs count × (weight + its selection) + its arguments: count is 1, or for a list
 *   `@listSize(assumedSize)` else the configured `list_size`; weight is the field's `@cost`, else
 *   its type's `@cost`, else 1 for objects, interfaces and unions and 0 for scalars and enums;
 * - an argument: an input object costs 1 (or its `@cost`) plus its given fields, a list the sum of
 *   its items, null 0, anything else its `@cost` or 0; a variable is scored by its value (0 when
 *   absent, as `representations` is for an entity fetch);
 * - `__typename` is free; `@skip`/`@include` drop a field only with a literal condition (a variable
 *   condition is counted); every fragment spread is counted where it is spread (nothing is shared).
 *
 * `slicingArguments` and `sizedFields` are not modelled: this schema uses neither (the test
 * asserting the directives would see them appear). A plan with one fetch to this subgraph has this
 * estimate; the router's per-fetch operation differs only by `__typename`s, which are free.
 */

export interface RouterCostOptions {
  /** demand_control.strategy.static_estimated.list_size: the size of a list without `@listSize`. */
  readonly listSize: number;
  readonly operationName?: string;
}

type Variables = Readonly<Record<string, unknown>>;
type Directed = { readonly astNode?: { readonly directives?: readonly ConstDirectiveNode[] } | null };

function directiveArgument(on: Directed | GraphQLNamedType, directive: string, argument: string): ValueNode | undefined {
  const node = on.astNode?.directives?.find((d) => d.name.value === directive);
  return node?.arguments?.find((a) => a.name.value === argument)?.value;
}

/** `@cost(weight:)` on a field, argument or type: an Int (federation 2.9). */
function costOf(on: Directed | GraphQLNamedType): number | undefined {
  const value = directiveArgument(on, 'cost', 'weight');
  return value?.kind === Kind.INT ? Number(value.value) : undefined;
}

function assumedSize(field: GraphQLField<unknown, unknown>): number | undefined {
  const value = directiveArgument(field, 'listSize', 'assumedSize');
  return value?.kind === Kind.INT ? Number(value.value) : undefined;
}

function literalCondition(
  directives: readonly { name: { value: string }; arguments?: readonly { name: { value: string }; value: ValueNode }[] }[],
) {
  for (const d of directives) {
    const value = d.arguments?.find((a) => a.name.value === 'if')?.value;
    if (value?.kind !== Kind.BOOLEAN) continue; // a variable condition: counted
    if (d.name.value === 'skip' && value.value) return false;
    if (d.name.value === 'include' && !value.value) return false;
  }
  return true;
}

function scoreVariable(value: unknown, definition: GraphQLArgument | GraphQLInputField): number {
  const type = getNamedType(definition.type);
  if (value === null || value === undefined) return 0;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + scoreVariable(item, definition), costOf(definition) ?? 0);
  if (typeof value === 'object' && isInputObjectType(type)) {
    const fields = type.getFields();
    let cost = costOf(definition) ?? 1;
    for (const [name, inner] of Object.entries(value)) if (fields[name]) cost += scoreVariable(inner, fields[name]);
    return cost;
  }
  return costOf(definition) ?? 0;
}

function scoreArgument(value: ValueNode, definition: GraphQLArgument | GraphQLInputField, variables: Variables): number {
  const type = getNamedType(definition.type);
  if (value.kind === Kind.OBJECT && isInputObjectType(type)) {
    const fields = type.getFields();
    let cost = costOf(definition) ?? 1;
    for (const f of value.fields) if (fields[f.name.value]) cost += scoreArgument(f.value, fields[f.name.value], variables);
    return cost;
  }
  if (value.kind === Kind.LIST)
    return value.values.reduce((sum, item) => sum + scoreArgument(item, definition, variables), costOf(definition) ?? 0);
  if (value.kind === Kind.VARIABLE) return value.name.value in variables ? scoreVariable(variables[value.name.value], definition) : 0;
  if (value.kind === Kind.NULL) return 0;
  return costOf(definition) ?? 0;
}

/** The router's static estimate of `document`'s operation against `schema` (a subgraph's or a supergraph's). */
export function routerEstimate(schema: GraphQLSchema, document: DocumentNode, variables: Variables, options: RouterCostOptions): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const d of document.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    else if (d.kind === Kind.OPERATION_DEFINITION) operations.push(d);
  }
  const operation = options.operationName ? operations.find((o) => o.name?.value === options.operationName) : operations[0];
  if (!operation || (!options.operationName && operations.length !== 1)) throw new Error('name the operation to estimate');

  const selectionCost = (set: SelectionSetNode | undefined, parent: GraphQLNamedType): number => {
    let cost = 0;
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.INLINE_FRAGMENT) {
        cost += selectionCost(s.selectionSet, s.typeCondition ? (schema.getType(s.typeCondition.name.value) ?? parent) : parent);
      } else if (s.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(s.name.value);
        if (!fragment) throw new Error(`no fragment ${s.name.value}`);
        cost += selectionCost(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) ?? parent);
      } else {
        if (s.name.value === '__typename' || !literalCondition(s.directives ?? [])) continue;
        if (!isObjectType(parent) && !isAbstractType(parent)) throw new Error(`${s.name.value} on a leaf type`);
        const field = isObjectType(parent) ? parent.getFields()[s.name.value] : undefined;
        if (!field) throw new Error(`${parent.name}.${s.name.value} is not in the schema`);
        const type = getNamedType(field.type);
        const count = isListType(getNullableType(field.type)) ? (assumedSize(field) ?? options.listSize) : 1;
        const weight = costOf(field) ?? costOf(type) ?? (isObjectType(type) || isAbstractType(type) ? 1 : 0);
        let args = 0;
        for (const a of s.arguments ?? []) {
          const definition = field.args.find((d) => d.name === a.name.value);
          if (!definition) throw new Error(`${field.name}(${a.name.value}:) is not in the schema`);
          args += scoreArgument(a.value, definition, variables);
        }
        cost += count * (weight + selectionCost(s.selectionSet, type)) + args;
      }
    }
    return cost;
  };

  const root = schema.getRootType(operation.operation);
  if (!root) throw new Error(`no ${operation.operation} root`);
  return (operation.operation === 'mutation' ? 10 : 0) + selectionCost(operation.selectionSet, root);
}
