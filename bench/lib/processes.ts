import { spawn, type ChildProcess } from 'node:child_process';
import { DEMO_CREDENTIALS } from './credentials';
import { procMemory } from './memory';
import { ROOT } from './settings';

/**
 * The systems under test, each as its own process, as they run in production. Engagement Graph is
 * `node dist/index.js`: the production entry (src/index.ts), which wires the application through
 * createApp (src/app.ts), so the bench measures the one wiring production runs and only sets its
 * configuration (environment). (test/helpers/server-process.ts starts the same entry for tests;
 * it keeps every line of output, which a long load must not pay for, so processes here stop
 * reading their output once they are ready.)
 */

export interface Proc {
  readonly url: string;
  readonly child: ChildProcess;
  /** Peak and current resident memory (kB) from /proc (Linux). */
  memory(): { peakKb: number; rssKb: number };
  stop(): Promise<void>;
}

/** Starts `node ...args` and resolves when its output matches `ready` (30 s at most). */
export function startProcess(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  toUrl: (m: RegExpExecArray) => string,
): Promise<Proc> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in 30 s:\n${out}`)), 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = ready.exec(out);
      if (!m) return;
      clearTimeout(timer);
      out = '';
      // From here on, drain the output unread: scanning log lines here would steal CPU from the load.
      child.stdout?.removeListener('data', onData);
      child.stderr?.removeListener('data', onData);
      child.stdout?.resume();
      child.stderr?.resume();
      resolve({
        url: toUrl(m),
        child,
        memory: () => procMemory(child.pid ?? 0),
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code}:\n${out}`)));
  });
}

/**
 * Engagement Graph in production mode in front of `upstream`, with limits raised out of the way of
 * the load (the bench measures the server, not its guards). `env` overrides; `nodeFlags` go to node.
 * The credentials are the built-in upstream's demo app, which the replay upstream also accepts.
 */
export const startGraph = (upstream: string, env: Record<string, string> = {}, nodeFlags: string[] = []) =>
  startProcess(
    [...nodeFlags, 'dist/index.js'],
    {
      NODE_ENV: 'production',
      AUTH_MODE: 'none',
      HOST: '127.0.0.1',
      PORT: '0',
      KORE_HOST: upstream,
      KORE_CLIENT_ID: DEMO_CREDENTIALS.clientId,
      KORE_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
      BUDGET_PER_MINUTE: '100000',
      BUDGET_PER_HOUR: '1000000',
      MAX_UPSTREAM_CALLS: '5000',
      MAX_ALIASES: '100',
      ...env,
    },
    // index.ts's "ready" line (the same one test/helpers/server-process.ts waits for).
    /ready at http:\/\/localhost:(\d+)\/graphql/,
    (m) => `http://127.0.0.1:${m[1]}/graphql`,
  );

/** The baseline: a plain Apollo Server answering `{ hello }` (bench/hello-server.ts). */
export const startHello = () =>
  startProcess(['-r', 'ts-node/register/transpile-only', 'bench/hello-server.ts'], {}, /READY (\S+)/, (m) => m[1]);
