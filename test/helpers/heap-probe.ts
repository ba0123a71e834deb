import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { parse } from 'graphql';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '../../src/config';
import { createDocumentCaches, documentEntrySize, queryTextEntrySize } from '../../src/server/document-store';
import { mapTrend } from '../../src/upstream/kore/mapper';
import type { Granularity, UpstreamRequest } from '../../src/engagement/model';
import { createOperationStore, operationEntrySize } from '../../src/server/plugins/operation-cache';
import { trendPath, trendQuery } from '../../src/upstream/kore';
import { mintUpstreamToken } from '../../src/upstream/jwt';
import { answerEntrySize, createMemoryCache } from '../../src/upstream/response-cache';
import { END, FULL_FIELDS, HOURLY_FIELDS, SERIES_FIELDS, ZONES, dayOf, inlineDocument, isoOf } from './realistic-operations';
import { startStack } from './stack';

/**
 * Heap probe, run as its own process with --expose-gc (a jest worker's heap is too noisy):
 *
 *   node --expose-gc -r ts-node/register/transpile-only test/helpers/heap-probe.ts measure
 *     For each realistic entry (a 30- and a 90-day daily answer, a 7- and a 31-day hourly answer
 *     with 24 buckets a day and 3 trends, whole responses of those, inline documents of three
 *     lengths), fills the real cache, unbounded, with N distinct copies, and prints the heap kept
 *     per entry after a full collection next to what the size function says.
 *   … heap-probe.ts fill <answers|operations|documents> <boundBytes>
 *     Fills that cache, bounded, with realistic distinct entries until four times the bound went in,
 *     and prints the heap kept after a full collection beyond the heap before the first entry.
 *
 * Samples come from the real pipeline first (the built-in upstream's bodies, the server's
 * responses), then the stack is closed and collected before the baseline is read.
 */

const gc = globalThis.gc;
if (!gc) throw new Error('run with --expose-gc');
const collect = () => {
  for (let i = 0; i < 3; i++) gc();
};
const heap = () => {
  collect();
  return process.memoryUsage().heapUsed;
};

interface AnswerSample {
  readonly name: string;
  readonly req: UpstreamRequest;
  readonly body: string;
}
interface TextSample {
  readonly name: string;
  readonly text: string;
}

