import { inlineDocument, variablesOperation } from '../../test/helpers/realistic-operations';
import { JSON_HEADERS, load } from '../lib/load';
import { atRest } from '../lib/memory';
import { startGraph } from '../lib/processes';
import type { Row, Scenario } from '../lib/scenario';
import { MEMORY_OPS } from '../lib/settings';
import { round } from '../lib/stats';

/**
 * 5. Memory, with the mix of issue 14 (row 5): distinct documents with the arguments inline (every
 * other operation, as curl users and generated dashboards send them: summaries, 90-day daily
 * series, four-panel dashboards with 31-day hourly answers) and the same questions with variables
 * (7-31-day hourly, 30-90-day daily), in four time zones, against a fresh production process.
 * Heap and RSS are read at rest after a full collection (lib/memory.ts) before and after the load:
 * the heap kept is what CACHE_MAX_BYTES must bound. RSS is sampled under load too. Three runs: a
 * control with the cache off (what any load leaves: code optimized under load, pools),
 * CACHE_MAX_BYTES=20 MB with an uncapped heap, and 50 MB under --max-old-space-size=160 (where the
 * process used to run out of heap). BENCH_MEMORY_OPS sets the operations per run.
 */

const SHAPES = ['summary', 'daily', 'dashboard'] as const;
const body = (i: number) =>
  i % 2 === 0 ? JSON.stringify({ query: inlineDocument(SHAPES[(i / 2) % 3], i / 2) }) : JSON.stringify(variablesOperation(i));

type MemoryRun = Awaited<ReturnType<typeof run>>;

async function run(replayUrl: string, bound: number, heapCapMb?: number) {
  const flags = ['--expose-gc', '-r', './bench/gc-on-signal.cjs', ...(heapCapMb ? [`--max-old-space-size=${heapCapMb}`] : [])];
  const graph = await startGraph(replayUrl, { CACHE_MAX_BYTES: String(bound), MAX_UPSTREAM_CALLS: '50' }, flags);
  try {
    for (let i = 0; i < 6; i++) await fetch(graph.url, { method: 'POST', headers: JSON_HEADERS, body: body(i) });
    const before = await atRest(graph);
    let i = 6;
    let loadRssMb = 0;
    const sampler = setInterval(() => (loadRssMb = Math.max(loadRssMb, graph.memory().rssKb / 1024)), 250);
    const started = performance.now();
    try {
      await load({
        url: graph.url,
        method: 'POST',
        headers: JSON_HEADERS,
        connections: 16,
        amount: MEMORY_OPS,
        requests: [{ setupRequest: (req) => ({ ...req, body: body(i++) }) }],
      });
    } finally {
      clearInterval(sampler);
    }
    const seconds = (performance.now() - started) / 1000;
    const after = await atRest(graph);
    return {
      boundMb: bound / 1e6,
      heapCapMb: heapCapMb ?? null,
      operations: MEMORY_OPS,
      seconds,
      before,
      after,
      keptHeapMb: after.heapMb - before.heapMb,
      loadRssMb,
      survived: graph.child.exitCode === null,
    };
  } finally {
    await graph.stop();
  }
}

export const memory: Scenario = {
  name: 'memory',
  key: 'memory',
  async run({ replay }) {
    replay.state.delayMs = 0;
    const measured = async (bound: number, heapCapMb?: number) => {
      replay.reset();
      const r = await run(replay.url, bound, heapCapMb);
      return { ...r, upstreamCalls: replay.state.requests, distinctQuestions: replay.distinct() };
    };
    // The control: the same load with CACHE_MAX_BYTES=0 keeps nothing per request, so its growth is
    // what any load leaves (code optimized under load, pools); what a run keeps beyond it is what the
    // bound must hold.
    const control = await measured(0);
    const runs = [await measured(20_000_000), await measured(50_000_000, 160)].map((r) => ({
      ...r,
      beyondControlMb: r.keptHeapMb - control.keptHeapMb,
    }));
    const describe = (r: MemoryRun & { upstreamCalls: number }) =>
      `heap kept after a full GC +${round(r.keptHeapMb, 1)} MB (at rest ${round(r.before.heapMb, 1)} → ${round(r.after.heapMb, 1)} MB); RSS under load ${Math.round(r.loadRssMb)} MB, at rest ${Math.round(r.before.rssMb)} → ${Math.round(r.after.rssMb)} MB; ${r.upstreamCalls} upstream calls; ${round(r.seconds, 1)} s`;
    const rows: Row[] = [
      [
        `5. memory: control, ${control.operations.toLocaleString('en')} ops, half inline, cache off`,
        describe(control),
        'nothing kept per request',
        control.survived ? 'survived' : 'MISSED (crashed)',
      ],
      ...runs.map((r): Row => [
        `5. memory: ${r.operations.toLocaleString('en')} ops, half inline, bound ${r.boundMb} MB${r.heapCapMb ? `, heap cap ${r.heapCapMb} MB` : ''}`,
        describe(r),
        `kept beyond control ${round(r.beyondControlMb, 1)} MB; bound ${r.boundMb} MB`,
        r.survived && r.beyondControlMb <= r.boundMb ? 'met (kept ≤ bound)' : 'MISSED (kept ≤ bound)',
      ]),
    ];
    return { result: { control, runs }, rows };
  },
};
