import { ArgsType, Directive, Field, ID, ObjectType } from 'type-graphql';
import { CachePolicy, DateRangeInput, EngagementFilters } from './engagement.args';

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A Kore.ai bot. Other subgraphs own its name and owners; this one adds its engagement.' })
export class Bot {
  @Field(() => ID, { description: 'The Kore.ai bot (stream) id.' })
  id!: string;
}

@ArgsType()
export class BotTrendArgs {
  @Field(() => DateRangeInput, { description: 'Inclusive range of days (at most 90, or 31 when `hourly` is selected; configurable).' })
  range!: DateRangeInput;

  @Field(() => EngagementFilters, { nullable: true, description: 'Channel, conversation filters and time zone.' })
  filters?: EngagementFilters | null;

  @Field(() => CachePolicy, {
    nullable: true,
    defaultValue: CachePolicy.DEFAULT,
    description: 'How an answer past its freshness may be served (see CachePolicy); not part of the question.',
  })
  cache?: CachePolicy | null;
}
