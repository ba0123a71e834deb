import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { Row, Scenario } from '../lib/scenario';
import { ROOT, ROUNDS } from '../lib/settings';
import { median, round } from '../lib/stats';

/**
 * 7. Startup (issue 17): the time from spawning the process to its first answered query, as a new
 * user meets it. `npm start` (ts-node --transpile-only, compiling src/ on the way) against
 * `node dist/index.js` (built by `npm run bench`), both with Quick start's environment: nothing set
 * but the port, so each starts the built-in upstream too. The clock starts before the spawn and stops
 * when the first query's JSON answer with data has arrived; the "ready" log line is noted on the way.
 * Each round is a fresh process (a cold start), BENCH_ROUNDS of each, reported by their median.
 */

const FIRST = `query First($botId: ID!) { engagementTrend(botId: $botId, range: { preset: LAST_7_DAYS }) { summary { uniqueUsers } } }`;
const READY = /ready at http:\/\/localhost:(\d+)\/graphql/;
/** A cold start that takes longer than this is reported as a failure, not measured. */
const GIVE_UP_MS = 60_000;

interface Start {
  readonly readyMs: number;
  readonly answerMs: number;
}

async function firstAnswer(command: string, args: readonly string[]): Promise<Start> {
  const started = performance.now();
  // Its own process group, so that npm's child (ts-node) stops with it.
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? ROOT, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    let out = '';
    const port = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${command} ${args.join(' ')}: not ready in ${GIVE_UP_MS} ms\n${out}`)), GIVE_UP_MS);
      const onData = (chunk: Buffer) => {
        out += chunk.toString('utf8');
        const m = READY.exec(out);
        if (!m) return;
        clearTimeout(timer);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(m[1]!);
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => reject(new Error(`${command} exited ${code}:\n${out}`)));
    });
    const readyMs = performance.now() - started;
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: FIRST, variables: { botId: 'st-demo-retail' } }),
    });
    const body = (await res.json()) as { data?: { engagementTrend?: { summary?: { uniqueUsers?: number } } }; errors?: unknown };
    const answerMs = performance.now() - started;
    if (!(Number(body.data?.engagementTrend?.summary?.uniqueUsers) > 0))
      throw new Error(`first answer has no numbers: ${JSON.stringify(body)}`);
    return { readyMs, answerMs };
  } finally {
    if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
}

async function rounds(command: string, args: readonly string[]): Promise<{ readyMs: number; answerMs: number; runs: Start[] }> {
  const runs: Start[] = [];
  for (let i = 0; i < ROUNDS; i++) runs.push(await firstAnswer(command, args));
  return { readyMs: median(runs.map((r) => r.readyMs)), answerMs: median(runs.map((r) => r.answerMs)), runs };
}

const seconds = (ms: number) => `${round(ms / 1000, 2)} s`;
/** The figure: `npm start` answers its first query in about 3 s; keep it there. */
const TARGET_MS = 3_500;

export const startup: Scenario = {
  name: 'startup',
  key: 'startup',
  async run() {
    const npm = await rounds(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['start']);
    const dist = await rounds(process.execPath, ['dist/index.js']);
    const rows: Row[] = [
      [
        '7. startup: spawn to first answer, `npm start`',
        `${seconds(npm.answerMs)} (ready line ${seconds(npm.readyMs)})`,
        `\`node dist/index.js\`: ${seconds(dist.answerMs)} (ready ${seconds(dist.readyMs)})`,
        npm.answerMs <= TARGET_MS ? 'met (about 3 s)' : 'MISSED (about 3 s)',
      ],
    ];
    return { result: { npmStart: npm, dist }, rows };
  },
};
