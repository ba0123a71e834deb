import { ArgsType, Field, ID, InputType, registerEnumType } from 'type-graphql';
import { DateScalar } from './date.scalar';
import type { ServingPolicy } from './model';

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

/** How an expired cached answer may be served; resolved by `servingPolicy` (DEFAULT: CACHE_POLICY). */
export enum CachePolicy {
  DEFAULT = 'DEFAULT',
  STALE_WHILE_REVALIDATE = 'STALE_WHILE_REVALIDATE',
  MUST_REVALIDATE = 'MUST_REVALIDATE',
}

registerEnumType(CachePolicy, {
  name: 'CachePolicy',
  description:
    'How an answer past its freshness may be served. Never changes the question: every policy asks Kore.ai the same one call. `freshness` says what was served.',
  valuesConfig: {
    DEFAULT: {
      description:
        "The server's CACHE_POLICY: by default STALE_WHILE_REVALIDATE; `wait` waits for a fresh answer and serves an expired one only if Kore.ai fails.",
    },
    STALE_WHILE_REVALIDATE: {
      description:
        'An expired answer younger than CACHE_STALE_SECONDS past its freshness is served at once, marked stale, and refreshed behind the response (one refresh, however many ask).',
    },
    MUST_REVALIDATE: {
      description: 'Never stale: wait for a fresh answer, or fail with the usual error codes (no stale answer when Kore.ai fails).',
    },
  },
});

/** The serving policy a `cache:` argument asks for; undefined lets the resilient client apply CACHE_POLICY. */
export function servingPolicy(cache: CachePolicy | null | undefined): ServingPolicy | undefined {
  if (cache === CachePolicy.STALE_WHILE_REVALIDATE) return 'stale-while-revalidate';
  if (cache === CachePolicy.MUST_REVALIDATE) return 'must-revalidate';
  return undefined;
}

/** Relative ranges, resolved against today in `filters.timeZone` (engagement.validate.ts `presetRange`). */
export enum RangePreset {
  TODAY = 'TODAY',
  YESTERDAY = 'YESTERDAY',
  LAST_7_DAYS = 'LAST_7_DAYS',
  LAST_28_DAYS = 'LAST_28_DAYS',
  LAST_30_DAYS = 'LAST_30_DAYS',
  LAST_90_DAYS = 'LAST_90_DAYS',
  THIS_WEEK = 'THIS_WEEK',
  LAST_WEEK = 'LAST_WEEK',
  THIS_MONTH = 'THIS_MONTH',
  LAST_MONTH = 'LAST_MONTH',
}

registerEnumType(RangePreset, {
  name: 'RangePreset',
  description:
    'A range relative to today in `filters.timeZone`, resolved before anything else: a preset and the same explicit dates are one question (one call, one cache entry). Weeks are ISO weeks, Monday to Sunday.',
  valuesConfig: {
    TODAY: { description: 'Today alone.' },
    YESTERDAY: { description: 'Yesterday alone.' },
    LAST_7_DAYS: { description: 'The 7 days ending today, today included (today − 6 to today).' },
    LAST_28_DAYS: { description: 'The 28 days ending today, today included.' },
    LAST_30_DAYS: { description: 'The 30 days ending today, today included.' },
    LAST_90_DAYS: { description: 'The 90 days ending today, today included (over the cap when `hourly` is selected).' },
    THIS_WEEK: { description: "This ISO week's Monday to today." },
    LAST_WEEK: { description: 'The whole previous ISO week, Monday to Sunday.' },
    THIS_MONTH: { description: "This month's first day to today." },
    LAST_MONTH: { description: 'The whole previous calendar month.' },
  },
});

@InputType({
  description:
    'An inclusive range of calendar days, given either as `start` and `end` (2025-12-01 to 2025-12-05 is five days) or as a `preset`; exactly one form.',
})
export class DateRangeInput {
  @Field(() => DateScalar, { nullable: true, description: 'First day of the range (inclusive); with `end`, instead of `preset`.' })
  start?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Last day of the range (inclusive); with `start`, instead of `preset`.' })
  end?: string | null;

  @Field(() => RangePreset, {
    nullable: true,
    description: 'A range relative to today in `filters.timeZone`, instead of `start` and `end`.',
  })
  preset?: RangePreset | null;
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

  @Field(() => CachePolicy, {
    nullable: true,
    defaultValue: CachePolicy.DEFAULT,
    description: 'How an answer past its freshness may be served (see CachePolicy); not part of the question.',
  })
  cache?: CachePolicy | null;
}
