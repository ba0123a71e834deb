import { LRUCache } from 'lru-cache';
import type { TrendData } from '../engagement/model';

/**
 * Answers shared across requests. Each entry knows until when it is fresh and is kept a while
 * longer, expired, so that it can be served (marked stale) when the upstream fails.
 * Keys always include the credential identity: one tenant's answer is never another's.
 */

export interface CacheEntry {
  readonly data: TrendData;
  readonly storedAt: number;
  readonly freshUntil: number;
}

export interface ResponseCache {
  get(key: string): Promise<CacheEntry | undefined>;
  set(key: string, entry: CacheEntry, keepMs: number): Promise<void>;
}

/**
 * What an answer costs in heap (bytes kept after a full collection), key and LRU bookkeeping
 * included. Measured, not guessed: test/helpers/heap-probe.ts maps real built-in upstream answers
 * (daily series of 30 and 90 days, hourly answers of 7 and 31 days, 24 buckets a day) into this very
 * cache in a child process run with --expose-gc, reads the heap before and after, and divides by
 * the entry count; a straight line per series point and per hourly bucket, rounded up. Dates are
 * shared strings (time/calendar.ts memoizes them), so they cost a pointer per point. BENCHMARKS.md has the
 * numbers.
 */
export function answerEntrySize(data: TrendData, keyLength: number): number {
  const series = data.series;
  const points = series ? series.uniqueUsers.length + (series.newUsers?.length ?? 0) + (series.returningUsers?.length ?? 0) : 0;
  return ANSWER_BASE + keyLength + ANSWER_PER_POINT * points + ANSWER_PER_BUCKET * (data.hourly?.length ?? 0);
}
const ANSWER_BASE = 900;
const ANSWER_PER_POINT = 50;
const ANSWER_PER_BUCKET = 75;

/** In-process LRU bounded by an estimate of its size in bytes; 0 turns caching off. */
export function createMemoryCache(maxBytes: number): ResponseCache & { stats(): { readonly entries: number; readonly bytes: number } } {
  if (maxBytes === 0) return { get: async () => undefined, set: async () => undefined, stats: () => ({ entries: 0, bytes: 0 }) };
  const lru = new LRUCache<string, CacheEntry>({
    maxSize: maxBytes,
    sizeCalculation: (e, key) => answerEntrySize(e.data, key.length),
    ttlAutopurge: false,
  });
  return {
    async get(key) {
      return lru.get(key);
    },
    async set(key, entry, keepMs) {
      lru.set(key, entry, { ttl: Math.max(1, keepMs) });
    },
    /** Entries and their estimated bytes (the heap probe and the bench). */
    stats: () => ({ entries: lru.size, bytes: lru.calculatedSize }),
  };
}
