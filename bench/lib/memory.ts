import { readFileSync } from 'node:fs';
import type { Proc } from './processes';

/** Peak and current resident memory (kB) of a process, from /proc (Linux); NaN elsewhere. */
export function procMemory(pid: number): { peakKb: number; rssKb: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
    return { peakKb: kb('VmHWM'), rssKb: kb('VmRSS') };
  } catch {
    return { peakKb: NaN, rssKb: NaN };
  }
}

/**
 * Heap and RSS of a graph process at rest, after full collections. The process must run with
 * --expose-gc and bench/gc-on-signal.cjs (SIGUSR2 collects). V8 hands freed pages back over a few
 * seconds after a load, so this collects and reads once a second until two RSS readings agree
 * within 1 MB (at most 15 tries). The heap is read from the process's own /metrics.
 */
export async function atRest(graph: Proc): Promise<{ heapMb: number; rssMb: number }> {
  let previous = Infinity;
  for (let i = 0; i < 15; i++) {
    graph.child.kill('SIGUSR2');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const rssMb = graph.memory().rssKb / 1024;
    if (Math.abs(rssMb - previous) < 1) break;
    previous = rssMb;
  }
  const text = await (await fetch(graph.url.replace('/graphql', '/metrics'))).text();
  return { heapMb: Number(/^eg_nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1]) / 1e6, rssMb: graph.memory().rssKb / 1024 };
}
