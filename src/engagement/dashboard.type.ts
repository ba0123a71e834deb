import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateRange } from './engagement.type';
import type { TrendQuery } from './model';

/**
 * The dashboard's types on top of EngagementTrend (issue 16): comparisons, calendar periods and
 * daily activity. Roots are class instances (type-graphql copies a plain root per field resolver);
 * fields without `@Field` are served by dashboard.resolver.ts, which decides their errors.
 */

export enum ComparisonPeriod {
  PREVIOUS_PERIOD = 'PREVIOUS_PERIOD',
  PREVIOUS_YEAR = 'PREVIOUS_YEAR',
}

registerEnumType(ComparisonPeriod, {
  name: 'ComparisonPeriod',
  description: 'Which range a range is compared with (same bot, same filters).',
  valuesConfig: {
    PREVIOUS_PERIOD: { description: 'The same number of days right before the range.' },
    PREVIOUS_YEAR: {
      description:
        'The same dates a year earlier; 29 February becomes 28 February, so the compared range may have one day fewer ' +
        '(a range ending on 29 February) or one day more (a range that spans 29 February a year later).',
    },
  },
});

export enum PeriodUnit {
  WEEK = 'WEEK',
  MONTH = 'MONTH',
}

registerEnumType(PeriodUnit, {
  name: 'PeriodUnit',
  description: 'A calendar period.',
  valuesConfig: {
    WEEK: { description: 'ISO weeks, Monday to Sunday.' },
    MONTH: { description: 'Calendar months.' },
  },
});

@ObjectType({ description: 'One figure of the range against the compared range.' })
export class Change {
  @Field(() => Int, { description: 'The figure over the range.' })
  current!: number;

  @Field(() => Int, { description: 'The figure over the compared range.' })
  previous!: number;

  @Field(() => Int, { description: 'current − previous.' })
  absolute!: number;

  @Field(() => Float, { nullable: true, description: 'absolute ÷ previous (0.25 is +25 %); null when previous is 0.' })
  relative!: number | null;

  /** The arithmetic has this one home. */
  constructor(current: number, previous: number) {
    this.current = current;
    this.previous = previous;
    this.absolute = current - previous;
    this.relative = previous === 0 ? null : this.absolute / previous;
  }
}

@ObjectType({ description: "The range's summary against the compared range's summary." })
export class EngagementChange {
  @Field(() => Change, { description: 'Distinct users.' })
  uniqueUsers!: Change;

  @Field(() => Change, { description: 'Users whose first interaction ever falls in the range.' })
  newUsers!: Change;

  @Field(() => Change, { description: 'Users active in the range who were first seen before it.' })
  returningUsers!: Change;

  constructor(uniqueUsers: Change, newUsers: Change, returningUsers: Change) {
    this.uniqueUsers = uniqueUsers;
    this.newUsers = newUsers;
    this.returningUsers = returningUsers;
  }
}

@ObjectType({ description: 'One calendar week or month of the range, clipped to the range.' })
export class EngagementPeriod {
  @Field(() => DateRange, { description: 'The days of the period inside the range.' })
  range!: DateRange;

  @Field({ description: 'True when the whole calendar period lies inside the range (false for a clipped first or last period).' })
  complete!: boolean;

  /** The period's own question (the range's filters over the period's days); not a GraphQL field. */
  query!: TrendQuery;

  constructor(range: DateRange, complete: boolean, query: TrendQuery) {
    this.range = range;
    this.complete = complete;
    this.query = query;
  }
}

@ObjectType({ description: "Daily activity over the range, computed from the range's daily series." })
export class EngagementActivity {
  /** The range's question: every figure is computed from its daily call; not a GraphQL field. */
  query!: TrendQuery;

  constructor(query: TrendQuery) {
    this.query = query;
  }
}
