import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { ErrorCode, PersistedDocumentError } from '../../src/errors';
import {
  createDocumentGate,
  EXPLORER_DOCUMENT_ID,
  EXPLORER_OPERATIONS,
  loadManifest,
  loadPersistedDocuments,
  type TrustedRequest,
} from '../../src/server/persisted-documents';

/** Manifest loading (errors name the variable and the path, never the contents) and the per-request decision. */

const dir = mkdtempSync(join(tmpdir(), 'eg-manifest-'));
const SECRET = 'do-not-echo-4f1c2a';
const BODY = 'query Bot($id: ID!) { bot(id: $id) { id } }';
const ID = createHash('sha256').update(BODY).digest('hex');

function file(name: string, contents: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof contents === 'string' ? contents : JSON.stringify(contents));
  return path;
}
const manifest = (operations: unknown[]) => ({ format: 'apollo-persisted-query-manifest', version: 1, operations });
const GOOD = file('good.json', manifest([{ id: ID, name: 'Bot', type: 'query', body: BODY }]));

/** The ConfigError a load throws, checked to name the variable and the path and to quote nothing of the file. */
function refusal(path: string): string {
  let error: unknown;
  try {
    loadManifest(path, 'PERSISTED_DOCUMENTS_MANIFEST');
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const message = (error as ConfigError).message;
  expect(message).toContain('PERSISTED_DOCUMENTS_MANIFEST');
  expect(message).toContain(JSON.stringify(path));
  expect(message).not.toContain(SECRET);
  return message;
}

describe('manifest loading', () => {
  it('reads an apollo-persisted-query-manifest', () => {
    expect(loadManifest(GOOD, 'PERSISTED_DOCUMENTS_MANIFEST')).toEqual([{ id: ID, name: 'Bot', type: 'query', body: BODY }]);
  });

  it('refuses a bad file with a ConfigError naming the variable and the path, never the contents', () => {
    expect(refusal(join(dir, 'missing.json'))).toMatch(/cannot be read \(ENOENT\)/);
    expect(refusal(file('not-json.json', `{"format": ${SECRET}`))).toMatch(/not JSON/);
    expect(refusal(file('wrong-format.json', { format: SECRET, version: 1, operations: [] }))).toMatch(
      /not an apollo-persisted-query-manifest/,
    );
    expect(refusal(file('no-id.json', manifest([{ name: SECRET, type: 'query', body: BODY }])))).toMatch(/operations\[0\] has no "id"/);
    expect(refusal(file('bad-type.json', manifest([{ id: 'a', name: 'A', type: SECRET, body: BODY }])))).toMatch(/"type"/);
    expect(refusal(file('bad-body.json', manifest([{ id: 'a', name: 'A', type: 'query', body: `query { ${SECRET}(` }])))).toMatch(
      /operations\[0\] has a "body" that is not a GraphQL document/,
    );
    expect(
      refusal(file('two-ops.json', manifest([{ id: 'a', name: 'A', type: 'query', body: `${BODY} query B { __typename }` }]))),
    ).toMatch(/2 operations/);
  });

  it('off reads nothing; require needs at least one operation; the explorer’s own are trusted with EXPLORER=on', () => {
    expect(loadPersistedDocuments('off', join(dir, 'missing.json'), true)).toEqual({ mode: 'off', operations: [] });
    expect(() => loadPersistedDocuments('require', undefined, false)).toThrow(/PERSISTED_DOCUMENTS=require trusts no operation/);
    expect(loadPersistedDocuments('allow', undefined, false).operations).toEqual([]);
    const both = loadPersistedDocuments('require', GOOD, true).operations.map((op) => op.id);
    expect(both).toEqual([ID, EXPLORER_DOCUMENT_ID]);
    const clash = file('clash.json', manifest([{ id: EXPLORER_DOCUMENT_ID, name: 'X', type: 'query', body: BODY }]));
    expect(() => loadPersistedDocuments('require', clash, true)).toThrow(/two different bodies/);
  });

  it('loadConfig reads PERSISTED_DOCUMENTS (default off) and fails at start-up on a bad manifest', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).persistedDocuments).toEqual({ mode: 'off', operations: [] });
    expect(() => loadConfig({ NODE_ENV: 'test', PERSISTED_DOCUMENTS: 'strict' })).toThrow(
      /PERSISTED_DOCUMENTS must be one of off, allow, require/,
    );
    expect(() =>
      loadConfig({ NODE_ENV: 'test', PERSISTED_DOCUMENTS: 'require', PERSISTED_DOCUMENTS_MANIFEST: join(dir, 'nope.json') }),
    ).toThrow(ConfigError);
    const config = loadConfig({ NODE_ENV: 'test', PERSISTED_DOCUMENTS: 'require', PERSISTED_DOCUMENTS_MANIFEST: GOOD, EXPLORER: 'off' });
    expect(config.persistedDocuments.operations.map((op) => op.name)).toEqual(['Bot']);
  });

  it('ships the explorer page’s operation under the id the tool derives from its body (SHA-256)', () => {
    const explorer = EXPLORER_OPERATIONS.find((op) => op.id === EXPLORER_DOCUMENT_ID);
    expect(explorer).toMatchObject({ name: 'ExplorerTrend', type: 'query' });
    expect(createHash('sha256').update(explorer!.body).digest('hex')).toBe(EXPLORER_DOCUMENT_ID);
  });
});

