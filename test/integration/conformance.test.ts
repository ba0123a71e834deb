import { serverAudits } from 'graphql-http';
import { startStack, type Stack } from '../helpers/stack';

/**
 * graphql-http's GraphQL-over-HTTP conformance suite against the running server, one test per
 * MUST audit (every one passes), and the exact set of SHOULD/MAY deviations pinned, so that a new
 * one (or one fixed) shows up here.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const audits = serverAudits({ url: () => `${stack.url}/graphql`, fetchFn: fetch });

describe('GraphQL over HTTP conformance (graphql-http serverAudits)', () => {
  it.each(audits.filter((a) => a.name.startsWith('MUST')).map((a) => [a.id, a.name, a] as const))('%s %s', async (_id, _name, audit) => {
    const result = await audit.fn();
    expect({ status: result.status, reason: result.status === 'ok' ? undefined : result.reason }).toEqual({
      status: 'ok',
      reason: undefined,
    });
  });

  it('deviates from SHOULD/MAY audits only where it chose to (see README, "GraphQL over HTTP")', async () => {
    const results = await Promise.all(
      audits.filter((a) => !a.name.startsWith('MUST')).map(async (a) => ({ id: a.id, result: await a.fn() })),
    );
    expect(results.length).toBeGreaterThan(10);
    const deviations = results
      .filter((r) => r.result.status !== 'ok')
      .map((r) => r.id)
      .sort();
    expect(deviations).toEqual(
      [
        // CSRF prevention (src/security/csrf.ts): a GET that neither prefers a GraphQL media type in
        // `Accept` nor sends a preflight-forcing header is refused. D6D5 (Accept: application/graphql-response+json) passes.
        '5A70', // MAY accept application/x-www-form-urlencoded formatted GET requests
        '6A70', // MAY allow URL-encoded JSON {variables} in GETs (application/json)
        // Apollo Server 5 answers 400, not 200, for requests that never reach execution.
        '572B', // SHOULD use 200 on document parsing failure (application/json)
        'FDE2', // SHOULD use 200 on document validation failure (application/json)
        '7B9B', // SHOULD use 200 on variable coercion failure (application/json)
      ].sort(),
    );
  });
});
