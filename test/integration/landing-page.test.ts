import { startStack, type Stack } from '../helpers/stack';

/** What a browser opening /graphql sees, per LANDING_PAGE; and introspection per INTROSPECTION. */
const open = async (stack: Stack) => {
  const res = await fetch(`${stack.url}/graphql`, { headers: { accept: 'text/html' } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
};

describe('landing page and introspection', () => {
  it('development: Apollo Sandbox embedded and pointed at this server; introspection on', async () => {
    const stack = await startStack();
    try {
      const page = await open(stack);
      expect(page.status).toBe(200);
      expect(page.type).toContain('text/html');
      expect(page.text).toContain('EmbeddedSandbox');
      expect(page.text).toMatch(/initialEndpoint|window\.location/);
      const { body } = await stack.gql('{ __schema { queryType { name } } }');
      expect(body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    } finally {
      await stack.close();
    }
  });

  it('production defaults: no landing page, no introspection; the API still answers', async () => {
    const stack = await startStack({ env: { NODE_ENV: 'production', AUTH_MODE: 'none', USE_BUILTIN_UPSTREAM: 'true' } });
    try {
      const page = await open(stack);
      expect(page.type).not.toContain('text/html');
      const { body } = await stack.gql('{ __schema { queryType { name } } }');
      expect(body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect((await stack.gql('{ __typename }')).body.data).toEqual({ __typename: 'Query' });
    } finally {
      await stack.close();
    }
  });

  it("LANDING_PAGE=production shows Apollo's production page instead", async () => {
    const stack = await startStack({
      env: { NODE_ENV: 'production', AUTH_MODE: 'none', USE_BUILTIN_UPSTREAM: 'true', LANDING_PAGE: 'production' },
    });
    try {
      const page = await open(stack);
      expect(page.type).toContain('text/html');
      expect(page.text).not.toContain('EmbeddedSandbox');
    } finally {
      await stack.close();
    }
  });
});
