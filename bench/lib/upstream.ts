import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { upstreamToken } from './credentials';
import { startProcess, type Proc } from './processes';

/**
 * The upstreams the graph is measured against: the built-in upstream as its own process (as Kore.ai
 * is its own service) and a counting "replay" upstream in the bench process.
 */

/** The built-in upstream on its own (npm run emulator), its rate limits out of the way. */
export const startUpstream = (): Promise<Proc> =>
  startProcess(
    ['dist/emulator/main.js'],
    { EMULATOR_PORT: '0', EMULATOR_RATE_PER_MINUTE: '1000000000', EMULATOR_RATE_PER_HOUR: '1000000000' },
    /emulator at (http:\/\/\S+)/,
    (m) => m[1],
  );

export interface Replay {
  readonly url: string;
  /** `delayMs` before each answer; `requests` counts every request since the last reset. */
  readonly state: { delayMs: number; requests: number };
  /** Distinct (bot, query) requests since the last reset: what the upstream was asked, counted by the upstream. */
  distinct(): number;
  reset(): void;
  close(): Promise<void>;
}

/**
 * A counting upstream for the efficiency, scale and memory scenarios: answers any bot with the
 * built-in upstream's answer for st-demo-retail to the same query (fetched once, then replayed),
 * after `delayMs`. Counts every request and every distinct (bot, query).
 */
export async function startReplay(emulator: Proc): Promise<Replay> {
  const answers = new Map<string, Promise<string>>();
  const seen = new Set<string>();
  const state = { delayMs: 0, requests: 0 };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://replay');
    state.requests++;
    seen.add(url.pathname + url.search);
    const path = url.pathname.replace(/\/bot\/[^/]+\//, '/bot/st-demo-retail/');
    let answer = answers.get(path + url.search);
    if (!answer) {
      const headers = { auth: upstreamToken(300), 'content-type': 'application/json' };
      answer = fetch(`${emulator.url}${path}${url.search}`, { method: 'POST', headers }).then((r) => r.text());
      answers.set(path + url.search, answer);
    }
    req.resume();
    void answer.then((body) =>
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      }, state.delayMs),
    );
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    distinct: () => seen.size,
    reset() {
      state.requests = 0;
      seen.clear();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
