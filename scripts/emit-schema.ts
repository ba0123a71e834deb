import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildEngagementSchema, printEngagementSchema } from '../src/schema';

/** `npm run schema:emit`: writes schema/*.graphql from the code. The drift test compares the same output. */
async function main(): Promise<void> {
  const schema = await buildEngagementSchema();
  const file = join(__dirname, '..', 'schema', 'schema.graphql');
  writeFileSync(file, printEngagementSchema(schema));
  process.stdout.write(`wrote ${file}\n`);
}

void main();
