import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServerProcess } from '../helpers/server-process';

/**
 * No Docker engine runs here, so this is the check we can make: the files the Dockerfile copies
 * from the context exist and are not .dockerignore'd, and the runtime stage's output (the build
 * script's dist/) starts with the image's command and environment, answers the HEALTHCHECK route
 * and stops cleanly on SIGTERM.
 */
const root = join(__dirname, '..', '..');
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const out = join(root, '.ci', 'artifacts', 'docker-dist');

describe('Dockerfile', () => {
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('copies only files that exist in the context and are not ignored', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1].split(/\s+/));
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src']));
    for (const source of sources) {
      expect(existsSync(join(root, source))).toBe(true);
      expect(ignored).not.toContain(source);
    }
  });

  it('runs as a non-root user on a supported Node LTS, with a health check and NODE_ENV=production', () => {
    expect(dockerfile).toMatch(/^FROM node:(22|24)[\w.-]* AS runtime$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/NODE_ENV=production/);
    expect(dockerfile).toMatch(/^HEALTHCHECK [^\n]*\\\n[^\n]*\/healthz/m);
    expect(dockerfile).toMatch(/^EXPOSE 4000$/m);
  });

  it('the runtime command starts from the build output, answers /healthz and exits 0 on SIGTERM', async () => {
    // A fresh output directory: files of modules since moved (config.ts -> config/) would shadow them.
    rmSync(out, { recursive: true, force: true });
    const build = spawnSync(
      process.execPath,
      [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', out],
      { cwd: root, encoding: 'utf8' },
    );
    expect(build.stdout + build.stderr).toBe('');
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    expect(cmd).toEqual(['node', 'dist/index.js']);
    const entry = join(out, cmd[1].replace(/^dist\//, ''));
    expect(existsSync(entry)).toBe(true);

    const server = await startServerProcess(
      { PATH: process.env.PATH, NODE_ENV: 'production', AUTH_MODE: 'none', USE_BUILTIN_UPSTREAM: 'true', HOST: '127.0.0.1' },
      [entry],
    );
    try {
      const port = new URL(server.url).port;
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      server.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    } finally {
      server.kill('SIGKILL');
    }
  }, 60_000);
});
