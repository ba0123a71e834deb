import type { Proc } from './processes';
import type { Replay } from './upstream';

/** A row of the printed table: scenario, measured, compared with, target (met or MISSED). */
export type Row = readonly [scenario: string, measured: string, comparedWith: string, target: string];

/** What every scenario may use: the built-in upstream process and the counting replay upstream. */
export interface BenchContext {
  readonly emulator: Proc;
  readonly replay: Replay;
}

/** One scenario: it starts the graph processes it needs, stops them, and reports its own rows. */
export interface Scenario {
  /** The name BENCH_ONLY selects it by. */
  readonly name: string;
  /** Its key in bench/results.json. */
  readonly key: string;
  run(context: BenchContext): Promise<{ readonly result: unknown; readonly rows: readonly Row[] }>;
}
