import { Field, Int, ObjectType } from 'type-graphql';

/** What the bot's upstream budget holds now: read from the budget itself, never from Kore.ai. */

@ObjectType({ description: "One rolling window of the bot's upstream budget, as this API counts it." })
export class BudgetWindow {
  @Field(() => Int, { description: 'Calls to Kore.ai this API allows itself for the bot in the window (kept under Kore.ai’s own limit).' })
  limit!: number;

  @Field(() => Int, {
    description: 'Calls to Kore.ai counted in the window now, by every replica and caller (a call counts until it ended).',
  })
  used!: number;

  @Field(() => Int, { description: 'Seconds until the oldest counted call leaves the window and frees a slot; 0 when none is counted.' })
  resetsInSeconds!: number;
}

@ObjectType({
  description:
    "The bot's upstream budget now: what this API may still ask Kore.ai for this bot. Reading it costs no upstream call and takes no slot.",
})
export class UpstreamBudget {
  @Field(() => BudgetWindow, { description: 'The rolling minute.' })
  minute!: BudgetWindow;

  @Field(() => BudgetWindow, { description: 'The rolling hour.' })
  hour!: BudgetWindow;

  @Field(() => Int, { description: 'Calls waiting for a slot to free (held for a later moment of the window).' })
  queued!: number;

  @Field(() => Int, {
    description:
      'Calls the asking caller could start now without waiting, under every rule: both windows, the caller’s share while others are active, and the reserve kept for newcomers. Refreshes run only from what callers leave.',
  })
  callerLeft!: number;
}
