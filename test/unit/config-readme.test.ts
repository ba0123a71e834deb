import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ENV_VARIABLES, loadConfig, loadEmulatorConfig, usesProxy, type Env } from '../../src/config';

/**
 * The README's configuration table, .env.example and what config/ reads stay in step. What is read
 * is observed, not declared: every loader runs over an environment that records each key looked
 * up, and the scenarios below together must reach every variable config/ declares (ENV_VARIABLES).
 */

const ROOT = join(__dirname, '..', '..');

/** Documented rows that config/ does not read, with the reason. */
const README_ONLY: Readonly<Record<string, string>> = {
  NO_PROXY: 'axios reads it on each call to bypass the proxy for some hosts; config/ only decides whether a proxy is set at all',
};

/** An environment that records every variable read; listing the environment is refused (reads must be by name). */
function recordingEnv(values: Record<string, string>): { env: Env; read: Set<string> } {
  const read = new Set<string>();
  const note = (key: string | symbol) => typeof key === 'string' && read.add(key);
  const env = new Proxy(values, {
    get: (target, key) => (note(key), Reflect.get(target, key)),
    has: (target, key) => (note(key), Reflect.has(target, key)),
    getOwnPropertyDescriptor: (target, key) => (note(key), Reflect.getOwnPropertyDescriptor(target, key)),
    ownKeys: () => {
      throw new Error('config/ listed the environment: read variables by name, so that every one is declared');
    },
  });
  return { env, read };
}

/** Between them, these reach every branch that reads a variable (jwt-only settings, production-only switches). */
const SCENARIOS: readonly Record<string, string>[] = [
  {},
  { AUTH_MODE: 'jwt', AUTH_JWT_SECRET: 'x'.repeat(32) },
  { NODE_ENV: 'production', AUTH_MODE: 'none', USE_BUILTIN_UPSTREAM: 'true' },
];

function variablesRead(): Set<string> {
  const all = new Set<string>();
  const record = (run: (env: Env) => unknown, values: Record<string, string> = {}) => {
    const { env, read } = recordingEnv(values);
    run(env);
    for (const name of read) all.add(name);
  };
  for (const values of SCENARIOS) record(loadConfig, values);
  record(loadEmulatorConfig);
  record(usesProxy);
  return all;
}

/**
 * Variable names in the first column of README's "## Configuration" table. A cell may name
 * several (`A`, `B`); a lone suffix (`_FILE`) adds that suffix to the names before it in the cell.
 */
function readmeVariables(): Set<string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Configuration\n'));
  if (!section) throw new Error('README.md has no "## Configuration" section');
  const names = new Set<string>();
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  for (const row of rows) {
    const firstCell = row.split(/(?<!\\)\|/)[1];
    const inCell: string[] = [];
    for (const [, token] of firstCell.matchAll(/`([^`]+)`/g)) {
      if (/^_[A-Z]+$/.test(token)) inCell.push(...inCell.map((name) => name + token));
      else if (/^[A-Z][A-Z0-9_]*$/.test(token)) inCell.push(token);
      else throw new Error(`README.md configuration row names something that is not a variable: ${token}`);
    }
    for (const name of inCell) names.add(name);
  }
  return names;
}

/** The README documents proxy variables once for either case (as axios reads them): compare upper-cased. */
const upper = (names: Iterable<string>) => new Set([...names].map((name) => name.toUpperCase()));
const missing = (from: Set<string>, inSet: Set<string>) => [...from].filter((name) => !inSet.has(name)).sort();

describe('configuration documentation', () => {
  const read = variablesRead();
  const documented = readmeVariables();

  it('ENV_VARIABLES is exactly what the loaders read: nothing read behind it, nothing declared and never read', () => {
    expect(missing(read, new Set(ENV_VARIABLES))).toEqual([]);
    expect(missing(new Set(ENV_VARIABLES), read)).toEqual([]);
  });

  it("every variable read has a row in README.md's configuration table", () => {
    expect(documented.size).toBeGreaterThan(50); // the table was found and parsed
    expect(missing(upper(read), documented)).toEqual([]);
  });

  it('every variable in that table is read, except the few listed with a reason', () => {
    const extra = missing(documented, upper(read));
    expect(extra).toEqual(Object.keys(README_ONLY).sort());
  });

  it('.env.example names only real variables, and mentions every one', () => {
    const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
    // Variable-like words: upper case with an underscore, or a whole `NAME=` assignment.
    const named = new Set([...example.matchAll(/\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b|^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] ?? m[2]));
    const real = upper(ENV_VARIABLES);
    expect(missing(named, new Set([...real, ...Object.keys(README_ONLY)]))).toEqual([]);
    // A secret's `NAME_FILE` mentions NAME too.
    const mentioned = new Set([...named].flatMap((name) => [name, name.replace(/_FILE$/, '')]));
    expect(missing(real, mentioned)).toEqual([]);
  });
});

describe('the environment', () => {
  it('is read only in src/config/ (everything else receives settings)', () => {
    const src = join(ROOT, 'src');
    const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    const readers = files.filter((f) => !f.startsWith('config/') && /\bprocess\.env\b/.test(readFileSync(join(src, f), 'utf8')));
    expect(readers.map((f) => relative(ROOT, join(src, f)))).toEqual([]);
  });
});
