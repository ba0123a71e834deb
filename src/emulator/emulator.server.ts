import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordedCall } from './calls';
// The switches and their parser live with the configuration that reads EMULATOR_FAULTS; the run-time
// PUT /emulator/faults route parses with the same function, so both accept the same JSON.
import { parseFaults, type Faults } from '../config/emulator';
import { createEmulatorHandler } from './handler';
import type { RateLimit } from './rate-limit';
import type { ZoneDefaults } from './request';
import { World, type BotProfile } from './world';

export type { RecordedCall } from './calls';

/**
 * A Kore.ai-compatible User Engagement Trend server: both documented endpoints with their paths,
 * parameter spellings, response shapes and error bodies; JWT checks (HS256, appId, signature,
 * expiry, jti replay); Kore's per-bot analytics rate limits. It records every request it is sent,
 * so tests can count upstream calls.
 *
 * This file starts the server; each job has its own file: handler.ts (routing and the order of the
 * checks), request.ts (parsing a request once), auth.ts (the JWT check), rate-limit.ts, bodies.ts
 * (v1 and v2 answers), answer.ts (Kore's error body, sending), calls.ts (the call record),
 * faults.ts (fault switches), world.ts and metrics.ts (the data and its numbers).
 */

export interface EmulatorApp {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Bot ids this app has the User Engagement Trend scope for, or '*'. */
  readonly bots: readonly string[] | '*';
}

export interface EmulatorOptions extends ZoneDefaults {
  readonly apps: readonly EmulatorApp[];
  readonly bots?: readonly BotProfile[];
  /** Kore: 60 a minute and 1,800 an hour per bot, rolling. */
  readonly rateLimit?: RateLimit;
  readonly now?: () => number;
  /** Initial fault switches (see faults.ts); changeable at run time on /emulator/faults. */
  readonly faults?: Partial<Faults>;
}

export interface Emulator {
  readonly url: string;
  readonly calls: RecordedCall[];
  readonly world: World;
  /** The live fault switches: tests may change them directly. */
  readonly faults: Faults;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions, port = 0, host = '127.0.0.1'): Promise<Emulator> {
  const world = new World(options.bots);
  // Generate every bot's sessions now: a start-up cost, rather than a first caller's wait.
  for (const id of world.botIds()) world.events(id, (options.now ?? Date.now)());
  const calls: RecordedCall[] = [];
  const faults = parseFaults(options.faults ?? {});
  const server = http.createServer(createEmulatorHandler(options, world, calls, faults));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${actual}`,
    calls,
    world,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
