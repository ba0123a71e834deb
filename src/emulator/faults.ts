import type http from 'node:http';
import type { Faults } from '../config/emulator';
import { mulberry32 } from './world';

export type FaultDecision =
  | { kind: 'reset' }
  | { kind: 'status'; status: number; msg: string; headers?: Record<string, string> }
  | { kind: 'html' }
  | { kind: 'pass' };

/** Picks, per call, which fault (if any) the emulator answers with, from the live switches. */
export function createFaultPicker(faults: Faults, seed = 42) {
  const rng = mulberry32(seed);
  return (): FaultDecision => {
    if (faults.resetRate > 0 && rng() < faults.resetRate) return { kind: 'reset' };
    if (faults.rateLimitBurst > 0) {
      faults.rateLimitBurst--;
      const headers = faults.rateLimitRetryAfter === null ? undefined : { 'retry-after': String(faults.rateLimitRetryAfter) };
      return {
        kind: 'status',
        status: 429,
        msg: "You've exceeded the per-minute rate limit for this API. Please try again later.",
        headers,
      };
    }
    if (faults.errorRate > 0 && rng() < faults.errorRate) return { kind: 'status', status: 503, msg: 'Service Unavailable' };
    if (faults.malformedRate > 0 && rng() < faults.malformedRate) return { kind: 'html' };
    return { kind: 'pass' };
  };
}

/** Writes a body, slowly when asked: half, a pause, the rest. */
export function writeSlowly(
  res: http.ServerResponse,
  status: number,
  headers: Record<string, string | number>,
  body: string,
  pauseMs: number,
): void {
  res.writeHead(status, headers);
  if (pauseMs <= 0) {
    res.end(body);
    return;
  }
  const half = Math.floor(body.length / 2);
  res.write(body.slice(0, half));
  setTimeout(() => res.end(body.slice(half)), pauseMs);
}
