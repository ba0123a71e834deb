import { post } from '../lib/load';
import { RANGE, reps } from '../lib/operations';
import { startGraph } from '../lib/processes';
import { minimumCalls } from '../lib/questions';
import type { Scenario } from '../lib/scenario';
import { ROUNDS } from '../lib/settings';
import { median, round } from '../lib/stats';

/**
 * 4. Scale: 1,000 bots through `_entities`, each asking one week's summary, the replay upstream
 * answering after DELAY ms, UPSTREAM_CONCURRENCY=CONCURRENCY. The ideal wall time is the calls in
 * waves of CONCURRENCY; the calls must be the minimum (one daily call per bot, counted by hand).
 */

const BOTS = 1000;
const CONCURRENCY = 16;
const DELAY = 50;
const WEEK = RANGE;
const QUERY = `query Scale($reps: [_Any!]!) { _entities(representations: $reps) { ... on Bot { id engagementTrend(range: { start: "${WEEK.start}", end: "${WEEK.end}" }) { summary { uniqueUsers } } } } }`;

export const scale: Scenario = {
  name: 'scale',
  key: 'scale',
  async run({ replay }) {
    const rounds: Array<{ wallMs: number; calls: number; minimum: number; peakRssMb: number }> = [];
    for (let i = 0; i < ROUNDS; i++) {
      const graph = await startGraph(replay.url, { CACHE_MAX_BYTES: '0', UPSTREAM_CONCURRENCY: String(CONCURRENCY) });
      try {
        replay.state.delayMs = DELAY;
        replay.reset();
        const representations = reps(BOTS, `st-r${i}-`);
        const started = performance.now();
        const data = await post<{ _entities: unknown[] }>(graph.url, QUERY, { reps: representations });
        const wallMs = performance.now() - started;
        if (data._entities.length !== BOTS) throw new Error('scale: wrong entity count');
        const minimum = minimumCalls(representations.map(({ id }) => ({ bot: id, ...WEEK, aggregation: 'daily' as const })));
        rounds.push({ wallMs, calls: replay.state.requests, minimum, peakRssMb: graph.memory().peakKb / 1024 });
      } finally {
        await graph.stop();
      }
    }
    const idealMs = Math.ceil(BOTS / CONCURRENCY) * DELAY;
    const wallMs = median(rounds.map((r) => r.wallMs));
    const sc = {
      bots: BOTS,
      concurrency: CONCURRENCY,
      delayMs: DELAY,
      idealMs,
      wallMs,
      ratio: wallMs / idealMs,
      calls: median(rounds.map((r) => r.calls)),
      minimum: median(rounds.map((r) => r.minimum)),
      peakRssMb: median(rounds.map((r) => r.peakRssMb)),
      rounds,
    };
    return {
      result: sc,
      rows: [
        [
          '4. scale: _entities × 1,000 bots',
          `${Math.round(sc.wallMs)} ms wall, ${sc.calls} calls, peak RSS ${Math.round(sc.peakRssMb)} MB`,
          `ideal ${sc.idealMs} ms (${BOTS} ÷ ${sc.concurrency} × ${sc.delayMs} ms), ratio ${round(sc.ratio)}`,
          rounds.every((r) => r.calls === r.minimum) ? 'calls = minimum' : 'MISSED calls',
        ],
      ],
    };
  },
};
