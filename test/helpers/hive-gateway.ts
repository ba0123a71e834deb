import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
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
