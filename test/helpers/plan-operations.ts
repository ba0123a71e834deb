import fc from 'fast-check';
import { isoDate } from '../../src/time/calendar';

/**
 * Generated operations for the planner's property test: a few top-level parts, each an
 * engagement question reached through Query.engagementTrend, bot(id:) or _entities, spelled in
 * the ways GraphQL allows (aliases, named and inline fragments, @skip/@include with literals and
 * variables, arguments inline or as variables, key orders, equivalent filters), about a small pool
 * of bots and ranges so that equal questions recur. Rendered to a document and its variables.
 */

/** The bots of the test's credentials and caller token (see plan.property.test.ts). */
export const BOTS = {
  v2: 'st-demo-retail',
  v1: 'st-demo-banking',
  forbidden: 'st-demo-travel',
  unconfigured: 'st-demo-nowhere',
  malformed: 'bad id!',
} as const;

type Field = 'summary' | 'series' | 'hourly' | DashboardField;
/** The dashboard fields (issue 16): comparisons (nested too), changes, calendar periods, activity. */
type DashboardField = keyof typeof DASHBOARD;
type Directive = 'none' | 'skip-true' | 'include-false' | 'include-var-true' | 'include-var-false' | 'skip-var-false';
type RangeSpelling = 'literal' | 'reversed-keys' | 'variable' | 'date-variables' | 'preset' | 'preset-variable';

interface Selected {
  readonly field: Field;
  readonly alias: boolean;
  readonly directive: Directive;
}

interface Part {
  readonly kind: 'query' | 'bot' | 'entities';
  readonly bots: readonly string[];
  readonly range: number;
  readonly rangeSpelling: RangeSpelling;
  readonly filters: number;
  readonly filtersAsVariable: boolean;
  readonly select: readonly Selected[];
  readonly selectThroughFragment: boolean;
  readonly wrap: 'none' | 'inline' | 'named';
  readonly directive: Directive;
  /** The `cache:` argument (issue 18): never changes what is asked. */
  readonly cache: (typeof CACHE_POLICIES)[number];
}

const CACHE_POLICIES = [undefined, 'DEFAULT', 'STALE_WHILE_REVALIDATE', 'MUST_REVALIDATE'] as const;

/**
 * Dashboard selections, each with its own response key when not aliased (fields with different
 * arguments must not share one). Ranges of 60 days make `hourly` under `compare` a refusal.
 */
const DASHBOARD = {
  cmpPeriod: 'compare(to: PREVIOUS_PERIOD) { summary { uniqueUsers } }',
  cmpYear: 'compare(to: PREVIOUS_YEAR) { series { uniqueUsers { users } } hourly { hour } }',
  cmpNested: 'compare(to: PREVIOUS_PERIOD) { compare(to: PREVIOUS_PERIOD) { summary { uniqueUsers } } activity { averageDailyUsers } }',
  chgPeriod: 'change(to: PREVIOUS_PERIOD) { uniqueUsers { relative } }',
  chgYear: 'change(to: PREVIOUS_YEAR) { newUsers { current previous } }',
  weeks: 'periods(unit: WEEK) { complete summary { uniqueUsers } }',
  months: 'periods(unit: MONTH) { range { start } summary { newUsers } }',
  weeksFree: 'periods(unit: WEEK) { range { start end } complete }',
  activity: 'activity { averageDailyUsers peakDay { date } }',
  stickiness: 'activity { stickiness }',
  // Issue 18: free, whatever its siblings load (it waits for their answers).
  fresh: 'freshness { asOf source }',
  cmpFresh: 'compare(to: PREVIOUS_PERIOD) { freshness { stale } hourly { hour } }',
} as const;

/**
 * [start, end] as days from today, with the preset that names the same days (if any); the last three
 * are refused (too long for hourly, future, inverted). The preset spellings use the preset when
 * there is one (so a preset and its dates recur as one question) and the dates otherwise.
 */
const RANGES: ReadonlyArray<readonly [number, number, string?]> = [
  [-14, -8],
  [-3, -1],
  [-6, 0, 'LAST_7_DAYS'],
  [-1, -1, 'YESTERDAY'],
  [-60, -1],
  [30, 31],
  [-5, -9],
];
const COMMON_RANGES = 4;

/** Filter spellings: [literal, variable value]; several spell the defaults, one is refused. */
const FILTERS: ReadonlyArray<readonly [string | undefined, unknown]> = [
  [undefined, undefined],
  ['null', null],
  ['{}', {}],
  ['{ timeZone: "UTC" }', { timeZone: 'UTC' }],
  ['{ conversationType: ALL, timeZone: "utc" }', { timeZone: 'utc', conversationType: 'ALL' }],
  [
    '{ conversationStatus: ALL, conversationType: ALL, channel: null }',
    { channel: null, conversationType: 'ALL', conversationStatus: 'ALL' },
  ],
  ['{ channel: "rtm" }', { channel: 'rtm' }],
  ['{ timeZone: "Europe/Berlin", conversationStatus: CLOSED }', { conversationStatus: 'CLOSED', timeZone: 'Europe/Berlin' }],
  ['{ timeZone: "Mars/Olympus_Mons" }', { timeZone: 'Mars/Olympus_Mons' }],
];

const directive = fc.constantFrom<Directive>(
  'none',
  'none',
  'none',
  'skip-true',
  'include-false',
  'include-var-true',
  'include-var-false',
  'skip-var-false',
);
// Weighted towards questions that are answered, so that most runs make calls.
const bot = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom<string>(BOTS.v2, BOTS.v2, BOTS.v1) },
  { weight: 1, arbitrary: fc.constantFrom<string>(BOTS.forbidden, BOTS.unconfigured, BOTS.malformed) },
);

