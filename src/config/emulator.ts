import { ConfigError, int, parsed, readerFor, text, type Env } from './env';
import type { Config } from './schema';

/**
 * Settings of the built-in Kore-compatible upstream (src/emulator/), read here so that the emulator
 * only receives plain options: EMULATOR_PORT and EMULATOR_FAULTS when the server starts it
 * in-process, all of EMULATOR_* for `npm run emulator` (loadEmulatorConfig).
 */

/**
 * Fault switches, so that tests (and people trying the API) can see how Engagement Graph behaves
 * against a slow, failing or rate-limiting Kore.ai. Set them with
 * EMULATOR_FAULTS='{"latencyMs":300,"errorRate":0.2}' or at run time with `PUT /emulator/faults`
 * (JSON body; `GET` shows them, `DELETE` clears them). Shares are applied with a seeded generator,
 * so a run is repeatable.
 */
export interface Faults {
  /** Added before every answer. */
  latencyMs: number;
  /** Share (0–1) of calls answered 503. */
  errorRate: number;
  /** The next N calls answer 429 with Kore's message. */
  rateLimitBurst: number;
  /** Retry-After seconds sent with those 429s; null sends none. */
  rateLimitRetryAfter: number | null;
  /** Share of calls whose connection is reset without an answer. */
  resetRate: number;
  /** Share of calls answered 200 with an HTML page instead of JSON. */
  malformedRate: number;
  /** Half the body is sent, then this pause, then the rest. */
  slowBodyMs: number;
}

export const NO_FAULTS: Readonly<Faults> = {
  latencyMs: 0,
  errorRate: 0,
  rateLimitBurst: 0,
  rateLimitRetryAfter: null,
  resetRate: 0,
  malformedRate: 0,
  slowBodyMs: 0,
};

/**
 * Merges a partial JSON object into faults, refusing unknown keys and out-of-range values. Used for
 * EMULATOR_FAULTS and for the emulator's `PUT /emulator/faults`, so both accept the same switches.
 */
export function parseFaults(input: unknown, base: Faults = { ...NO_FAULTS }): Faults {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new Error('faults must be a JSON object');
  const out = { ...base };
  for (const [key, value] of Object.entries(input)) {
    if (!(key in NO_FAULTS)) throw new Error(`unknown fault ${JSON.stringify(key)}`);
    const isShare = key.endsWith('Rate');
    const ok =
      (key === 'rateLimitRetryAfter' && value === null) ||
      (typeof value === 'number' &&
        Number.isFinite(value) &&
        value >= 0 &&
        (!isShare || value <= 1) &&
        (isShare || Number.isInteger(value)));
    if (!ok) throw new Error(`fault ${key} has an invalid value ${JSON.stringify(value)}`);
    (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

const faults = parsed((raw, name): Partial<Faults> => {
  try {
    return parseFaults(JSON.parse(raw));
  } catch (error) {
    throw new ConfigError(`${name} must be a JSON object of fault switches: ${error instanceof Error ? error.message : String(error)}`);
  }
});

/** The emulator's variables. Ports and limits default differently in-process and standalone (below). */
export const EMULATOR_VARIABLES = {
  EMULATOR_PORT: int(0, 65535),
  EMULATOR_FAULTS: faults,
  EMULATOR_HOST: text('127.0.0.1'),
  // Kore.ai's documented limits by default; benchmarks raise them to measure the server, not the limiter.
  EMULATOR_RATE_PER_MINUTE: int(1, Number.MAX_SAFE_INTEGER, 60),
  EMULATOR_RATE_PER_HOUR: int(1, Number.MAX_SAFE_INTEGER, 1800),
} as const;

/** What the server needs to start the emulator in-process (when no KORE_HOST serves some bot). */
export function builtinUpstreamFrom(env: Env): Pick<Config, 'emulatorPort' | 'emulatorFaults'> {
  const read = readerFor(env, EMULATOR_VARIABLES);
  return { emulatorPort: read('EMULATOR_PORT') ?? 0, emulatorFaults: read('EMULATOR_FAULTS') ?? {} };
}

/** `npm run emulator`: the emulator alone, for other clients and benchmarks. */
export interface EmulatorConfig {
  readonly port: number;
  readonly host: string;
  readonly faults: Partial<Faults>;
  readonly rateLimit: { readonly perMinute: number; readonly perHour: number };
}

export function loadEmulatorConfig(env: Env = process.env): EmulatorConfig {
  const read = readerFor(env, EMULATOR_VARIABLES);
  return {
    port: read('EMULATOR_PORT') ?? 4010,
    host: read('EMULATOR_HOST'),
    faults: read('EMULATOR_FAULTS') ?? {},
    rateLimit: { perMinute: read('EMULATOR_RATE_PER_MINUTE'), perHour: read('EMULATOR_RATE_PER_HOUR') },
  };
}