describe('the request gate', () => {
  const operations = loadManifest(GOOD, 'PERSISTED_DOCUMENTS_MANIFEST');
  const allow = createDocumentGate({ mode: 'allow', operations })!;
  const require = createDocumentGate({ mode: 'require', operations })!;
  const url = (search = '') => new URL(`http://localhost/graphql${search}`);
  const byId = (id: string, more: Record<string, unknown> = {}) => ({ persistedQuery: { version: 1, sha256Hash: id }, ...more });
  const refusedWith = (result: TrustedRequest | PersistedDocumentError) =>
    result instanceof PersistedDocumentError ? [result.code, result.status] : result;

  it('is absent when off (Apollo gets every request untouched, APQ included)', () => {
    expect(createDocumentGate({ mode: 'off', operations: [] })).toBeUndefined();
  });

  it('runs the manifest body for a known id, over POST and GET, keeping other extensions', () => {
    for (const gate of [allow, require]) {
      expect(gate('POST', { operationName: 'Bot', variables: { id: 'b' }, extensions: byId(ID) }, url())).toEqual({
        body: { operationName: 'Bot', variables: { id: 'b' }, query: BODY },
        search: '',
      });
      expect(gate('POST', { extensions: byId(ID, { trace: true }) }, url())).toEqual({
        body: { query: BODY, extensions: { trace: true } },
        search: '',
      });
      const get = gate('GET', undefined, url(`?variables=%7B%7D&extensions=${encodeURIComponent(JSON.stringify(byId(ID)))}`));
      expect(get).not.toBeInstanceOf(PersistedDocumentError);
      const params = new URLSearchParams((get as TrustedRequest).search);
      expect([params.get('query'), params.get('variables'), params.has('extensions')]).toEqual([BODY, '{}', false]);
    }
  });

  it('refuses an unknown id (404) and an id sent with text (400) in both modes', () => {
    for (const gate of [allow, require]) {
      expect(refusedWith(gate('POST', { extensions: byId('f'.repeat(64)) }, url()))).toEqual([ErrorCode.PERSISTED_QUERY_NOT_IN_LIST, 404]);
      expect(refusedWith(gate('POST', { extensions: { persistedQuery: { version: 1 } } }, url()))).toEqual([
        ErrorCode.PERSISTED_QUERY_NOT_IN_LIST,
        404,
      ]);
      expect(refusedWith(gate('POST', { query: BODY, extensions: byId(ID) }, url()))).toEqual([ErrorCode.CANNOT_SEND_PQ_ID_AND_BODY, 400]);
      expect(refusedWith(gate('GET', undefined, url(`?extensions=${encodeURIComponent(JSON.stringify(byId('nope')))}`)))).toEqual([
        ErrorCode.PERSISTED_QUERY_NOT_IN_LIST,
        404,
      ]);
    }
  });

  it('free text: allow passes it on as sent, require refuses it (400); no document at all goes on to Apollo', () => {
    const text = { query: '{ __typename }' };
    expect(allow('POST', text, url())).toEqual({ body: text, search: '' });
    expect(refusedWith(require('POST', text, url()))).toEqual([ErrorCode.PERSISTED_QUERY_ID_REQUIRED, 400]);
    expect(refusedWith(require('GET', undefined, url('?query=%7B__typename%7D')))).toEqual([ErrorCode.PERSISTED_QUERY_ID_REQUIRED, 400]);
    expect(require('GET', undefined, url())).toEqual({ body: undefined, search: '' });
    expect(require('POST', { variables: {} }, url())).toEqual({ body: { variables: {} }, search: '' });
  });
});
