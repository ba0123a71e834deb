import { loadConfig } from '../../src/config';
import { createContext } from '../../src/context';
import type { Logger } from '../../src/observability/logger';
import type { KoreClient } from '../../src/upstream/kore';

describe('request context', () => {
  it("Apollo's per-operation copy builds no logger; the copy's first use of ctx.log builds one, with the request's bindings", () => {
    const made: unknown[] = [];
    const root = { child: (bindings: unknown) => (made.push(bindings), { child: root.child } as unknown as Logger) } as unknown as Logger;
    const client: KoreClient = { fetchTrend: async () => Promise.reject(new Error('unused')), close: () => undefined };
    const ctx = createContext({ config: loadConfig({ NODE_ENV: 'test' }), client, log: root, now: Date.now }, 'req-1', {
      subject: 'dash',
      bots: '*',
    });
    // What @apollo/server's internalExecuteOperation does with the context (cloneObject).
    const copy = Object.assign(Object.create(Object.getPrototypeOf(ctx)) as object, ctx) as typeof ctx;
    expect(made).toEqual([]);
    const log = copy.log;
    expect(copy.log).toBe(log);
    expect(made).toEqual([{ requestId: 'req-1', caller: 'dash' }]);
  });
});
