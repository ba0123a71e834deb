import type http from 'node:http';
import { mulberry32 } from './world';

/**
 * Fault switches for the built-in upstream, so that tests (and people trying the API) can see how
 * Engagement Graph behaves against a slow, failing or rate-limiting Kore.ai. Set them with
 * EMULATOR_FAULTS='{"latencyMs":300,"errorRate":0.2}' or at run time with
 * `PUT /emulator/faults` (JSON body; `GET` shows them, `DELETE` clears them). Shares are applied
 * with a seeded generator, so a run is repeatable.
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

export const NO_FAULTS: Readonly<Faults> = { latencyMs: 0, errorRate: 0, rateLimitBurst: 0, rateLimitRetryAfter: null, resetRate: 0, malformedRate: 0, slowBodyMs: 0 };

/** Merges a partial JSON object into faults, refusing unknown keys and out-of-range values. */
export function parseFaults(input: unknown, base: Faults = { ...NO_FAULTS }): Faults {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new Error('faults must be a JSON object');
  const out = { ...base };
  for (const [key, value] of Object.entries(input)) {
    if (!(key in NO_FAULTS)) throw new Error(`unknown fault ${JSON.stringify(key)}`);
    const isShare = key.endsWith('Rate');
    const ok =
      (key === 'rateLimitRetryAfter' && value === null) ||
      (typeof value === 'number' && Number.isFinite(value) && value >= 0 && (!isShare || value <= 1) && (isShare || Number.isInteger(value)));
    if (!ok) throw new Error(`fault ${key} has an invalid value ${JSON.stringify(value)}`);
    (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

export type FaultDecision = { kind: 'reset' } | { kind: 'status'; status: number; msg: string; headers?: Record<string, string> } | { kind: 'html' } | { kind: 'pass' };

export function createFaultPicker(faults: Faults, seed = 42) {
  const rng = mulberry32(seed);
  return (): FaultDecision => {
    if (faults.resetRate > 0 && rng() < faults.resetRate) return { kind: 'reset' };
    if (faults.rateLimitBurst > 0) {
      faults.rateLimitBurst--;
      const headers = faults.rateLimitRetryAfter === null ? undefined : { 'retry-after': String(faults.rateLimitRetryAfter) };
      return { kind: 'status', status: 429, msg: "You've exceeded the per-minute rate limit for this API. Please try again later.", headers };
    }
    if (faults.errorRate > 0 && rng() < faults.errorRate) return { kind: 'status', status: 503, msg: 'Service Unavailable' };
    if (faults.malformedRate > 0 && rng() < faults.malformedRate) return { kind: 'html' };
    return { kind: 'pass' };
  };
}

/** Writes a body, slowly when asked: half, a pause, the rest. */
export function writeSlowly(res: http.ServerResponse, status: number, headers: Record<string, string | number>, body: string, pauseMs: number): void {
  res.writeHead(status, headers);
  if (pauseMs <= 0) {
    res.end(body);
    return;
  }
  const half = Math.floor(body.length / 2);
  res.write(body.slice(0, half));
  setTimeout(() => res.end(body.slice(half)), pauseMs);
}
