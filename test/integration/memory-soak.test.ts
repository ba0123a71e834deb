import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '../../src/config';
import { inlineDocument, variablesOperation } from '../helpers/realistic-operations';
import { ROOT, startServerProcess, type ServerProcess } from '../helpers/server-process';

/**
 * Soak: the production build as a real process under a capped heap, with a small CACHE_MAX_BYTES,
 * sent thousands of distinct inline documents and variable-style operations over realistic ranges
 * (the built-in upstream as its own process, so its memory is not the server's). No request fails,
 * the process stays up, and the heap it keeps after a full collection is within the bound of its
 * heap at rest. Without Apollo's document store inside the bound, the parsed documents alone keep
 * several times the bound (or exhaust the capped heap).
 */

const BOUND = 8_000_000;
/** Heap that grows between two rests with nothing kept per request: code compiled and optimized under load, bounded metric series, pools. */
const BASELINE = 4_000_000;
const OPERATIONS = 2_400;
const CONCURRENCY = 12;
const out = join(ROOT, '.ci', 'artifacts', 'soak-dist');

function startEmulatorProcess(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(out, 'emulator', 'main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, EMULATOR_PORT: '0', EMULATOR_RATE_PER_MINUTE: '1000000000', EMULATOR_RATE_PER_HOUR: '1000000000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start:\n${text}`)), 20_000);
    const onData = (c: Buffer) => {
      text += c.toString();
      const m = /emulator at (http:\/\/\S+)/.exec(text);
      if (!m) return;
      clearTimeout(timer);
      child.stdout?.resume();
      resolve({ url: m[1], child });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`emulator exited ${code}:\n${text}`)));
  });
}

describe('soak: distinct documents under a capped heap', () => {
  let emulator: { url: string; child: ChildProcess } | undefined;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    const build = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', out],
      { cwd: ROOT, encoding: 'utf8' },
    );
    if (build.status !== 0) throw new Error(build.stdout + build.stderr);
    emulator = await startEmulatorProcess();
  }, 60_000);

  afterAll(() => {
    server?.kill('SIGKILL');
    emulator?.child.kill('SIGKILL');
    rmSync(out, { recursive: true, force: true });
  });

  it('answers every request, stays up, and keeps at most CACHE_MAX_BYTES of heap', async () => {
    server = await startServerProcess(
      {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        AUTH_MODE: 'none',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        KORE_HOST: emulator?.url,
        KORE_CLIENT_ID: DEMO_CLIENT_ID,
        KORE_CLIENT_SECRET: DEMO_CLIENT_SECRET,
        CACHE_MAX_BYTES: String(BOUND),
        BUDGET_PER_MINUTE: '100000',
        BUDGET_PER_HOUR: '1000000',
        MAX_UPSTREAM_CALLS: '50',
      },
      ['--max-old-space-size=96', '--expose-gc', '-r', join(ROOT, 'bench', 'gc-on-signal.cjs'), join(out, 'index.js')],
    );
    const running = server;
    const post = async (body: unknown) => {
      const res = await fetch(running.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const json = (await res.json()) as { data?: unknown; errors?: unknown[] };
      return { status: res.status, ok: res.status === 200 && !json.errors && json.data != null, json };
    };
    // Heap kept: the smallest of a few readings, each after a full collection (SIGUSR2, harness only).
    const keptHeap = async () => {
      let least = Infinity;
      for (let i = 0; i < 4; i++) {
        running.kill('SIGUSR2');
        const text = await (await fetch(running.url.replace('/graphql', '/metrics'))).text();
        least = Math.min(least, Number(/^eg_nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1]));
      }
      return least;
    };
    const shapes = ['summary', 'daily', 'dashboard'] as const;
    const request = (i: number) => (i % 2 === 0 ? { query: inlineDocument(shapes[(i / 2) % 3], i / 2) } : variablesOperation(i));

    // At rest after the code paths ran once (their compiled code is not memory kept per request).
    for (let i = 0; i < 6; i++) {
      const r = await post(request(i));
      expect({ status: r.status, errors: r.json.errors }).toEqual({ status: 200, errors: undefined });
    }
    const atRest = await keptHeap();

    const failures: unknown[] = [];
    let next = 6;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < OPERATIONS) {
          const r = await post(request(next++));
          if (!r.ok && failures.length < 5) failures.push({ status: r.status, body: r.json });
        }
      }),
    );
    expect(failures).toEqual([]);
    const after = await keptHeap();
    const output = server.output();
    expect(output).not.toMatch(/heap out of memory/i);
    expect((await fetch(server.url.replace('/graphql', '/healthz'))).status).toBe(200);
    process.stdout.write(
      `soak: heap at rest ${(atRest / 1e6).toFixed(1)} MB, after ${OPERATIONS} operations ${(after / 1e6).toFixed(1)} MB, bound ${BOUND / 1e6} MB\n`,
    );
    expect(after - atRest).toBeLessThanOrEqual(BOUND + BASELINE);
  }, 120_000);
});
