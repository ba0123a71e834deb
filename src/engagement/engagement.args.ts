import { ArgsType, Field, ID, InputType, registerEnumType } from 'type-graphql';
import { DateScalar } from './date.scalar';

export enum ConversationType {
  ALL = 'ALL',
  INTERACTIVE = 'INTERACTIVE',
  NON_INTERACTIVE = 'NON_INTERACTIVE',
}

export enum ConversationStatus {
  ALL = 'ALL',
  ACTIVE = 'ACTIVE',
  CLOSED = 'CLOSED',
}

registerEnumType(ConversationType, {
  name: 'ConversationType',
  description: 'Which conversations count.',
  valuesConfig: {
    ALL: { description: 'Every conversation.' },
    INTERACTIVE: { description: 'Conversations in which the user interacted with the bot.' },
    NON_INTERACTIVE: { description: 'Conversations without user interaction (for example proactive messages).' },
  },
});

registerEnumType(ConversationStatus, {
  name: 'ConversationStatus',
  description: 'Conversation state filter.',
  valuesConfig: {
    ALL: { description: 'Open and closed conversations.' },
    ACTIVE: { description: 'Conversations still open.' },
    CLOSED: { description: 'Conversations that have ended.' },
  },
});

@InputType({ description: 'An inclusive range of calendar days: 2025-12-01 to 2025-12-05 is five days.' })
export class DateRangeInput {
  @Field(() => DateScalar, { description: 'First day of the range (inclusive).' })
  start!: string;

  @Field(() => DateScalar, { description: 'Last day of the range (inclusive).' })
  end!: string;
}

@InputType({ description: 'Optional filters; every field has a default.' })
export class EngagementFilters {
  @Field(() => String, { nullable: true, description: 'One channel code, for example `rtm`, `msteams` or `slack`. Omitted: all channels.' })
  channel?: string | null;

  // Nullable with a default, as the contract says: an explicit null means the default too.
  @Field(() => ConversationType, { nullable: true, defaultValue: ConversationType.ALL, description: 'Which conversations count.' })
  conversationType?: ConversationType | null;

  @Field(() => ConversationStatus, {
    nullable: true,
    defaultValue: ConversationStatus.ALL,
    description: 'Open, closed or all conversations.',
  })
  conversationStatus?: ConversationStatus | null;

  @Field(() => String, {
    nullable: true,
    defaultValue: 'UTC',
    description: 'IANA time zone name (for example `Europe/Berlin`); day and hour boundaries are in this zone.',
  })
  timeZone?: string | null;
}

@ArgsType()
export class EngagementTrendArgs {
  @Field(() => ID, { description: 'The Kore.ai bot (stream) id, for example `st-demo-retail`.' })
  botId!: string;

  @Field(() => DateRangeInput, { description: 'Inclusive range of days (at most 90, or 31 when `hourly` is selected; configurable).' })
  range!: DateRangeInput;

  @Field(() => EngagementFilters, { nullable: true, description: 'Channel, conversation filters and time zone.' })
  filters?: EngagementFilters | null;
}
