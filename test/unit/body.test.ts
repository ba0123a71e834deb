import { jsonNestsDeeperThan, requestJsonTooDeep } from '../../src/security/body';

describe('JSON nesting limit (MAX_JSON_DEPTH)', () => {
  it.each<[string, string, number, boolean]>([
    ['an object at the limit', '{"a":{"b":[1]}}', 3, false],
    ['one level over', '{"a":{"b":[[1]]}}', 3, true],
    ['brackets inside strings do not count', '{"a":"[[[[{{{{"}', 1, false],
    ['escaped quotes do not end a string', '{"a":"\\"[[[["}', 1, false],
    ['an escaped backslash does end it', '{"a":"\\\\","b":[[[1]]]}', 3, true],
    ['siblings are not depth', '[[],[],[],[],[]]', 2, false],
    ['unclosed brackets count', '['.repeat(10), 9, true],
    ['a scalar has no depth', '1e309', 0, false],
  ])('%s', (_name, text, max, deeper) => {
    expect(jsonNestsDeeperThan(text, max)).toBe(deeper);
    // Whatever parses is counted exactly as a parser nests it.
    if (!text.startsWith('[[[[[[[[[[')) expect(() => JSON.parse(text)).not.toThrow();
  });

  it('stops at the first level too many, without recursion, on any length', () => {
    expect(jsonNestsDeeperThan('['.repeat(5_000_000), 64)).toBe(true);
  });

  it('counts GET variables and extensions as if inside a body envelope, every copy', () => {
    const search = (q: string) => new URLSearchParams(q);
    expect(requestJsonTooDeep(undefined, search('variables={"a":[1]}'), 3)).toBe(false);
    expect(requestJsonTooDeep(undefined, search('variables={"a":[[1]]}'), 3)).toBe(true);
    expect(requestJsonTooDeep(undefined, search('extensions={}&extensions=[[[[]]]]'), 3)).toBe(true);
    expect(requestJsonTooDeep(undefined, search('query=[[[[[[[[[[]]]]]]]]]]'), 3)).toBe(false); // the document is not JSON
    expect(requestJsonTooDeep('{"variables":{"a":[1]}}', search('variables=[[[[[[]]]]]]'), 3)).toBe(false); // POST reads the body only
  });
});
