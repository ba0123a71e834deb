import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';

/**
 * A clean install on the oldest Node this project supports prints no engine warnings: every package
 * the lockfile installs declares that Node version (npm warns EBADENGINE for each one that does not).
 * Packages for other platforms are skipped: npm does not install them here.
 */
const root = join(__dirname, '..', '..');
const oldest = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;

interface LockEntry {
  readonly version?: string;
  readonly engines?: { readonly node?: string } | readonly string[];
  readonly os?: readonly string[];
  readonly cpu?: readonly string[];
}

it(`every installed package declares the oldest supported Node (${oldest})`, () => {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const node = semver.minVersion(oldest)!.version;
  const thisPlatform = (e: LockEntry) =>
    (!e.os || e.os.some((os) => os === process.platform || (os.startsWith('!') && os.slice(1) !== process.platform))) &&
    (!e.cpu || e.cpu.some((cpu) => cpu === process.arch || (cpu.startsWith('!') && cpu.slice(1) !== process.arch)));
  const refusing = Object.entries(lock.packages)
    .filter(([path, e]) => path !== '' && thisPlatform(e))
    .flatMap(([path, e]) => {
      const range = e.engines && !Array.isArray(e.engines) ? (e.engines as { node?: string }).node : undefined;
      return range && !semver.satisfies(node, range, { includePrerelease: true }) ? [`${path}@${e.version}: node ${range}`] : [];
    });
  expect(refusing).toEqual([]);
});
