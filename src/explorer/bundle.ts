import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The explorer page's assets: the HTML shell, one script (the page, Chart.js and its matrix
 * plugin, bundled by esbuild) and one stylesheet. `npm run build` writes them to dist/explorer/assets;
 * a server running from source (npm start, tests) bundles them in memory on first use.
 */

export interface ExplorerAssets {
  readonly html: string;
  readonly js: string;
  readonly css: string;
}

/** The page's sources, from src/explorer (ts-node) and from dist/explorer (npm run build) alike. */
const PAGE = join(__dirname, '..', '..', 'src', 'explorer', 'page');
const BUILT = join(__dirname, 'assets');

export async function bundleExplorer(): Promise<ExplorerAssets> {
  // esbuild is a build-time (dev) dependency: loaded only when bundling.
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(PAGE, 'main.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    target: ['chrome110', 'firefox110', 'safari16'],
    minify: true,
    legalComments: 'none',
    loader: { '.graphql': 'text' },
    logLevel: 'silent',
  });
  const js = result.outputFiles[0]?.text;
  if (!js) throw new Error('esbuild produced no explorer bundle');
  return { html: readFileSync(join(PAGE, 'index.html'), 'utf8'), js, css: readFileSync(join(PAGE, 'explorer.css'), 'utf8') };
}

/** Prebuilt assets (a production image has no esbuild), or undefined. */
export function prebuiltExplorer(): ExplorerAssets | undefined {
  if (!existsSync(join(BUILT, 'explorer.js'))) return undefined;
  const read = (name: string) => readFileSync(join(BUILT, name), 'utf8');
  return { html: read('index.html'), js: read('explorer.js'), css: read('explorer.css') };
}

/** `node dist/explorer/bundle.js` (part of `npm run build`): write the assets next to this file. */
async function writeAssets(): Promise<void> {
  const assets = await bundleExplorer();
  mkdirSync(BUILT, { recursive: true });
  writeFileSync(join(BUILT, 'index.html'), assets.html);
  writeFileSync(join(BUILT, 'explorer.js'), assets.js);
  writeFileSync(join(BUILT, 'explorer.css'), assets.css);
  process.stdout.write(`explorer assets written to ${BUILT} (script ${Math.round(assets.js.length / 1024)} KB)\n`);
}

if (require.main === module) {
  writeAssets().catch((error: unknown) => {
    process.stderr.write(`explorer bundle failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
