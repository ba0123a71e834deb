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

/** In-process LRU bounded by an estimate of its size in bytes; 0 turns caching off. */
export function createMemoryCache(maxBytes: number): ResponseCache {
  if (maxBytes === 0) return { get: async () => undefined, set: async () => undefined };
  const lru = new LRUCache<string, CacheEntry>({
    maxSize: maxBytes,
    // A rough but stable estimate: an hourly bucket ~120 bytes as objects, a data point ~60.
    sizeCalculation: (e) => 512 + (e.data.hourly?.length ?? 0) * 120 + (e.data.series?.uniqueUsers.length ?? 0) * 180,
    ttlAutopurge: false,
  });
  return {
    async get(key) {
      return lru.get(key);
    },
    async set(key, entry, keepMs) {
      lru.set(key, entry, { ttl: Math.max(1, keepMs) });
    },
  };
}