const part: fc.Arbitrary<Part> = fc.record({
  kind: fc.constantFrom<Part['kind']>('query', 'query', 'bot', 'entities'),
  bots: fc.array(bot, { minLength: 1, maxLength: 3 }),
  range: fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: COMMON_RANGES - 1 }) },
    { weight: 1, arbitrary: fc.integer({ min: COMMON_RANGES, max: RANGES.length - 1 }) },
  ),
  rangeSpelling: fc.constantFrom<RangeSpelling>('literal', 'reversed-keys', 'variable', 'date-variables', 'preset', 'preset-variable'),
  filters: fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 5 }) },
    { weight: 1, arbitrary: fc.integer({ min: 6, max: FILTERS.length - 1 }) },
  ),
  filtersAsVariable: fc.boolean(),
  select: fc.array(
    fc.record({
      field: fc.oneof(
        fc.constantFrom<Field>('summary', 'series', 'hourly'),
        fc.constantFrom(...(Object.keys(DASHBOARD) as DashboardField[])),
      ),
      alias: fc.boolean(),
      directive,
    }),
    {
      maxLength: 3,
    },
  ),
  selectThroughFragment: fc.boolean(),
  wrap: fc.constantFrom<Part['wrap']>('none', 'none', 'inline', 'named'),
  cache: fc.constantFrom(...CACHE_POLICIES),
  directive,
});

export const operations = fc.array(part, { minLength: 1, maxLength: 4 });

export interface Rendered {
  readonly query: string;
  readonly variables: Record<string, unknown>;
}

const SELECTIONS: Record<Field, string> = {
  summary: 'summary { uniqueUsers }',
  series: 'series { uniqueUsers { date users } }',
  hourly: 'hourly { hour uniqueUsers }',
  ...DASHBOARD,
};

/** Renders parts to one operation: every variable it uses is declared, every fragment defined. */
export function render(parts: readonly Part[], today: number): Rendered {
  const declarations: string[] = [];
  const variables: Record<string, unknown> = {};
  const fragments: string[] = [];
  const variable = (type: string, value: unknown) => {
    const name = `v${declarations.length}`;
    declarations.push(`$${name}: ${type}`);
    variables[name] = value;
    return `$${name}`;
  };
  // Lazily, so that only the spelling chosen declares its variables (an unused one is invalid).
  const directiveText = (d: Directive): string =>
    ({
      none: () => '',
      'skip-true': () => ' @skip(if: true)',
      'include-false': () => ' @include(if: false)',
      'include-var-true': () => ` @include(if: ${variable('Boolean!', true)})`,
      'include-var-false': () => ` @include(if: ${variable('Boolean!', false)})`,
      'skip-var-false': () => ` @skip(if: ${variable('Boolean!', false)})`,
    })[d]();

  const trendArgs = (p: Part) => {
    const [from, to, preset] = RANGES[p.range];
    const [start, end] = [isoDate(today + from), isoDate(today + to)];
    const dates = () => `{ start: "${start}", end: "${end}" }`;
    const range = {
      literal: dates,
      preset: () => (preset ? `{ preset: ${preset} }` : dates()),
      'preset-variable': () => (preset ? variable('DateRangeInput!', { preset }) : dates()),
      'reversed-keys': () => `{ end: "${end}", start: "${start}" }`,
      variable: () => variable('DateRangeInput!', { end, start }),
      'date-variables': () => `{ start: ${variable('Date!', start)}, end: ${variable('Date!', end)} }`,
    }[p.rangeSpelling]();
    const [literal, value] = FILTERS[p.filters];
    const cache = p.cache ? `, cache: ${p.cache}` : '';
    if (literal === undefined) return `range: ${range}${cache}`;
    return `range: ${range}, filters: ${p.filtersAsVariable ? variable('EngagementFilters', value) : literal}${cache}`;
  };

  const trend = (p: Part, i: number, botArg: string) => {
    const selected = p.select.map((s, j) =>
      `${s.alias ? `f${j}: ` : s.field in DASHBOARD ? `${s.field}: ` : ''}${SELECTIONS[s.field]}`.replace(
        ' {',
        `${directiveText(s.directive)} {`,
      ),
    );
    let body = ['botId', ...selected].join(' ');
    if (p.selectThroughFragment) {
      fragments.push(`fragment T${i} on EngagementTrend { ${body} }`);
      body = `...T${i}`;
    }
    return `engagementTrend(${botArg}${trendArgs(p)}) { ${body} }`;
  };

  const top = parts.map((p, i) => {
    const at = directiveText(p.directive);
    const field = {
      query: () => `p${i}: ${trend(p, i, `botId: "${p.bots[0]}", `)}`.replace(') {', `)${at} {`),
      bot: () => `p${i}: bot(id: "${p.bots[0]}")${at} { id ${trend(p, i, '')} }`,
      entities: () => {
        const reps = variable(
          '[_Any!]!',
          p.bots.map((id) => ({ __typename: 'Bot', id })),
        );
        return `p${i}: _entities(representations: ${reps})${at} { ... on Bot { ${trend(p, i, '')} } }`;
      },
    }[p.kind]();
    if (p.wrap === 'inline') return `... { ${field} }`;
    if (p.wrap === 'named') {
      fragments.push(`fragment Q${i} on Query { ${field} }`);
      return `...Q${i}`;
    }
    return field;
  });

  const header = declarations.length ? `query Plan(${declarations.join(', ')})` : 'query Plan';
  return { query: [`${header} { ${top.join(' ')} }`, ...fragments].join('\n'), variables };
}
