import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../observability/logger';
import { bundleExplorer, prebuiltExplorer, type ExplorerAssets } from './bundle';

/**
 * GET /explore: the engagement explorer, a page that draws a bot's trends through /graphql.
 * Everything it loads comes from this server (a Content-Security-Policy of 'self' says so to the
 * browser too): no CDN, no web fonts, so it works offline.
 */

export interface ExplorerPageConfig {
  /** Offered as choices (the built-in upstream's demo bots); any id can be typed. */
  readonly demoBots: ReadonlyArray<{ readonly id: string; readonly name: string }>;
  /** Ranges up to this many days also get the hour-of-day heatmap. */
  readonly maxRangeDaysHourly: number;
  /** AUTH_MODE=jwt: the page shows a token field. */
  readonly authRequired: boolean;
  /** Set when PERSISTED_DOCUMENTS is allow or require: the page sends its operation by this manifest id, not as text. */
  readonly documentId?: string;
}

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

let assets: Promise<ExplorerAssets> | undefined;

/** Prebuilt assets when `npm run build` made them, otherwise bundled once per process on first use. */
function loadAssets(): Promise<ExplorerAssets> {
  if (!assets) {
    assets = Promise.resolve(prebuiltExplorer() ?? bundleExplorer());
    assets.catch(() => (assets = undefined)); // a failed bundle is retried on the next request
  }
  return assets;
}

/** Embeds the page's configuration as inert JSON (never executed; `<` escaped so it cannot close the tag). */
export function pageHtml(template: string, config: ExplorerPageConfig): string {
  return template.replace('<!--CONFIG-->', JSON.stringify(config).replace(/</g, '\\u003c'));
}

export function explorerRoutes(
  config: ExplorerPageConfig,
  log: Logger,
): Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> {
  const send = (pick: (a: ExplorerAssets) => string, type: string) => async (req: IncomingMessage, res: ServerResponse) => {
    let body: string;
    try {
      body = pick(await loadAssets());
    } catch (error) {
      log.error({ err: error }, 'explorer assets unavailable (run `npm run build`, or install dev dependencies for esbuild)');
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The explorer page is not built on this server.');
      return;
    }
    res.writeHead(200, {
      'content-type': type,
      'content-length': Buffer.byteLength(body),
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const page = send((a) => pageHtml(a.html, config), 'text/html; charset=utf-8');
  return {
    '/explore': page,
    '/explore/': page,
    '/explore/explorer.js': send((a) => a.js, 'text/javascript; charset=utf-8'),
    '/explore/explorer.css': send((a) => a.css, 'text/css; charset=utf-8'),
  };
}
