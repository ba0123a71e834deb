// Hive Gateway as its own ESM process, as it runs in production: test/helpers/hive-gateway.ts
// starts it. Under jest's CommonJS, @graphql-mesh/plugin-response-cache's CJS build reads
// `cache-control-parser` through a `default` export that package does not have, and fails every
// field whose subgraph response carries Cache-Control; its ESM build (loaded here) does not.
//
// Input (environment): HIVE_SUBGRAPHS, a JSON list of { name, url }; HIVE_RESPONSE_CACHING=0 to
// turn response caching off. Output: one JSON line { url, supergraphSdl } on stdout once listening.
import http from 'node:http';
import process from 'node:process';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';

const subgraphs = JSON.parse(process.env.HIVE_SUBGRAPHS ?? '[]');

/** What a subgraph says it is, as a router asks for it. */
async function sdlOf(url) {
  const res = await globalThis.fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ _service { sdl } }' }),
  });
  const body = await res.json();
  if (!body.data) throw new Error(`no SDL from ${url}: ${JSON.stringify(body.errors)}`);
  return body.data._service.sdl;
}

const composed = composeServices(
  await Promise.all(subgraphs.map(async (s) => ({ name: s.name, url: s.url, typeDefs: parse(await sdlOf(s.url)) }))),
);
if (composed.errors?.length || !composed.supergraphSdl) {
  throw new Error(`composition failed:\n${(composed.errors ?? []).map((e) => e.message).join('\n')}`);
}

/** An in-memory KeyValueCache (TTL in seconds, as the gateway passes it): Hive's own stores are separate packages. */
function memoryCache() {
  const entries = new Map();
  const live = (key) => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) entries.delete(key);
    return entries.get(key);
  };
  return {
    get: (key) => live(key)?.value,
    set(key, value, options) {
      const ttl = options?.ttl;
      entries.set(key, { value, expiresAt: ttl != null && Number.isFinite(ttl) ? Date.now() + ttl * 1000 : Infinity });
    },
    delete: (key) => entries.delete(key),
    getKeysByPrefix: (prefix) => [...entries.keys()].filter((k) => k.startsWith(prefix) && live(k)),
  };
}

const gateway = createGatewayRuntime({
  supergraph: composed.supergraphSdl,
  cache: memoryCache(),
  // Global (no session): the subgraph's answers are the same for every caller (AUTH_MODE=none).
  ...(process.env.HIVE_RESPONSE_CACHING === '0' ? {} : { responseCaching: { session: () => null } }),
  logging: process.env.HIVE_DEBUG ? 'debug' : false,
  landingPage: false,
});
const server = http.createServer(gateway);
server.listen(0, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}/graphql`;
  process.stdout.write(`${JSON.stringify({ url, supergraphSdl: composed.supergraphSdl })}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => void gateway.dispose().then(() => process.exit(0)));
});
