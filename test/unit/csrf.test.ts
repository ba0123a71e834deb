import { isUnprovenSimpleRequest, preferredMediaTypes } from '../../src/security/csrf';

/** The CSRF rule of src/security/csrf.ts, request by request (test/clients/csrf.test.ts runs it over HTTP). */
describe('preferredMediaTypes', () => {
  it('keeps the types ranked first, ties included, and ignores junk and q=0', () => {
    expect(preferredMediaTypes('application/graphql-response+json,application/json;q=0.9')).toEqual(['application/graphql-response+json']);
    expect(preferredMediaTypes('application/json;q=0.5, application/graphql-response+json;q=0.4')).toEqual(['application/json']);
    expect(preferredMediaTypes('a, b/c, application/graphql-response+json;q=0')).toEqual(['b/c']);
    expect(preferredMediaTypes(undefined)).toEqual([]);
  });
});

describe('isUnprovenSimpleRequest', () => {
  const graphqlAccept = { accept: 'application/graphql-response+json, application/json' };
  it.each([
    ['GET', {}, true],
    ['GET', { accept: '*/*' }, true],
    ['GET', { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }, true],
    ['GET', { accept: 'application/json' }, true],
    ['GET', { accept: 'application/json, application/graphql-response+json;q=0.9' }, true],
    ['GET', graphqlAccept, false],
    ['GET', { accept: 'APPLICATION/GRAPHQL+JSON' }, false],
    ['GET', { ...graphqlAccept, 'sec-fetch-site': 'same-origin' }, false],
    ['GET', { ...graphqlAccept, 'sec-fetch-site': 'none' }, false],
    ['GET', { ...graphqlAccept, 'sec-fetch-site': 'cross-site' }, true],
    ['GET', { ...graphqlAccept, 'sec-fetch-site': 'same-site' }, true],
    // Browsers from before fetch metadata: no Sec-Fetch-Site, but a script's cross-origin request carries Origin.
    ['GET', { ...graphqlAccept, host: 'api.example:4000', origin: 'https://evil.example' }, true],
    ['GET', { ...graphqlAccept, host: 'api.example:4000', origin: 'null' }, true],
    ['GET', { ...graphqlAccept, host: 'api.example:4000', origin: 'http://api.example:4000' }, false],
    ['GET', { ...graphqlAccept, host: 'API.example:4000', origin: 'http://api.example:4000' }, false],
    ['GET', { 'apollo-require-preflight': 'true', 'sec-fetch-site': 'cross-site' }, false],
    ['GET', { 'apollo-require-preflight': 'true' }, false],
    ['GET', { 'apollo-require-preflight': '' }, true],
    ['GET', { 'x-apollo-operation-name': 'Q' }, false],
    ['GET', { 'content-type': 'application/json' }, false],
    ['POST', { 'content-type': 'application/json; charset=utf-8' }, false],
    ['POST', { 'content-type': 'Text/Plain; charset=utf-8' }, true],
    ['POST', { 'content-type': 'text/plain', ...graphqlAccept }, true],
    ['POST', { 'content-type': 'multipart/form-data; boundary=x' }, true],
    ['POST', { 'content-type': 'application/x-www-form-urlencoded' }, true],
    ['POST', { 'content-type': 'not a type' }, false],
    ['POST', {}, true],
  ] as const)('%s with %j: refused = %s', (method, headers, refused) => {
    expect(isUnprovenSimpleRequest(method, headers)).toBe(refused);
  });
});
