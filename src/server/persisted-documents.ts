import { parse, validate, Kind, type GraphQLSchema } from 'graphql';
import { ConfigError, readConfigFile } from '../config/env';
import type { ManifestOperation, PersistedDocumentsConfig } from '../config/schema';
import { PersistedDocumentError } from '../errors';
import shippedManifest from '../explorer/persisted-query-manifest.json';

/**
 * Trusted documents (PERSISTED_DOCUMENTS=off|allow|require): the manifest, loaded and checked once
 * at start-up, and the check every /graphql request passes before Apollo parses anything.
 *
 * The conventions are Apollo's, so clients and routers need no configuration: the manifest is an
 * `apollo-persisted-query-manifest` (version 1) as `@apollo/generate-persisted-query-manifest`
 * writes it; a client sends an operation by id as `extensions.persistedQuery.sha256Hash` with no
 * `query` (Apollo Client's persisted query link, Apollo Router); refusals carry Router's codes and
 * statuses. Whenever the mode is not `off`, automatic persisted queries are off (server.ts): a client
 * could otherwise register any document under its hash and run it by id, which is what a list of
 * trusted documents exists to prevent.
 *
 * Invariants: a refused request is answered before anything parses its document, so it costs no
 * upstream call; a known id runs the manifest's body, never text the client sent alongside it.
 */

const FORMAT = 'apollo-persisted-query-manifest';
const TYPES: ReadonlySet<string> = new Set(['query', 'mutation', 'subscription']);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks a parsed manifest. `source` names where it came from (the variable and the path); errors
 * point at an operation by its index and name the wrong field, never quoting a body.
 */
export function parseManifest(value: unknown, source: string): ManifestOperation[] {
  if (!isRecord(value) || value.format !== FORMAT || value.version !== 1 || !Array.isArray(value.operations)) {
    throw new ConfigError(`${source} is not an ${FORMAT} (version 1) with an "operations" list`);
  }
  return value.operations.map((op: unknown, index): ManifestOperation => {
    const where = `${source}: operations[${index}]`;
    if (!isRecord(op)) throw new ConfigError(`${where} is not an object`);
    for (const field of ['id', 'name', 'body'] as const) {
      if (typeof op[field] !== 'string' || op[field] === '') throw new ConfigError(`${where} has no "${field}" string`);
    }
    if (typeof op.type !== 'string' || !TYPES.has(op.type))
      throw new ConfigError(`${where} has a "type" other than query, mutation or subscription`);
    const body = op.body as string;
    let operations: number;
    try {
      operations = parse(body).definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
    } catch {
      throw new ConfigError(`${where} has a "body" that is not a GraphQL document`);
    }
    // One operation per id: a client sending the id names no operation, so there must be no choice.
    if (operations !== 1) throw new ConfigError(`${where} has a "body" with ${operations} operations (one per id)`);
    return { id: op.id as string, name: op.name as string, type: op.type as ManifestOperation['type'], body };
  });
}

/** The explorer page's operations (`npm run documents:emit` writes them from src/explorer/page/*.graphql). */
export const EXPLORER_OPERATIONS: readonly ManifestOperation[] = parseManifest(shippedManifest, 'the shipped explorer manifest');

/** The id the explorer page sends for its one operation when trusted documents are on. */
export const EXPLORER_DOCUMENT_ID: string | undefined = EXPLORER_OPERATIONS.find((op) => op.name === 'ExplorerTrend')?.id;

/** Reads and checks a manifest file; errors name the variable and the path, never the file's contents. */
export function loadManifest(path: string, variable: string): ManifestOperation[] {
  const text = readConfigFile(path, variable);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the mistake: not repeated here.
    throw new ConfigError(`${variable} names a file that is not JSON: ${JSON.stringify(path)}`);
  }
  return parseManifest(value, `${variable} (${JSON.stringify(path)})`);
}

/**
 * The trusted operations for a mode: PERSISTED_DOCUMENTS_MANIFEST's and, when the explorer is
 * served, the explorer's own (so the page keeps working under `require`). Off reads nothing.
 */
