import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/**
 * Debian's chromium, driven by playwright-core (which downloads no browser of its own). `.ci/run`
 * installs the package; where it is still missing, the browser tests say so loudly and are skipped.
 */
export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));

export function warnChromiumMissing(suite: string, tests: readonly string[]): void {
  process.stderr.write(
    `\n*** ${suite}: chromium is not installed, so these browser tests DID NOT RUN:\n` +
      tests.map((t) => `***   - ${t}\n`).join('') +
      '*** Install it (apt-get install chromium) or run bash .ci/run, which does. ***\n\n',
  );
}

/** A headless chromium on a new, empty profile directory (removed by `close`). */
export async function launchChromium(
  executablePath: string,
  options: { locale: string; timezoneId: string },
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'eg-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1200, height: 1300 },
    locale: options.locale,
    timezoneId: options.timezoneId,
    // The flags the machine's notes ask for: no sandbox (root in CI), no GPU, and no background
    // traffic (update checks, sync) that a closed network refuses.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
