import type {
  ApolloServerPlugin,
  GraphQLRequestContextResponseForOperation,
  GraphQLRequestContextWillSendResponse,
  GraphQLRequestListener,
} from '@apollo/server';
import type { FormattedExecutionResult } from 'graphql';
import type { Context, StaleAnswer } from '../../src/context';
import type { Principal } from '../../src/security/auth';
import { createOperationStore, operationCachePlugin, operationEntrySize } from '../../src/server/plugins/operation-cache';

/**
 * The operation cache's rules, driven through its hooks as Apollo calls them (responseForOperation,
 * then, when it answered nothing, an execution and willSendResponse), with an injected clock.
 */

const ALL: Principal = { subject: 'dash', bots: '*' };
const bots = (...ids: string[]): Principal => ({ subject: 'dash', bots: new Set(ids) });

interface Ask {
  readonly principal?: Principal;
  readonly operationName?: string;
  readonly variables?: Record<string, unknown>;
  readonly queryHash?: string;
  readonly kind?: 'query' | 'mutation';
  /** Operation name given but not in the document: Apollo then passes no operation. */
  readonly noOperation?: boolean;
}

/** What one execution produced, as the context and the response carry it. */
interface Execution {
  readonly result: FormattedExecutionResult;
  /** ctx.freshness.until after execution; Infinity when no upstream answer was used. */
  readonly until: number;
  readonly stale?: StaleAnswer[];
}

const STALE: StaleAnswer = { botId: 'st-demo-retail', granularity: 'daily', start: '2026-01-01', end: '2026-01-07', ageSeconds: 90 };

function harness(maxBytes = 1_000_000) {
  let clock = 1_000_000;
  const plugin: ApolloServerPlugin<Context> = operationCachePlugin(maxBytes, () => clock);
  let executions = 0;
  /** One request: answered from the cache, or executed (`execution`) and offered to the cache. */
  async function request(ask: Ask, execution: Execution): Promise<{ cached: boolean; result: FormattedExecutionResult }> {
    const freshness = { until: Infinity };
    const contextValue = {
      principal: ask.principal ?? ALL,
      stats: { upstreamCalls: 0, cacheHits: 0 } as Context['stats'],
      stale: [] as StaleAnswer[],
      freshness,
      // As the real context's: a replay reports the freshness of the answers it was built from.
      trace: { fresh: (until: number) => void (freshness.until = Math.min(freshness.until, until)) },
      served: [] as Array<() => void>,
    };
    // Only the fields the plugin reads: Apollo's request context has dozens more, none used here.
    const rc = {
      contextValue,
      operation: ask.noOperation ? undefined : { operation: ask.kind ?? 'query' },
      queryHash: ask.queryHash ?? 'hash-1',
      request: { operationName: ask.operationName, variables: ask.variables },
      response: { http: { headers: new Map(), status: undefined }, body: { kind: 'single', singleResult: {} } },
    } as unknown as GraphQLRequestContextResponseForOperation<Context> & GraphQLRequestContextWillSendResponse<Context>;
    const listener = (await plugin.requestDidStart!(rc)) as GraphQLRequestListener<Context>;
    const answer = await listener.responseForOperation!(rc);
    if (answer) {
      expect(contextValue.stats.responseCached).toBe(true);
      expect(contextValue.freshness.until).toBeLessThan(Infinity); // the replay's freshness, for Cache-Control
      rc.response.body = answer.body;
    } else {
      executions++;
      contextValue.freshness.until = execution.until;
      contextValue.stale.push(...(execution.stale ?? []));
      rc.response.body = { kind: 'single', singleResult: execution.result };
    }
    await listener.willSendResponse!(rc);
    if (rc.response.body.kind !== 'single') throw new Error('single results only');
    return { cached: answer !== null, result: rc.response.body.singleResult };
  }
  return {
    request,
    executions: () => executions,
    advance: (ms: number) => void (clock += ms),
    now: () => clock,
  };
}

const DATA: FormattedExecutionResult = { data: { engagementTrend: { summary: { uniqueUsers: 42 } } } };
const fresh = (h: { now(): number }, ms = 60_000): Execution => ({ result: structuredClone(DATA), until: h.now() + ms });

