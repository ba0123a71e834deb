import 'reflect-metadata';
import { GraphQLObjectType } from 'graphql';
import { PLANNED_FIELDS } from '../../src/engagement/plan-trend';
import { buildEngagementSchema } from '../../src/schema';

/**
 * The planner knows every field that can cost an upstream call: each field of the types it walks
 * is classified in PLANNED_FIELDS (costed, walked into, or free). Adding a field to the schema
 * without classifying it fails here, before an estimate could silently count it as free.
 */
it.each(Object.keys(PLANNED_FIELDS) as Array<keyof typeof PLANNED_FIELDS>)(
  'every field of %s is classified for the planner',
  async (typeName) => {
    const type = (await buildEngagementSchema()).getType(typeName);
    expect(type).toBeInstanceOf(GraphQLObjectType);
    const { costed, walked, free } = PLANNED_FIELDS[typeName];
    const classified: string[] = [...costed, ...walked, ...free];
    expect(Object.keys((type as GraphQLObjectType).getFields()).sort()).toEqual(classified.sort());
  },
);
