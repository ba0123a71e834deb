import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { until } from './wait';

/**
 * A real redis-server on a free loopback port, for the tests that need one (no mock Redis).
 * `.ci/run` installs the Debian package when it is missing; where it still is, `redisMissing()`
 * says so loudly and those tests are skipped by name.
 */

export function redisBinary(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

export function warnRedisMissing(suite: string): void {
  process.stderr.write(
    `\n*** ${suite}: redis-server is not installed, so these tests DID NOT RUN. ` +
      'Install it (apt-get install redis-server) or run bash .ci/run, which does. ***\n\n',
  );
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /**
   * Sends a signal: SIGKILL (a crash) and SIGTERM resolve once the process has exited; SIGSTOP (a
   * Redis that accepts connections but never answers) and SIGCONT resolve once sent.
   */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Starts a fresh, empty redis-server on the same port (after kill or stop); resolves once it accepts connections. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function accepting(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

export async function startRedis(binary: string): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  async function spawnOnPort(): Promise<void> {
    const proc = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    child = proc;
    exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    await until(
      async () => {
        if (proc.exitCode !== null) throw new Error(`redis-server exited (${proc.exitCode}) before accepting on port ${port}`);
        return accepting(port);
      },
      { what: `redis-server to accept connections on port ${port}`, timeoutMs: 5000, intervalMs: 50 },
    );
  }

  async function kill(signal: NodeJS.Signals): Promise<void> {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill(signal);
    if (signal === 'SIGSTOP' || signal === 'SIGCONT') return;
    if (signal === 'SIGTERM') proc.kill('SIGCONT'); // a stopped process handles SIGTERM only once continued
    await exited;
  }

  await spawnOnPort();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    async restart() {
      await kill('SIGKILL');
      await spawnOnPort();
    },
    stop: () => kill('SIGTERM'),
  };
}
