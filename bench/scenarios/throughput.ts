import { gqlBody, JSON_HEADERS, load, post } from '../lib/load';
import { RANGE, TREND_OP } from '../lib/operations';
import { startGraph, startHello } from '../lib/processes';
import type { Scenario } from '../lib/scenario';
import { ROUNDS } from '../lib/settings';
import { median, round } from '../lib/stats';

/**
 * 2. Cached throughput: 20 connections, an engagementTrend operation answered from cache against a
 * plain Apollo Server's `{ hello }`. Target: at least 0.8 of the plain server's requests a second.
 */
export const throughput: Scenario = {
  name: 'throughput',
  key: 'cachedThroughput',
  async run({ emulator }) {
    const graph = await startGraph(emulator.url);
    const hello = await startHello();
    try {
      const trend = {
        url: graph.url,
        method: 'POST' as const,
        headers: JSON_HEADERS,
        body: gqlBody(TREND_OP, { bot: 'st-demo-retail', range: RANGE }),
      };
      const plain = { url: hello.url, method: 'POST' as const, headers: JSON_HEADERS, body: gqlBody('{ hello }') };
      await post(graph.url, TREND_OP, { bot: 'st-demo-retail', range: RANGE }); // fill the cache
      await load({ ...trend, connections: 20, duration: 1 }); // JIT warm-up, both
      await load({ ...plain, connections: 20, duration: 1 });
      const rounds: Array<{ graphRps: number; helloRps: number; graphP50: number; helloP50: number }> = [];
      for (let i = 0; i < ROUNDS; i++) {
        const h = await load({ ...plain, connections: 20 });
        const g = await load({ ...trend, connections: 20 });
        rounds.push({ graphRps: g.requests.average, helloRps: h.requests.average, graphP50: g.latency.p50, helloP50: h.latency.p50 });
      }
      const graphRps = median(rounds.map((r) => r.graphRps));
      const helloRps = median(rounds.map((r) => r.helloRps));
      const t = { graphRps, helloRps, ratio: graphRps / helloRps, rounds };
      return {
        result: t,
        rows: [
          [
            '2. cached throughput',
            `${Math.round(t.graphRps)} req/s vs plain Apollo ${Math.round(t.helloRps)} req/s`,
            `ratio ${round(t.ratio)}`,
            t.ratio >= 0.8 ? 'met (≥ 0.8)' : 'MISSED (≥ 0.8)',
          ],
        ],
      };
    } finally {
      await graph.stop();
      await hello.stop();
    }
  },
};
