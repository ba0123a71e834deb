import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';

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
  /** Sends a signal to the running redis-server and resolves once it has exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Starts a new, empty redis-server on the same port (no persistence: a restart loses everything). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function waitForPort(port: number, up: boolean, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open === up) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not ${up ? 'start' : 'stop'} on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startRedis(binary: string): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitForPort(port, true, 5000);
  };
  const kill = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return resolve();
      running.once('exit', () => resolve());
      running.kill(signal);
    });
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    restart: launch,
    stop: () => kill('SIGTERM'),
  };
}
