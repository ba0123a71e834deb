import 'reflect-metadata';
import { machine, printTable, writeResults } from './lib/report';
import type { Row, Scenario } from './lib/scenario';
import { ONLY, ROUNDS, SECONDS } from './lib/settings';
import { startReplay, startUpstream } from './lib/upstream';
import { dashboard } from './scenarios/dashboard';
import { dashboardWall } from './scenarios/dashboard-wall';
import { efficiency } from './scenarios/efficiency';
import { memory } from './scenarios/memory';
import { overhead } from './scenarios/overhead';
import { scale } from './scenarios/scale';
import { startup } from './scenarios/startup';
import { throughput } from './scenarios/throughput';

/**
 * `npm run bench`: every scenario of the performance issue, side by side in one run, on loopback.
 * Engagement Graph runs as a real production process (dist/, NODE_ENV=production; lib/processes.ts);
 * the plain Apollo Server baseline and the built-in upstream each run as their own process (as
 * Kore.ai is its own service: a direct call and a call through the layer both cross to it); a
 * counting "replay" upstream runs here (lib/upstream.ts). Each scenario is one file in scenarios/;
 * this file chooses them, runs them in order, prints the table and writes bench/results.json.
 * Settings (BENCH_ROUNDS, BENCH_SECONDS, BENCH_ONLY, BENCH_MEMORY_OPS) are in lib/settings.ts.
 */

const SCENARIOS: readonly Scenario[] = [overhead, throughput, efficiency, scale, memory, dashboard, startup, dashboardWall];

async function main(): Promise<void> {
  const unknown = [...ONLY].filter((name) => !SCENARIOS.some((s) => s.name === name));
  if (unknown.length)
    throw new Error(`BENCH_ONLY: no scenario ${unknown.join(', ')} (scenarios: ${SCENARIOS.map((s) => s.name).join(', ')})`);
  const chosen = SCENARIOS.filter((s) => ONLY.size === 0 || ONLY.has(s.name));
  const host = machine();
  process.stdout.write(
    `Engagement Graph benchmarks: ${ROUNDS} rounds of ${SECONDS} s; ${host.cpu}, ${host.cores} cores, Node ${host.node}\n\n`,
  );
  const emulator = await startUpstream();
  const replay = await startReplay(emulator);
  try {
    const results: Record<string, unknown> = { at: new Date().toISOString(), machine: host, rounds: ROUNDS, seconds: SECONDS };
    const rows: Row[] = [];
    for (const scenario of chosen) {
      const outcome = await scenario.run({ emulator, replay });
      results[scenario.key] = outcome.result;
      rows.push(...outcome.rows);
    }
    printTable(rows);
    // Only a full run replaces the recorded results.
    if (ONLY.size === 0) writeResults(results);
  } finally {
    await replay.close();
    await emulator.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