describe('operation cache plugin', () => {
  it('replays a complete success until its freshness ends (by the injected clock), then executes again', async () => {
    const h = harness();
    expect(await h.request({}, fresh(h))).toMatchObject({ cached: false });
    h.advance(59_999);
    expect(await h.request({}, fresh(h))).toEqual({ cached: true, result: DATA });
    h.advance(1);
    expect(await h.request({}, fresh(h))).toMatchObject({ cached: false });
    expect(h.executions()).toBe(2);
  });

  it("keys by the caller's readable bots (in any order), operation name, variables and document hash", async () => {
    const h = harness();
    const base: Ask = { principal: bots('a', 'b'), operationName: 'Op', variables: { days: 7 }, queryHash: 'h1' };
    await h.request(base, fresh(h));
    // Same bots listed in another order, and another caller with the same bots: the same permissions.
    expect((await h.request({ ...base, principal: bots('b', 'a') }, fresh(h))).cached).toBe(true);
    expect((await h.request({ ...base, principal: { subject: 'other', bots: new Set(['a', 'b']) } }, fresh(h))).cached).toBe(true);
    for (const differs of [
      { principal: bots('a') },
      { principal: ALL },
      { operationName: 'Other' },
      { operationName: undefined },
      { variables: { days: 8 } },
      { variables: undefined },
      { queryHash: 'h2' },
    ]) {
      expect({ differs, cached: (await h.request({ ...base, ...differs }, fresh(h))).cached }).toEqual({ differs, cached: false });
    }
  });

  it('keeps nothing with errors, nothing served stale, nothing built from no upstream answer, nothing already expired', async () => {
    const h = harness();
    const cases: Array<[string, Execution]> = [
      ['errors', { result: { data: null, errors: [{ message: 'no' }] }, until: h.now() + 60_000 }],
      ['stale', { ...fresh(h), stale: [STALE] }],
      ['no upstream answer', { result: structuredClone(DATA), until: Infinity }],
      ['expired at send', { result: structuredClone(DATA), until: h.now() }],
    ];
    for (const [why, execution] of cases) {
      const ask = { queryHash: why };
      await h.request(ask, execution);
      expect({ why, cached: (await h.request(ask, fresh(h))).cached }).toEqual({ why, cached: false });
    }
  });

  it('answers only queries, and runs an operation uncached when its variables cannot be serialized', async () => {
    const h = harness();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    for (const ask of [{ kind: 'mutation' as const }, { noOperation: true }, { variables: circular }]) {
      await h.request(ask, fresh(h));
      expect((await h.request(ask, fresh(h))).cached).toBe(false);
    }
  });

  it('a replay is a fresh top level: what later hooks add to it never reaches the stored answer', async () => {
    const h = harness();
    await h.request({}, fresh(h));
    const first = await h.request({}, fresh(h));
    // What Apollo's inline trace does to every body it sends (and it throws when `ftv1` is already there).
    first.result.extensions ??= {};
    (first.result.extensions as Record<string, unknown>).ftv1 = 'trace of the first replay';
    const second = await h.request({}, fresh(h));
    expect(second).toEqual({ cached: true, result: DATA });
  });
});

describe('operation store', () => {
  const json = (i: number) => JSON.stringify({ data: { engagementTrend: { summary: { uniqueUsers: i } } } });

  it('sizes an entry by its key, its objects and its length', () => {
    const text = '{"a":{"b":[1,2,3]},"c":"xyz"}';
    expect(operationEntrySize(11, text) - operationEntrySize(10, text)).toBe(1);
    // Same length, one object more: a fixed cost per object.
    const perObject = operationEntrySize(0, '{"a":{}}') - operationEntrySize(0, '{"a":[]}');
    expect(perObject).toBeGreaterThan(0);
    expect(operationEntrySize(0, '{"aaaa":{"b":{}}}') - operationEntrySize(0, '{"aaaa":{"b":[]}}')).toBe(perObject);
    expect(operationEntrySize(0, text + ' '.repeat(1000))).toBeGreaterThan(operationEntrySize(0, text));
  });

  it('accounts every kept entry at its estimated size', () => {
    const store = createOperationStore(1_000_000);
    for (let i = 0; i < 5; i++) store.set(`key-${i}`, json(i), Date.now() + 60_000, 60_000);
    const expected = [0, 1, 2, 3, 4].reduce((sum, i) => sum + operationEntrySize(`key-${i}`.length, json(i)), 0);
    expect(store.stats()).toEqual({ entries: 5, bytes: expected });
    expect(store.get('key-3')?.result).toEqual(JSON.parse(json(3)));
  });

  it('stays within its byte budget, evicting the least recently used', () => {
    const one = operationEntrySize('key-00'.length, json(10));
    const maxBytes = one * 10;
    const store = createOperationStore(maxBytes);
    for (let i = 10; i < 20; i++) store.set(`key-${i}`, json(i), Date.now() + 60_000, 60_000);
    expect(store.get('key-10')).toBeDefined(); // now the most recently used
    for (let i = 20; i < 30; i++) {
      store.set(`key-${i}`, json(i), Date.now() + 60_000, 60_000);
      expect(store.stats().bytes).toBeLessThanOrEqual(maxBytes);
    }
    expect(store.get('key-11')).toBeUndefined();
    expect(store.get('key-29')).toBeDefined();
  });

  it('does not keep an entry larger than a tenth of its budget', () => {
    const big = JSON.stringify({ data: { text: 'x'.repeat(5_000) } });
    const store = createOperationStore(operationEntrySize(3, big) * 10 - 1);
    store.set('big', big, Date.now() + 60_000, 60_000);
    expect(store.get('big')).toBeUndefined();
    expect(store.stats()).toEqual({ entries: 0, bytes: 0 });
  });
});
