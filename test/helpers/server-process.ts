import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { until } from './wait';

/**
 * Engagement Graph as a real child process (for what only a process shows: signals, exit codes,
 * exporters that jest cannot load). Resolves once the server logs its "ready at" line.
 */
export interface ServerProcess {
  /** The GraphQL URL it logged. */
  readonly url: string;
  /** Everything it printed so far. */
  output(): string;
  readonly exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

export const ROOT = join(__dirname, '..', '..');

/** `args` default to running the source through ts-node, as `npm start` does. */
export async function startServerProcess(
  env: NodeJS.ProcessEnv,
  args: string[] = ['-r', 'ts-node/register/transpile-only', 'src/index.ts'],
): Promise<ServerProcess> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PORT: '0', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  let gone: { code: number | null } | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      gone = { code };
      resolve(code);
    }),
  );
  const ready = () => /ready at (http:\/\/localhost:\d+\/graphql)/.exec(out)?.[1];
  await until(
    () => {
      if (gone) throw new Error(`server exited (${gone.code}) before it was ready:\n${out}`);
      return ready() !== undefined;
    },
    { what: 'the server to log "ready at"', timeoutMs: 20_000, intervalMs: 50, detail: () => out },
  );
  return { url: ready() as string, output: () => out, exited, kill: (signal) => void child.kill(signal) };
}
