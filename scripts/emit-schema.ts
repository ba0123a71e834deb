import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApiSchema, buildEngagementSchema, printApiSchema, printSubgraphSdl } from '../src/schema';

/** `npm run schema:emit`: writes schema/*.graphql from the code. The drift test compares the same output. */
async function main(): Promise<void> {
  const dir = join(__dirname, '..', 'schema');
  writeFileSync(join(dir, 'schema.graphql'), printApiSchema(await buildApiSchema()));
  writeFileSync(join(dir, 'subgraph.graphql'), printSubgraphSdl(await buildEngagementSchema()));
  process.stdout.write(`wrote ${dir}/schema.graphql and ${dir}/subgraph.graphql\n`);
}

void main();