export function loadPersistedDocuments(
  mode: PersistedDocumentsConfig['mode'],
  manifestPath: string | undefined,
  explorer: boolean,
): PersistedDocumentsConfig {
  if (mode === 'off') return { mode, operations: [] };
  const all = [
    ...(manifestPath ? loadManifest(manifestPath, 'PERSISTED_DOCUMENTS_MANIFEST') : []),
    ...(explorer ? EXPLORER_OPERATIONS : []),
  ];
  const byId = new Map<string, ManifestOperation>();
  for (const op of all) {
    const known = byId.get(op.id);
    if (known && known.body !== op.body) {
      throw new ConfigError(`PERSISTED_DOCUMENTS_MANIFEST gives id ${JSON.stringify(op.id)} two different bodies`);
    }
    byId.set(op.id, op);
  }
  if (mode === 'require' && byId.size === 0) {
    throw new ConfigError(
      'PERSISTED_DOCUMENTS=require trusts no operation: set PERSISTED_DOCUMENTS_MANIFEST (the explorer page’s operation is trusted only with EXPLORER=on)',
    );
  }
  return { mode, operations: [...byId.values()] };
}

/** At start-up, once the schema is built: a trusted operation that cannot run against it is a configuration error. */
export function checkAgainstSchema(schema: GraphQLSchema, operations: readonly ManifestOperation[]): void {
  for (const op of operations) {
    const [first] = validate(schema, parse(op.body));
    if (first) throw new ConfigError(`trusted operation ${op.name} (id ${op.id}) does not validate against this API: ${first.message}`);
  }
}

/** A request to hand to Apollo: the body and query string as sent, or with a manifest id replaced by its document. */
export interface TrustedRequest {
  readonly body: unknown;
  readonly search: string;
}

/** Decides a /graphql request before Apollo sees it: what to run, or the refusal. */
export type DocumentGate = (method: string, body: unknown, url: URL) => TrustedRequest | PersistedDocumentError;

/** The gate for a configuration; undefined when off (requests go to Apollo untouched, APQ included). */
export function createDocumentGate(config: PersistedDocumentsConfig): DocumentGate | undefined {
  if (config.mode === 'off') return undefined;
  const byId = new Map(config.operations.map((op) => [op.id, op]));
  const require = config.mode === 'require';
  return (method, body, url) => {
    const params = url.searchParams;
    const get = method !== 'POST';
    let query: unknown;
    let extensions: unknown;
    if (get) {
      query = params.get('query') ?? undefined;
      try {
        extensions = JSON.parse(params.get('extensions') ?? 'null');
      } catch {
        extensions = undefined; // Apollo refuses it as it is, without parsing a document
      }
    } else if (isRecord(body)) {
      ({ query, extensions } = body);
    }
    const hasText = typeof query === 'string' && query !== '';
    const asIs = { body, search: url.search };
    if (!isRecord(extensions) || extensions.persistedQuery === undefined) {
      // No id: free text runs only when allowed; a request with no document at all (the landing
      // page, a malformed request) goes on to Apollo, which parses nothing for it either.
      return hasText && require ? new PersistedDocumentError('id-required') : asIs;
    }
    if (hasText) return new PersistedDocumentError('id-and-body');
    const { persistedQuery, ...rest } = extensions;
    const id = isRecord(persistedQuery) && typeof persistedQuery.sha256Hash === 'string' ? persistedQuery.sha256Hash : '';
    const op = byId.get(id);
    if (!op) return new PersistedDocumentError('not-in-list', id);
    // Apollo runs the manifest's body; the id leaves the request, since APQ is off and would refuse it.
    const more = Object.keys(rest).length > 0;
    if (get) {
      const next = new URLSearchParams(params);
      next.set('query', op.body);
      if (more) next.set('extensions', JSON.stringify(rest));
      else next.delete('extensions');
      return { body, search: `?${next}` };
    }
    const { extensions: _dropped, ...fields } = body as Record<string, unknown>;
    return { body: { ...fields, query: op.body, ...(more ? { extensions: rest } : {}) }, search: asIs.search };
  };
}
