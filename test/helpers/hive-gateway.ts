import { spawn } from 'node:child_process';
import type { IncomingMessage, Server } from 'node:http';
import { join } from 'node:path';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, print } from 'graphql';
import { until } from './wait';

/**
 * The Guild's stack in front of subgraphs: composed by `@theguild/federation-composition`
 * (`composeServices`, from what each subgraph says it is: `{ _service { sdl } }`) and served by
 * Hive Gateway (`@graphql-hive/gateway-runtime`'s `createGatewayRuntime` with the supergraph
 * string), on a loopback port 0, in a child process (./hive-gateway-process.mjs says why).
 *
 * Response caching (the gateway's `responseCaching`) is on unless turned off, global (no session),
 * in an in-memory store. It is Hive Gateway's only cache driven by a subgraph's `Cache-Control`: it
 * keeps a whole operation's result for the least `max-age` (or `s-maxage`) among the subgraph
 * responses it was built from, never a result with errors, nothing with a TTL of 0, and reads no
 * other directive (`no-store`, `private` alone change nothing). It has no per-subgraph-response
 * cache; its HTTP cache plugin (`useHttpCache`, `@graphql-mesh/plugin-http-cache`) is not installed
 * here, and would not store the POSTs subgraphs are asked with.
 *
 * The gateway reaches subgraphs through its real `http` transport (`@graphql-mesh/transport-http`,
 * loaded by name at run time): it calls the gateway's fetch with each request's context, so the
 * response cache's fetch hook reads every subgraph response's Cache-Control.
 */

export interface Subgraph {
  readonly name: string;
  /** Its GraphQL endpoint. */
  readonly url: string;
}

export interface HiveGateway {
  /** The gateway's GraphQL endpoint. */
  readonly url: string;
  /** What The Guild's composer made of the subgraphs. */
  readonly supergraphSdl: string;
  /** Everything the gateway process printed (for failure messages). */
  output(): string;
  close(): Promise<void>;
}

export interface HiveGatewayOptions {
  /** Keep results by the subgraphs' Cache-Control (default true). */
  readonly responseCaching?: boolean;
}

/** Hive Gateway in front of one subgraph (named `engagement`) or several; resolves once it listens. */
export async function startHiveGateway(
  subgraphs: string | ReadonlyArray<Subgraph>,
  options: HiveGatewayOptions = {},
): Promise<HiveGateway> {
  const list = typeof subgraphs === 'string' ? [{ name: 'engagement', url: subgraphs }] : subgraphs;
  const child = spawn(process.execPath, [join(__dirname, 'hive-gateway-process.mjs')], {
    env: { ...process.env, HIVE_SUBGRAPHS: JSON.stringify(list), HIVE_RESPONSE_CACHING: options.responseCaching === false ? '0' : '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code) => {
      exitCode = code;
      resolve();
    }),
  );
  await until(
    () => {
      if (exitCode !== undefined) throw new Error(`Hive Gateway exited (${exitCode}) before listening:\n${out}${err}`);
      return out.includes('\n');
    },
    { what: 'Hive Gateway to listen', timeoutMs: 30_000, intervalMs: 20, detail: () => out + err },
  );
  const ready = JSON.parse(out.slice(0, out.indexOf('\n'))) as { url: string; supergraphSdl: string };
  return {
    url: ready.url,
    supergraphSdl: ready.supergraphSdl,
    output: () => out + err,
    async close() {
      if (exitCode === undefined) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * A second subgraph that owns the list of bots (`{ bots { id name } }`, in the order given, repeats
 * kept), so a gateway has Bot entities to ask Engagement Graph about. It sends no Cache-Control:
 * whatever a gateway caches by comes from the Engagement Graph subgraph.
 */
export async function startBotsSubgraph(placements: ReadonlyArray<string>): Promise<Subgraph & { close(): Promise<void> }> {
  const server = new ApolloServer({
    plugins: [ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginCacheControlDisabled()],
    schema: buildSubgraphSchema([
      {
        typeDefs: parse(`
          extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
          type Query { bots: [Bot!]! }
          type Bot @key(fields: "id") { id: ID! name: String! }
        `),
        resolvers: {
          Query: { bots: () => placements.map((id) => ({ id })) },
          Bot: { name: (bot: { id: string }) => `Bot ${bot.id}`, __resolveReference: (ref: { id: string }) => ref },
        },
      },
    ]),
  });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return { name: 'bots', url, close: () => server.stop() };
}

/** A GraphQL POST a subgraph's HTTP server received, as the gateway sent it. */
export interface SubgraphRequest {
  readonly path: string;
  /**
   * The request's GraphQL document (`query` of its JSON body), printed by graphql-js: the real
   * transport sends it minified, and a test reads it the way its own code would print it.
   */
  readonly query: string;
}

/**
 * Every GraphQL POST the subgraph's HTTP server receives from now on, recorded at that server (not
 * at the gateway), in arrival order; an entry is added once its body has been read.
 *
 * It reads the body beside the server's own handler: a stream gives each chunk to every 'data'
 * listener. Invariant: the server's handler is the first 'request' listener and attaches its own
 * 'data' listener synchronously in that same event (src/server/http.ts, readBody), as this one does,
 * so neither misses a chunk. A handler that awaited before reading would lose chunks to this one.
 */
export function recordSubgraphRequests(server: Server): SubgraphRequest[] {
  const seen: SubgraphRequest[] = [];
  server.on('request', (req: IncomingMessage) => {
    if (req.method !== 'POST') return;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let query = text; // not a GraphQL body: kept whole, for a failure message to show
      try {
        query = print(parse(String((JSON.parse(text) as { query?: unknown }).query)));
      } catch {
        // a listener must not throw: the server answers such a body itself
      }
      seen.push({ path: new URL(req.url ?? '/', 'http://localhost').pathname, query });
    });
  });
  return seen;
}
