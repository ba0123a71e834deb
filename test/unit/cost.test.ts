import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { OperationLimitError } from '../../src/errors';
import { MAX_VALUE_DEPTH } from '../../src/security/body';
import type { ResolveQuestion } from '../../src/engagement/plan';
import type { TrendQuery } from '../../src/engagement/model';
import { operationCost } from '../../src/security/cost';

const parsed = (query: string) => {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  return { document, operation };
};
const cost = (query: string, variables: Record<string, unknown> = {}, resolve?: ResolveQuestion) => {
  const { document, operation } = parsed(query);
  return operationCost(document, operation, variables, resolve).calls;
};
const R1 = 'range: { start: "2025-12-01", end: "2025-12-07" }';
const R2 = 'range: { start: "2025-11-01", end: "2025-11-07" }';
const trend = (select: string, range = R1, bot = 'st-a') => `engagementTrend(botId: "${bot}", ${range}) { ${select} }`;

describe('cost in upstream calls', () => {
  it.each<[string, string, number]>([
    ['summary alone: one daily call', `{ ${trend('summary { uniqueUsers }')} }`, 1],
    ['series: one daily call', `{ ${trend('series { uniqueUsers { users } }')} }`, 1],
    ['summary and series share the daily call', `{ ${trend('summary { uniqueUsers } series { uniqueUsers { users } }')} }`, 1],
    ['summary rides on hourly', `{ ${trend('summary { uniqueUsers } hourly { hour }')} }`, 1],
    ['series and hourly: two calls', `{ ${trend('series { uniqueUsers { users } } hourly { hour }')} }`, 2],
    ['only the echo fields: no call', `{ ${trend('botId range { days }')} }`, 0],
    ['the same question under two aliases: one call', `{ a: ${trend('summary { uniqueUsers }')} b: ${trend('summary { newUsers }')} }`, 1],
    ['two ranges: two calls', `{ a: ${trend('summary { uniqueUsers }')} b: ${trend('summary { uniqueUsers }', R2)} }`, 2],
    ['two bots: two calls', `{ a: ${trend('summary { uniqueUsers }')} b: ${trend('summary { uniqueUsers }', R1, 'st-b')} }`, 2],
    [
      'argument order does not matter',
      `{ a: ${trend('summary { uniqueUsers }')} b: engagementTrend(range: { end: "2025-12-07", start: "2025-12-01" }, botId: "st-a") { summary { uniqueUsers } } }`,
      1,
    ],
    [
      'different filters: two calls',
      `{ a: ${trend('summary { uniqueUsers }')} b: engagementTrend(botId: "st-a", ${R1}, filters: { channel: "rtm" }) { summary { uniqueUsers } } }`,
      2,
    ],
    [
      '@skip(if: true) costs nothing',
      `{ a: ${trend('summary { uniqueUsers }')} b: ${trend('summary { uniqueUsers }', R2).replace(') {', ') @skip(if: true) {')} }`,
      1,
    ],
    [
      '@include(if: false) on a sub-field drops its call',
      `{ ${trend('series @include(if: false) { uniqueUsers { users } } hourly { hour }')} }`,
      1,
    ],
    [
      'fragments are expanded',
      `query { ...F } fragment F on Query { a: ${trend('summary { uniqueUsers }')} b: ${trend('hourly { hour }', R2)} }`,
      2,
    ],
    ['a fragment spread twice counts once', `query { ...F ...F } fragment F on Query { ${trend('summary { uniqueUsers }')} }`, 1],
    [
      'a sub-selection through a fragment',
      `query { ${trend('...T')} } fragment T on EngagementTrend { series { uniqueUsers { users } } hourly { hour } }`,
      2,
    ],
    [
      'bot(id:) with two ranges',
      `{ bot(id: "st-a") { a: ${trend('summary { uniqueUsers }').replace('botId: "st-a", ', '')} b: ${trend('summary { uniqueUsers }', R2).replace('botId: "st-a", ', '')} } }`,
      2,
    ],
    ['a mutation or other operation costs nothing', `mutation { x }`, 0],
  ])('%s → %i', (_name, query, expected) => {
    expect(cost(query)).toBe(expected);
  });

  it('reads variables, including in @include', () => {
    const q = `query Q($bot: ID!, $r: DateRangeInput!, $hourly: Boolean!) { engagementTrend(botId: $bot, range: $r) { summary { uniqueUsers } series { uniqueUsers { users } } hourly @include(if: $hourly) { hour } } }`;
    expect(cost(q, { bot: 'st-a', r: { start: '2025-12-01', end: '2025-12-07' }, hourly: false })).toBe(1);
    expect(cost(q, { bot: 'st-a', r: { start: '2025-12-01', end: '2025-12-07' }, hourly: true })).toBe(2);
    // A variable that is not a boolean cannot decide: counted as included.
    expect(cost(q, { bot: 'st-a', r: { start: '2025-12-01', end: '2025-12-07' }, hourly: 'yes' })).toBe(2);
  });

  it('counts _entities per distinct bot and question', () => {
    const q = `query E($r: [_Any!]!) { _entities(representations: $r) { ... on Bot { a: engagementTrend(${R1}) { summary { uniqueUsers } } b: engagementTrend(${R2}) { hourly { hour } } } } }`;
    const reps = (ids: string[]) => ({ r: ids.map((id) => ({ __typename: 'Bot', id })) });
    expect(cost(q, reps(['st-a']))).toBe(2);
    expect(cost(q, reps(['st-a', 'st-a', 'st-b']))).toBe(4);
    expect(cost(q, reps(Array.from({ length: 30 }, (_, i) => `st-${i}`)))).toBe(60);
  });

  it('stays cheap on a fragment fan-out (each fragment is expanded once per selection)', () => {
    // Expanded per spread, this would be 2^40 visits and never finish within the test timeout.
    const fragments = Array.from({ length: 40 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join('\n');
    const q = `query { ...F0 }\n${fragments}\nfragment F40 on Query { ${trend('summary { uniqueUsers }')} }`;
    expect(cost(q)).toBe(1);
  });

  it('refuses raw variables nested past MAX_VALUE_DEPTH instead of exhausting the stack', () => {
    // HTTP refuses such bodies first (MAX_JSON_DEPTH); this is the estimator's own bound.
    const q = `query Q($r: DateRangeInput!) { engagementTrend(botId: "st-a", range: $r) { summary { uniqueUsers } } }`;
    const deep = (n: number) => JSON.parse('['.repeat(n) + ']'.repeat(n)) as unknown;
    expect(cost(q, { r: deep(MAX_VALUE_DEPTH) })).toBe(1);
    expect(() => cost(q, { r: deep(50_000) })).toThrow(OperationLimitError);
  });

  it('keys bot ids that are not strings without String() (which throws on some objects)', () => {
    const q = `query Q($bot: ID!, $r: [_Any!]!) { engagementTrend(botId: $bot, ${R1}) { summary { uniqueUsers } } _entities(representations: $r) { ... on Bot { ${trend('summary { uniqueUsers }').replace('botId: "st-a", ', '')} } } }`;
    const hostile = { toString: 1 };
    expect(cost(q, { bot: hostile, r: [{ __typename: 'Bot', id: hostile }, { __typename: 'Bot', id: ['st-a'] }, 1, null] })).toBe(3);
  });
});

describe('cost with questions canonicalized as the resolvers do', () => {
  // A stand-in for engagement/question.ts: bot "st-v1" speaks v1, "st-no" is refused, zone names
  // are compared case-insensitively, a range starting after 2025-12-31 is refused.
  const asked: Array<{ botId: string; hourlyAsked: boolean }> = [];
  const resolve: ResolveQuestion = (botId, range, filters, hourlyAsked) => {
    asked.push({ botId, hourlyAsked });
    const [start, end] = [range.start ?? '', range.end ?? '']; // this stand-in knows explicit dates only
    if (botId === 'st-no' || start > '2025-12-31') return null;
    const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
    const query: TrendQuery = {
      version: botId === 'st-v1' ? 'v1' : 'v2',
      botId,
      startDay: day(start),
      endDay: day(end),
      channel: filters?.channel ?? null,
      conversationType: filters?.conversationType ?? 'ALL',
      conversationStatus: filters?.conversationStatus ?? 'ALL',
      timeZone: (filters?.timeZone ?? 'UTC').toUpperCase(),
    };
    return query;
  };
  beforeEach(() => (asked.length = 0));

  it.each<[string, string, number]>([
    [
      'filters omitted and spelled as defaults: one question',
      `{ a: ${trend('summary { uniqueUsers }')} b: engagementTrend(botId: "st-a", ${R1}, filters: { conversationType: ALL, timeZone: "utc" }) { summary { newUsers } } }`,
      1,
    ],
    [
      'summary on one alias rides on hourly asked by another',
      `{ a: ${trend('summary { uniqueUsers }')} b: ${trend('hourly { hour }')} }`,
      1,
    ],
    [
      'Query.engagementTrend and bot(id:) asking the same question: one call',
      `{ ${trend('series { uniqueUsers { users } }')} bot(id: "st-a") { engagementTrend(${R1}) { series { uniqueUsers { users } } } } }`,
      1,
    ],
    [
      'a refused bot costs nothing',
      `{ a: ${trend('summary { uniqueUsers }', R1, 'st-no')} b: ${trend('series { uniqueUsers { users } }', R2, 'st-no')} }`,
      0,
    ],
    ['a refused range costs nothing', `{ ${trend('summary { uniqueUsers }', 'range: { start: "2099-01-01", end: "2099-01-02" }')} }`, 0],
    ['a v1 summary costs nothing', `{ ${trend('summary { uniqueUsers }', R1, 'st-v1')} }`, 0],
    [
      'a v1 summary with series: the daily call only',
      `{ ${trend('summary { uniqueUsers } series { uniqueUsers { users } }', R1, 'st-v1')} }`,
      1,
    ],
    ['a v1 summary with hourly: the hourly call only', `{ ${trend('summary { uniqueUsers } hourly { hour }', R1, 'st-v1')} }`, 1],
  ])('%s → %i', (_name, query, expected) => {
    expect(cost(query, {}, resolve)).toBe(expected);
  });

  it('tells the resolver whether hourly is asked, over every node of one response key', () => {
    const q = `{ a: ${trend('summary { uniqueUsers }')} a: ${trend('...H')} } fragment H on EngagementTrend { hourly { hour } }`;
    expect(cost(q, {}, resolve)).toBe(1);
    expect(asked).toEqual([{ botId: 'st-a', hourlyAsked: true }]);
  });

  it('applies variable defaults as coercion does', () => {
    const q = `query Q($h: Boolean = false) { ${trend('series { uniqueUsers { users } } hourly @include(if: $h) { hour }')} }`;
    expect(cost(q, {}, resolve)).toBe(1);
    expect(cost(q, { h: true }, resolve)).toBe(2);
  });

  it('counts values coercion would refuse by their raw arguments (never low)', () => {
    const q = `query Q($bot: ID!, $r: DateRangeInput!) { a: engagementTrend(botId: $bot, range: $r) { summary { uniqueUsers } } b: ${trend('summary { uniqueUsers }')} }`;
    expect(cost(q, { bot: 'st-a', r: { start: '2025-12-01', end: '2025-12-07' } }, resolve)).toBe(1);
    expect(cost(q, { bot: { toString: 1 }, r: { start: '2025-12-01', end: '2025-12-07' } }, resolve)).toBe(2);
    expect(cost(q, { bot: 'st-a', r: { start: '2025-12-01', end: '2025-12-07', extra: 1 } }, resolve)).toBe(2);
    expect(cost(q, { bot: 'st-a', r: { start: '2025-12-01', end: ['2025-12-07'] } }, resolve)).toBe(2);
    expect(() => cost(q, { bot: 'st-a', r: JSON.parse('['.repeat(50_000) + ']'.repeat(50_000)) as unknown }, resolve)).toThrow(
      OperationLimitError,
    );
  });

  it('weighs refused questions in the limit, not in the calls (operationCost)', () => {
    const q = `query E($r: [_Any!]!) { _entities(representations: $r) { ... on Bot { engagementTrend(${R1}) { summary { uniqueUsers } } } } }`;
    const { document, operation } = parsed(q);
    const r = [...Array.from({ length: 30 }, () => ({ __typename: 'Bot', id: 'st-no' })), { __typename: 'Bot', id: 'st-a' }];
    expect(operationCost(document, operation, { r }, resolve)).toEqual({ calls: 1, limited: 2 });
    const distinct = Array.from({ length: 30 }, (_, i) => ({ __typename: 'Bot', id: `st-no-${i}` }));
    const refusing: ResolveQuestion = (botId, ...rest) => (botId.startsWith('st-no') ? null : resolve(botId, ...rest));
    expect(operationCost(document, operation, { r: distinct }, refusing)).toEqual({ calls: 0, limited: 30 });
  });
});