async function samples(): Promise<{ answers: AnswerSample[]; operations: TextSample[] }> {
  const stack = await startStack({
    env: { CACHE_MAX_BYTES: '0', MAX_UPSTREAM_CALLS: '50', BUDGET_PER_MINUTE: '1000', BUDGET_PER_HOUR: '10000' },
  });
  try {
    const upstream = stack.emulator?.url ?? '';
    const answers: AnswerSample[] = [];
    const ranges: Array<[Granularity, number]> = [
      ['daily', 30],
      ['daily', 90],
      ['hourly', 7],
      ['hourly', 31],
    ];
    for (const [index, [granularity, days]] of ranges.entries()) {
      const req: UpstreamRequest = {
        version: 'v2',
        botId: 'st-demo-retail',
        startDay: dayOf(END) - days + 1,
        endDay: dayOf(END),
        channel: null,
        conversationType: 'ALL',
        conversationStatus: 'ALL',
        timeZone: ZONES[index],
        granularity,
      };
      const res = await fetch(`${upstream}${trendPath(req)}?${trendQuery(req)}`, {
        method: 'POST',
        headers: { auth: mintUpstreamToken(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, 300), 'content-type': 'application/json' },
      });
      if (!res.ok) throw new Error(`upstream ${res.status}`);
      answers.push({ name: `${granularity} ${days} days`, req, body: await res.text() });
    }
    const operations: TextSample[] = [];
    const variables = (days: number, zone: string) => ({
      range: { start: isoOf(dayOf(END) - days + 1), end: END },
      filters: { timeZone: zone },
    });
    const op = async (name: string, fields: string, days: number, zone: string) => {
      const query = `query Op($range: DateRangeInput!, $filters: EngagementFilters) { engagementTrend(botId: "st-demo-retail", range: $range, filters: $filters) { ${fields} } }`;
      const res = await fetch(`${stack.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables: variables(days, zone) }),
      });
      const body = (await res.json()) as { errors?: unknown };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      // What the operation cache copies: the result as JSON (the response body is that result).
      operations.push({ name, text: JSON.stringify(body) });
    };
    await op('summary 30 days', FULL_FIELDS, 30, 'UTC');
    await op('daily 30 days', `${FULL_FIELDS} ${SERIES_FIELDS}`, 30, 'Asia/Kolkata');
    await op('daily 90 days', `${FULL_FIELDS} ${SERIES_FIELDS}`, 90, 'America/New_York');
    await op('hourly 31 days', `${FULL_FIELDS} ${HOURLY_FIELDS}`, 31, 'Europe/Berlin');
    return { answers, operations };
  } finally {
    await stack.close();
  }
}

const hex = (s: string) => createHash('sha256').update(s).digest('hex');
/** Keys shaped as the caches build them. */
const answerKey = (i: number) => `cs-demo|daily|v2|st-demo-retail|${20_000 + i}|${20_090 + i}|*|ALL|ALL|Asia/Kolkata`;
const operationKey = (i: number) =>
  `*\nOp\n{"range":{"start":"2025-09-02","end":"2025-11-30"},"filters":{"timeZone":"Asia/Kolkata"},"n":${i}}\n${hex(String(i))}`;
const documentKey = (text: string) => `${hex('schema')}:${hex(text)}`;

interface Kind {
  readonly name: string;
  /** A store of this kind bounded by `maxBytes`; `put` adds entry `i` of sample `sample` (distinct per i) and returns its estimated size. */
  readonly make: (maxBytes: number) => { put(sample: number, i: number): number; estimate(): number; entries(): number };
  readonly samples: string[];
  /** The JSON or source length the size function is a line of, per sample. */
  readonly chars?: number[];
}

function kinds(data: { answers: AnswerSample[]; operations: TextSample[] }): Record<'answers' | 'operations' | 'documents', Kind> {
  const shapes = ['summary', 'daily', 'dashboard'] as const;
  return {
    answers: {
      name: 'answers',
      samples: data.answers.map((a) => a.name),
      make(maxBytes) {
        const cache = createMemoryCache(maxBytes);
        return {
          put(s, i) {
            const a = data.answers[s];
            // Each entry as the server builds it: the upstream body parsed and mapped anew.
            const entry = { data: mapTrend(JSON.parse(a.body), a.req), storedAt: Date.now(), freshUntil: Date.now() + 3_600_000 };
            void cache.set(answerKey(i), entry, 3_600_000);
            return answerEntrySize(entry.data, answerKey(i).length);
          },
          estimate: () => cache.stats().bytes,
          entries: () => cache.stats().entries,
        };
      },
    },
    operations: {
      name: 'operations',
      samples: data.operations.map((o) => o.name),
      chars: data.operations.map((o) => o.text.length),
      make(maxBytes) {
        const store = createOperationStore(maxBytes);
        return {
          put(s, i) {
            store.set(operationKey(i), data.operations[s].text, Date.now() + 3_600_000, 3_600_000);
            return operationEntrySize(operationKey(i).length, data.operations[s].text);
          },
          estimate: () => store.stats().bytes,
          entries: () => store.stats().entries,
        };
      },
    },
    documents: {
      name: 'documents',
      samples: [...shapes.map((s) => `inline ${s}`), 'persisted query text (dashboard)'],
      chars: [...shapes.map((s) => inlineDocument(s, 0).length), inlineDocument('dashboard', 0).length],
      make(maxBytes) {
        const caches = createDocumentCaches(maxBytes);
        return {
          put(s, i) {
            // As Apollo does: the text arrives in a request body, is parsed, and the document kept
            // (or, for an automatic persisted query, the text itself under `apq:` and its hash).
            const text = (JSON.parse(JSON.stringify({ q: inlineDocument(shapes[s] ?? 'dashboard', i) })) as { q: string }).q;
            if (s === shapes.length) {
              void caches.persistedQueries?.set(`apq:${hex(text)}`, text);
              return queryTextEntrySize(text, 68);
            }
            void caches.documentStore?.set(documentKey(text), parse(text, { maxTokens: 5000 }));
            return documentEntrySize(text.length, documentKey(text).length);
          },
          estimate: () => caches.stats().bytes,
          entries: () => caches.stats().entries,
        };
      },
    },
  };
}

async function main(): Promise<void> {
  const [mode, which, boundText] = process.argv.slice(2);
  const data = await samples();
  const all = kinds(data);
  if (mode === 'measure') {
    const N = Number(process.env.PROBE_ENTRIES ?? 400);
    const rows: Array<Record<string, unknown>> = [];
    for (const kind of Object.values(all)) {
      for (const [s, sample] of kind.samples.entries()) {
        const store = kind.make(1e12);
        const before = heap();
        for (let i = 0; i < N; i++) store.put(s, i);
        const after = heap();
        rows.push({
          cache: kind.name,
          entry: sample,
          chars: kind.chars?.[s],
          heapPerEntry: Math.round((after - before) / N),
          estimatePerEntry: Math.round(store.estimate() / store.entries()),
        });
        void store; // kept alive until measured
      }
    }
    process.stdout.write(`${JSON.stringify({ entries: N, rows })}\n`);
    return;
  }
  if (mode === 'fill' && (which === 'answers' || which === 'operations' || which === 'documents')) {
    const bound = Number(boundText);
    const kind = all[which];
    const store = kind.make(bound);
    const before = heap();
    let i = 0;
    let offered = 0;
    // Distinct entries, the samples in turn, until four times the bound went in by the estimate.
    while (offered < 4 * bound) offered += store.put(i % kind.samples.length, i++);
    const after = heap();
    process.stdout.write(
      `${JSON.stringify({ cache: which, bound, offered: i, entries: store.entries(), estimated: store.estimate(), retained: after - before })}\n`,
    );
    return;
  }
  throw new Error('usage: heap-probe.ts measure | fill <answers|operations|documents> <boundBytes>');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
