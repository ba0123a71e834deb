import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { isInputObjectType, isObjectType, isEnumType, type GraphQLSchema } from 'graphql';
import { buildApiSchema, buildEngagementSchema, printApiSchema, printSubgraphSdl } from '../../src/schema';

/** schema/ and generated code must be what the source builds: regenerate with `npm run schema:emit && npm run codegen`. */
const root = join(__dirname, '..', '..');
let schema: GraphQLSchema;
let subgraph: GraphQLSchema;
beforeAll(async () => {
  schema = await buildApiSchema();
  subgraph = await buildEngagementSchema();
});

describe('committed schema and generated code', () => {
  it('schema/schema.graphql (the API) matches the code (run `npm run schema:emit` if not)', () => {
    expect(readFileSync(join(root, 'schema', 'schema.graphql'), 'utf8')).toBe(printApiSchema(schema));
  });

  it('schema/subgraph.graphql (what routers compose, with @key) matches the code', () => {
    const sdl = readFileSync(join(root, 'schema', 'subgraph.graphql'), 'utf8');
    expect(sdl).toBe(printSubgraphSdl(subgraph));
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])');
    expect(sdl).toMatch(/type Bot\s+@key\(fields: "id"\)/);
  });

  it('test/generated/operations.ts matches codegen.yml output (run `npm run codegen` if not)', () => {
    // The codegen CLI itself, in --check mode (its ESM dependencies cannot load inside jest).
    const run = spawnSync(process.execPath, [join(root, 'node_modules', '.bin', 'graphql-codegen'), '--config', 'codegen.yml', '--check'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stdout + run.stderr).not.toContain('stale files');
    expect(run.status).toBe(0);
  }, 60_000);

  it('keeps the public contract names and types', () => {
    const shape = (typeName: string) => {
      const type = schema.getType(typeName);
      if (!isObjectType(type) && !isInputObjectType(type)) throw new Error(`${typeName} is missing`);
      return Object.fromEntries(
        Object.values(type.getFields()).map((f) => [
          f.name,
          `${'args' in f && f.args.length ? `(${f.args.map((a: { name: string; type: unknown }) => `${a.name}: ${String(a.type)}`).join(', ')}) ` : ''}${String(f.type)}${
            'defaultValue' in f && f.defaultValue !== undefined ? ` = ${JSON.stringify(f.defaultValue)}` : ''
          }`,
        ]),
      );
    };
    expect(shape('Query').engagementTrend).toBe(
      '(botId: ID!, range: DateRangeInput!, filters: EngagementFilters, cache: CachePolicy) EngagementTrend',
    ); // nullable: a refused bot must not null its siblings (issue 5)
    expect(shape('Query').bot).toBe('(id: ID!) Bot');
    expect(shape('Bot')).toEqual({
      id: 'ID!',
      engagementTrend: '(range: DateRangeInput!, filters: EngagementFilters, cache: CachePolicy) EngagementTrend',
      upstreamBudget: 'UpstreamBudget', // issue 18: nullable, a refused bot is FORBIDDEN field by field
    });
    expect(shape('UpstreamBudget')).toEqual({ minute: 'BudgetWindow!', hour: 'BudgetWindow!', queued: 'Int!', callerLeft: 'Int!' });
    expect(shape('BudgetWindow')).toEqual({ limit: 'Int!', used: 'Int!', resetsInSeconds: 'Int!' });
    expect(shape('DateRangeInput')).toEqual({ start: 'Date', end: 'Date', preset: 'RangePreset' }); // exactly one form: checked in validation
    const presets = schema.getType('RangePreset');
    expect(isEnumType(presets) && presets.getValues().map((v) => v.name)).toEqual([
      'TODAY',
      'YESTERDAY',
      'LAST_7_DAYS',
      'LAST_28_DAYS',
      'LAST_30_DAYS',
      'LAST_90_DAYS',
      'THIS_WEEK',
      'LAST_WEEK',
      'THIS_MONTH',
      'LAST_MONTH',
    ]);
    expect(shape('EngagementFilters')).toEqual({
      channel: 'String',
      conversationType: 'ConversationType = "ALL"',
      conversationStatus: 'ConversationStatus = "ALL"',
      timeZone: 'String = "UTC"',
    });
    expect(shape('EngagementTrend')).toEqual({
      botId: 'ID!',
      range: 'DateRange!',
      summary: 'EngagementSummary',
      series: 'EngagementSeries!',
      hourly: '[HourlyBucket!]!',
      compare: '(to: ComparisonPeriod!) EngagementTrend',
      change: '(to: ComparisonPeriod!) EngagementChange',
      periods: '(unit: PeriodUnit!) [EngagementPeriod!]!',
      activity: 'EngagementActivity',
      freshness: 'Freshness!',
    });
    expect(shape('EngagementChange')).toEqual({ uniqueUsers: 'Change!', newUsers: 'Change!', returningUsers: 'Change!' });
    expect(shape('Change')).toEqual({ current: 'Int!', previous: 'Int!', absolute: 'Int!', relative: 'Float' });
    expect(shape('EngagementPeriod')).toEqual({ range: 'DateRange!', complete: 'Boolean!', summary: 'EngagementSummary' });
    const values = (name: string) => {
      const type = schema.getType(name);
      return isEnumType(type) ? type.getValues().map((v) => v.name) : undefined;
    };
    expect(values('ComparisonPeriod')).toEqual(['PREVIOUS_PERIOD', 'PREVIOUS_YEAR']);
    expect(values('PeriodUnit')).toEqual(['WEEK', 'MONTH']);
    // Issue 18: freshness you can see and choose.
    expect(shape('Freshness')).toEqual({ asOf: 'DateTime!', ageSeconds: 'Int!', stale: 'Boolean!', source: 'AnswerSource!' });
    expect(values('AnswerSource')).toEqual(['UPSTREAM', 'CACHE', 'STALE_CACHE']);
    expect(values('CachePolicy')).toEqual(['DEFAULT', 'STALE_WHILE_REVALIDATE', 'MUST_REVALIDATE']);
    expect(shape('EngagementActivity')).toEqual({ averageDailyUsers: 'Float!', peakDay: 'DataPoint', stickiness: 'Float' });
    expect(shape('DateRange')).toEqual({ start: 'Date!', end: 'Date!', days: 'Int!' });
    expect(shape('EngagementSummary')).toEqual({
      uniqueUsers: 'Int!',
      newUsers: 'Int!',
      returningUsers: 'Int!',
      avgUniqueUsersPerDay: 'Float!',
      avgNewUsersPerDay: 'Float!',
      avgReturningUsersPerDay: 'Float!',
    });
    expect(shape('EngagementSeries')).toEqual({ uniqueUsers: '[DataPoint!]!', newUsers: '[DataPoint!]', returningUsers: '[DataPoint!]' });
    expect(shape('DataPoint')).toEqual({ date: 'Date!', users: 'Int!' });
    expect(shape('HourlyBucket')).toEqual({ date: 'Date!', hour: 'Int!', uniqueUsers: 'Int!', newUsers: 'Int', returningUsers: 'Int' });
  });

  it('describes every type, field, argument and enum value (what users read in Apollo Sandbox)', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
      if (!type.description && type !== schema.getQueryType()) missing.push(type.name);
      if (isObjectType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : [])
            if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
      if (isEnumType(type)) for (const v of type.getValues()) if (!v.description) missing.push(`${type.name}.${v.name}`);
    }
    expect(missing).toEqual([]);
  });
});
