import type { DocumentStore } from '@apollo/server';
import type { DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';

/**
 * Apollo Server's parsed documents and automatic persisted queries (APQ), inside CACHE_MAX_BYTES.
 *
 * Apollo's defaults are two LRUs of 30 MiB each, sized by JSON length and outside our bound. A
 * parsed document is far larger in heap than its JSON: graphql-js keeps the source text and every
 * token (`loc`), and each node is an object. Every distinct document a client sends (arguments
 * inline, as curl users and generated dashboards write them) becomes an entry, so this store is
 * bounded by a measured size, as the answer and operation caches are. One LRU holds both kinds:
 * keys never collide (Apollo prefixes APQ keys with `apq:`, documents with the schema hash).
 *
 * Sizes (bytes of heap kept per entry, after a full collection) come from
 * test/helpers/heap-probe.ts: entries filled into this very LRU in a child process run with
 * --expose-gc, heap measured before and after, divided by the entry count, for documents of several
 * lengths; a straight line through them, rounded up. BENCHMARKS.md has the numbers.
 */
export const documentEntrySize = (sourceLength: number, keyLength: number): number =>
  DOCUMENT_BASE + DOCUMENT_PER_CHAR * sourceLength + keyLength;
/** An APQ entry is the query text itself (one byte a character for the ASCII of GraphQL, two otherwise). */
export const queryTextEntrySize = (text: string, keyLength: number): number =>
  TEXT_BASE + text.length * (isOneByte(text) ? 1 : 2) + keyLength;

const DOCUMENT_BASE = 2_000;
const DOCUMENT_PER_CHAR = 60;
const TEXT_BASE = 400;

// eslint-disable-next-line no-control-regex -- the range is the Latin-1 byte range, NUL included on purpose
const isOneByte = (text: string) => !/[^\x00-\xff]/.test(text);

export interface DocumentCaches {
  /** For ApolloServer's `documentStore`. */
  readonly documentStore: DocumentStore;
  /** For `persistedQueries.cache`. */
  readonly persistedQueries: {
    get(key: string): Promise<string | undefined>;
    set(key: string, value: string): Promise<void>;
    delete(key: string): Promise<boolean>;
  };
  /** Entries and their estimated bytes (tests and the bench). */
  readonly stats: () => { readonly entries: number; readonly bytes: number };
}

/**
 * With CACHE_MAX_BYTES=0 (answers and operations not cached), parsed documents still are, in a small
 * fixed store: parsing and validating every request again is a visible part of an uncached
 * request's latency (BENCHMARKS.md), and a dashboard sends the same few documents.
 */
export const DOCUMENTS_WITHOUT_CACHE_BYTES = 2_000_000;

export function createDocumentCaches(share: number): DocumentCaches {
  const maxBytes = share > 0 ? share : DOCUMENTS_WITHOUT_CACHE_BYTES;
  const lru = new LRUCache<string, DocumentNode | string>({
    maxSize: maxBytes,
    sizeCalculation: (value, key) =>
      typeof value === 'string'
        ? queryTextEntrySize(value, key.length)
        : documentEntrySize(value.loc?.source.body.length ?? JSON.stringify(value).length, key.length),
  });
  // An entry that would take more than a tenth of the store is not kept: one huge document must
  // not flush everything else (it still executes, parsed again when sent again).
  const fits = (size: number) => size <= maxBytes / 10;
  return {
    documentStore: {
      async get(key) {
        const found = lru.get(key);
        return typeof found === 'object' ? found : undefined;
      },
      async set(key, document) {
        if (fits(documentEntrySize(document.loc?.source.body.length ?? JSON.stringify(document).length, key.length)))
          lru.set(key, document);
      },
      async delete(key) {
        return lru.delete(key);
      },
    },
    persistedQueries: {
      async get(key) {
        const found = lru.get(key);
        return typeof found === 'string' ? found : undefined;
      },
      async set(key, text) {
        if (fits(queryTextEntrySize(text, key.length))) lru.set(key, text);
      },
      async delete(key) {
        return lru.delete(key);
      },
    },
    stats: () => ({ entries: lru.size, bytes: lru.calculatedSize }),
  };
}
