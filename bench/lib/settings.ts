import { join } from 'node:path';

/**
 * The knobs of a bench run, all from the environment: BENCH_ROUNDS (default 3) and BENCH_SECONDS
 * (default 3, fractions allowed) trade time for stability; BENCH_ONLY=overhead,throughput,... runs
 * those scenarios alone (and writes no results file); BENCH_MEMORY_OPS sets the memory scenario's
 * operations per run; BENCH_WALL_SCALE (default 1, real time) compresses the dashboard-wall scenario's
 * time by that factor (its budget windows are not compressed: see scenarios/dashboard-wall.ts).
 */
export const ROOT = join(__dirname, '..', '..');
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
export const ONLY: ReadonlySet<string> = new Set(
  (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
export const MEMORY_OPS = Number(process.env.BENCH_MEMORY_OPS ?? 20_000);
export const WALL_SCALE = Number(process.env.BENCH_WALL_SCALE ?? 1);
