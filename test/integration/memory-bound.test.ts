import { spawn } from 'node:child_process';
import { ROOT } from '../helpers/server-process';

/**
 * Each in-process cache, filled well past its bound with realistic distinct entries (answers and
 * responses from the built-in upstream, inline documents parsed as Apollo parses them), keeps no more
 * heap after a full collection than its bound plus a stated baseline. Run in a child process with
 * --expose-gc (test/helpers/heap-probe.ts): a jest worker's heap is too noisy to measure.
 */

const BOUND = 4_000_000;
/** Heap that moves between two full collections with nothing kept: code, inline caches, the LRU's arrays. */
const BASELINE = 512 * 1024;

interface Fill {
  readonly offered: number;
  readonly entries: number;
  readonly estimated: number;
  readonly retained: number;
}

function fill(cache: string): Promise<Fill> {
  const child = spawn(
    process.execPath,
    ['--expose-gc', '-r', 'ts-node/register/transpile-only', 'test/helpers/heap-probe.ts', 'fill', cache, String(BOUND)],
    { cwd: ROOT },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      try {
        if (code !== 0) throw new Error(`probe exited ${code}:\n${out}`);
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as Fill);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    }),
  );
}

describe('memory kept per distinct request stays within CACHE_MAX_BYTES', () => {
  it.each(['answers', 'operations', 'documents'])(
    'the %s cache keeps at most its bound after a full GC, filled four times over',
    async (cache) => {
      const result = await fill(cache);
      // It was filled past the bound and evicted (not refused everything).
      expect(result.entries).toBeGreaterThan(0);
      expect(result.entries).toBeLessThan(result.offered);
      expect(result.estimated).toBeLessThanOrEqual(BOUND);
      // The heap it keeps is what its estimate says, at most: the size function does not under-count.
      expect(result.retained).toBeLessThanOrEqual(BOUND + BASELINE);
      // And the estimate is not so loose that the bound means nothing.
      expect(result.retained).toBeGreaterThan(BOUND * 0.6);
    },
    90_000,
  );
});
