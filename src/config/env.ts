import { readFileSync } from 'node:fs';

/**
 * Typed readers of one environment variable each. Every config/ file declares its variables as a
 * table `{ NAME: reader }`, so one line says how a variable is parsed, its range and its static
 * default; `readerFor(env, table)` reads them by name, typed from the table, in the order the caller
 * asks (the order decides which error a process with several mistakes reports first).
 *
 * Invariants: a blank value counts as unset; an error is a ConfigError naming the variable and,
 * for non-secret variables, quoting the bad value; a secret's value is never quoted.
 */

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

export interface Reader<T> {
  read(env: Env, name: string): T;
  /** Variables read besides `name` itself, as suffixes (`_FILE` for secrets). */
  readonly suffixes?: readonly string[];
}

export type Table = Readonly<Record<string, Reader<unknown>>>;

type ValueOf<R> = R extends Reader<infer T> ? T : never;

/** Reads the variables of one table by name; the result type is the one its reader declares. */
export function readerFor<T extends Table>(env: Env, table: T): <K extends keyof T & string>(name: K) => ValueOf<T[K]> {
  return (name) => table[name].read(env, name) as ValueOf<T[typeof name]>;
}

/** Whether any variable behind `name` (itself, or its `_FILE`) has a value. */
export function isSet<T extends Table>(env: Env, table: T, name: keyof T & string): boolean {
  return [name, ...(table[name].suffixes ?? []).map((suffix) => name + suffix)].some((n) => Boolean(env[n]));
}

/** Every variable a table reads (a secret's `_FILE` included). */
export function variableNames(table: Table): string[] {
  return Object.entries(table).flatMap(([name, reader]) => [name, ...(reader.suffixes ?? []).map((suffix) => name + suffix)]);
}

const blank = (raw: string | undefined): raw is undefined => raw === undefined || raw.trim() === '';

/** A whole number within [min, max]. */
export function int(min: number, max: number): Reader<number | undefined>;
export function int(min: number, max: number, fallback: number): Reader<number>;
export function int(min: number, max: number, fallback?: number): Reader<number | undefined> {
  return {
    read(env, name) {
      const raw = env[name];
      if (blank(raw)) return fallback;
      const value = Number(raw);
      if (!/^\s*-?\d+\s*$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
        throw new ConfigError(`${name} must be a whole number from ${min} to ${max}: ${JSON.stringify(raw)}`);
      }
      return value;
    },
  };
}

/** A fraction within [min, max] (e.g. 0.5 or .5). */
export function fraction(min: number, max: number): Reader<number | undefined>;
export function fraction(min: number, max: number, fallback: number): Reader<number>;
export function fraction(min: number, max: number, fallback?: number): Reader<number | undefined> {
  return {
    read(env, name) {
      const raw = env[name];
      if (blank(raw)) return fallback;
      const value = Number(raw);
      if (!/^\s*(0|1)?(\.\d+)?\s*$/.test(raw) || !Number.isFinite(value) || value < min || value > max) {
        throw new ConfigError(`${name} must be a number from ${min} to ${max}: ${JSON.stringify(raw)}`);
      }
      return value;
    },
  };
}

/** true/1 or false/0, any case. */
export function bool(): Reader<boolean | undefined>;
export function bool(fallback: boolean): Reader<boolean>;
export function bool(fallback?: boolean): Reader<boolean | undefined> {
  return {
    read(env, name) {
      const raw = env[name]?.trim().toLowerCase();
      if (raw === undefined || raw === '') return fallback;
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      throw new ConfigError(`${name} must be true or false: ${JSON.stringify(env[name])}`);
    },
  };
}

/** One of a fixed set of words (trimmed). */
export function oneOf<const A extends readonly string[]>(allowed: A): Reader<A[number] | undefined>;
export function oneOf<const A extends readonly string[]>(allowed: A, fallback: A[number]): Reader<A[number]>;
export function oneOf<const A extends readonly string[]>(allowed: A, fallback?: A[number]): Reader<A[number] | undefined> {
  return {
    read(env, name) {
      const raw = env[name];
      if (blank(raw)) return fallback;
      if (!allowed.includes(raw.trim())) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}: ${JSON.stringify(raw)}`);
      return raw.trim();
    },
  };
}

/** Free text, trimmed. */
export function text(): Reader<string | undefined>;
export function text(fallback: string): Reader<string>;
export function text(fallback?: string): Reader<string | undefined> {
  return { read: (env, name) => env[name]?.trim() || fallback };
}

/** The value exactly as set (a switch compared to one spelling, such as `true`). */
export function raw(): Reader<string | undefined> {
  return { read: (env, name) => env[name] };
}

/** A comma-separated list, items trimmed; undefined when it has none. */
export function list(): Reader<string[] | undefined> {
  return {
    read(env, name) {
      const items = env[name]
        ?.split(',')
        .map((item) => item.trim())
        .filter(Boolean);
      return items?.length ? items : undefined;
    },
  };
}

/** An HTTP header name, lower-cased. */
export function header(fallback: string): Reader<string> {
  return {
    read(env, name) {
      const value = env[name]?.trim().toLowerCase() || fallback;
      if (!/^[a-z0-9-]{1,64}$/.test(value)) throw new ConfigError(`${name} must be an HTTP header name: ${JSON.stringify(env[name])}`);
      return value;
    },
  };
}

/** A value parsed by `parse` (which throws ConfigErrors naming the variable), or undefined when unset. */
export function parsed<T>(parse: (raw: string, name: string) => T): Reader<T | undefined> {
  return {
    read(env, name) {
      const value = env[name]?.trim();
      return value ? parse(value, name) : undefined;
    },
  };
}

/**
 * A secret from `NAME` or from the file `NAME_FILE` (Docker and Kubernetes secrets), never both.
 * One trailing newline of a file is dropped: `echo secret > file` is the usual way to make one.
 * Errors name the variable and the file's path, never the secret.
 */
export function secret(): Reader<string | undefined> {
  return {
    suffixes: ['_FILE'],
    read(env, name) {
      const direct = env[name];
      const file = env[`${name}_FILE`]?.trim();
      if (direct && file) throw new ConfigError(`set ${name} or ${name}_FILE, not both`);
      if (file) {
        const contents = readConfigFile(file, `${name}_FILE`).replace(/\r?\n$/, '');
        if (!contents) throw new ConfigError(`${name}_FILE names an empty file: ${JSON.stringify(file)}`);
        return contents;
      }
      return direct || undefined;
    },
  };
}

/** Reads a file named by configuration; errors name the path, never the contents. */
export function readConfigFile(path: string, name: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`${name} names a file that cannot be read (${code}): ${JSON.stringify(path)}`);
  }
}
