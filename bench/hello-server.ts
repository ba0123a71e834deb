import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

/** The baseline: a plain Apollo Server 5 answering a constant field, on Apollo's own HTTP server. */
async function main(): Promise<void> {
  const server = new ApolloServer({ typeDefs: 'type Query { hello: String! }', resolvers: { Query: { hello: () => 'world' } } });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  process.stdout.write(`READY ${url}\n`);
}
void main();
