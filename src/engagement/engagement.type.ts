import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type { TrendQuery } from './model';
import { DateScalar } from './date.scalar';

@ObjectType({ description: 'The inclusive range of days the numbers cover.' })
export class DateRange {
  @Field(() => DateScalar, { description: 'First day (inclusive).' })
  start!: string;

  @Field(() => DateScalar, { description: 'Last day (inclusive).' })
  end!: string;

  @Field(() => Int, { description: 'Number of days in the range, both ends included.' })
  days!: number;
}

@ObjectType({ description: 'Totals for the whole range. Unique and returning users are distinct users, not sums of days.' })
export class EngagementSummary {
  @Field(() => Int, { description: 'Distinct users who interacted with the bot in the range.' })
  uniqueUsers!: number;

  @Field(() => Int, { description: 'Users whose first interaction ever falls in the range.' })
  newUsers!: number;

  @Field(() => Int, { description: 'Users active in the range who were first seen before it (unique − new).' })
  returningUsers!: number;

  @Field(() => Float, { description: 'uniqueUsers ÷ days in the range.' })
  avgUniqueUsersPerDay!: number;

  @Field(() => Float, { description: 'newUsers ÷ days in the range.' })
  avgNewUsersPerDay!: number;

  @Field(() => Float, { description: 'returningUsers ÷ days in the range.' })
  avgReturningUsersPerDay!: number;
}

@ObjectType({ description: 'A count of users on one day.' })
export class DataPoint {
  @Field(() => DateScalar, { description: 'The day, in the requested time zone.' })
  date!: string;

  @Field(() => Int, { description: 'Number of users that day.' })
  users!: number;
}

@ObjectType({ description: 'Daily series: exactly one point per day of the range, in order, zero where nobody came.' })
export class EngagementSeries {
  @Field(() => [DataPoint], { description: 'Distinct users per day.' })
  uniqueUsers!: DataPoint[];
}

@ObjectType({ description: 'Users in one hour of one day (in the requested time zone).' })
export class HourlyBucket {
  @Field(() => DateScalar, { description: 'The day.' })
  date!: string;

  @Field(() => Int, { description: 'Hour of the day, 0–23: hour 17 covers 17:00–17:59 (Kore.ai\'s "17 - 18").' })
  hour!: number;

  @Field(() => Int, { description: 'Distinct users in this hour.' })
  uniqueUsers!: number;
}

@ObjectType({ description: "One bot's user engagement over a range of days." })
export class EngagementTrend {
  @Field(() => ID, { description: 'The Kore.ai bot (stream) id.' })
  botId!: string;

  @Field(() => DateRange, { description: 'The range the numbers cover.' })
  range!: DateRange;

  /** The validated question; not a GraphQL field. */
  query!: TrendQuery;
}
