import { DAY_MS, parseIsoDate } from '../time/calendar';

/**
 * The emulator's raw data: deterministic synthetic sessions per demo bot, from WORLD_START to the
 * end of tomorrow (UTC), extended lazily as the clock moves. Every number the emulator answers is
 * computed from these events (metrics.ts), never stored.
 *
 * Each day is generated from a seed of (bot, day) on top of the user pool so far, so the same
 * day always yields the same sessions on any machine.
 */

export interface BotProfile {
  readonly id: string;
  readonly name: string;
  /** Mean sessions on an ordinary day at the start of the world. */
  readonly sessionsPerDay: number;
  /** Chance that a session is a brand-new user's first. */
  readonly newUserShare: number;
  /** Multipliers Sunday..Saturday. */
  readonly weekday: readonly number[];
  /** Where the bot's audience lives (whole hours from UTC): shapes the daily rhythm. */
  readonly audienceUtcOffset: number;
  readonly channels: ReadonlyArray<readonly [code: string, weight: number]>;
  readonly interactiveShare: number;
}

export const DEMO_BOTS: readonly BotProfile[] = [
  {
    id: 'st-demo-retail',
    name: 'Retail assistant (demo)',
    sessionsPerDay: 260,
    newUserShare: 0.3,
    weekday: [1.35, 0.9, 0.85, 0.9, 0.95, 1.1, 1.45],
    audienceUtcOffset: -5,
    channels: [
      ['rtm', 6],
      ['facebook', 2],
      ['whatsapp', 1],
      ['sms', 1],
    ],
    interactiveShare: 0.82,
  },
  {
    id: 'st-demo-banking',
    name: 'Banking helpdesk (demo)',
    sessionsPerDay: 180,
    newUserShare: 0.18,
    weekday: [0.45, 1.2, 1.15, 1.1, 1.1, 1.05, 0.55],
    audienceUtcOffset: 0,
    channels: [
      ['rtm', 5],
      ['msteams', 2],
      ['ivr', 2],
      ['email', 1],
    ],
    interactiveShare: 0.74,
  },
  {
    id: 'st-demo-travel',
    name: 'Travel concierge (demo)',
    sessionsPerDay: 90,
    newUserShare: 0.42,
    weekday: [1.1, 1.0, 0.9, 0.9, 1.0, 1.15, 1.2],
    audienceUtcOffset: 5,
    channels: [
      ['rtm', 4],
      ['whatsapp', 3],
      ['slack', 1],
      ['telegram', 1],
    ],
    interactiveShare: 0.9,
  },
];

export const WORLD_START_DAY = parseIsoDate('2025-01-01') as number;

/** Relative session weight of each local hour 0..23: quiet nights, a morning and an evening peak. */
const DIURNAL = [
  0.2, 0.12, 0.08, 0.06, 0.06, 0.1, 0.25, 0.5, 0.8, 1.0, 1.1, 1.15, 1.05, 1.0, 0.95, 0.9, 0.9, 0.95, 1.05, 1.2, 1.25, 1.0, 0.7, 0.4,
];

/** Session flag bits. */
export const INTERACTIVE = 1;
export const ACTIVE = 2;

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

function pick(weights: readonly number[], r: number): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let x = r * total;
  for (let i = 0; i < weights.length; i++) if ((x -= weights[i]) < 0) return i;
  return weights.length - 1;
}

/** All sessions of one bot, sorted by time: parallel arrays, one entry per session. */
export class BotEvents {
  readonly ts: number[] = [];
  readonly user: number[] = [];
  readonly channel: number[] = [];
  readonly flags: number[] = [];
  readonly channels: readonly string[];
  private readonly homeChannel: number[] = [];
  private nextDay = WORLD_START_DAY;
  /** Bumped on every extension, so derived caches know to rebuild. */
  version = 0;

  constructor(readonly profile: BotProfile) {
    this.channels = profile.channels.map(([code]) => code);
  }

  get userCount(): number {
    return this.homeChannel.length;
  }

  /** Make sure every session up to the end of UTC day `lastDay` exists. */
  ensureThrough(lastDay: number): void {
    if (this.nextDay > lastDay) return;
    while (this.nextDay <= lastDay) this.generateDay(this.nextDay++);
    this.version++;
  }

  private generateDay(day: number): void {
    const p = this.profile;
    const rng = mulberry32(hashString(p.id) ^ Math.imul(day, 2654435761));
    const age = day - WORLD_START_DAY;
    const weekday = (day + 4) % 7; // 1970-01-01 was a Thursday
    const growth = 1 + age * 0.0008;
    const season = 1 + 0.15 * Math.sin((2 * Math.PI * age) / 365);
    const count = Math.round(p.sessionsPerDay * p.weekday[weekday] * growth * season * (0.8 + 0.4 * rng()));
    const channelWeights = p.channels.map(([, w]) => w);
    const day0 = day * DAY_MS;
    const sessions: Array<[number, number, number, number]> = [];
    for (let i = 0; i < count; i++) {
      const localHour = pick(DIURNAL, rng());
      const utcHour = (((localHour - p.audienceUtcOffset) % 24) + 24) % 24;
      const ts = day0 + utcHour * 3_600_000 + Math.floor(rng() * 3_600_000);
      const pool = this.homeChannel.length;
      let user: number;
      if (pool === 0 || rng() < p.newUserShare) {
        user = pool;
        this.homeChannel.push(pick(channelWeights, rng()));
      } else if (rng() < 0.5) {
        user = Math.floor(pool * rng() ** 2); // the loyal early users
      } else {
        user = pool - 1 - Math.floor(Math.min(pool, 1500) * rng()); // recent users coming back
      }
      const channel = rng() < 0.85 ? this.homeChannel[user] : pick(channelWeights, rng());
      const flags = (rng() < p.interactiveShare ? INTERACTIVE : 0) | (rng() < 0.12 ? ACTIVE : 0);
      sessions.push([ts, user, channel, flags]);
    }
    sessions.sort((a, b) => a[0] - b[0]);
    for (const [ts, user, channel, flags] of sessions) {
      this.ts.push(ts);
      this.user.push(user);
      this.channel.push(channel);
      this.flags.push(flags);
    }
  }
}

/** One BotEvents per demo bot, generated up to the end of tomorrow (UTC) of `now`. */
export class World {
  private readonly bots = new Map<string, BotEvents>();

  constructor(profiles: readonly BotProfile[] = DEMO_BOTS) {
    for (const p of profiles) this.bots.set(p.id, new BotEvents(p));
  }

  has(botId: string): boolean {
    return this.bots.has(botId);
  }

  botIds(): string[] {
    return [...this.bots.keys()];
  }

  profiles(): BotProfile[] {
    return [...this.bots.values()].map((b) => b.profile);
  }

  events(botId: string, now: number): BotEvents | undefined {
    const bot = this.bots.get(botId);
    bot?.ensureThrough(Math.floor(now / DAY_MS) + 1);
    return bot;
  }
}
