import type { Chart } from 'chart.js';
import type { ExplorerTrendQuery } from './generated';
import type { LiveRecord } from './live';
import type { ExplorerState } from './state';

/**
 * What every part of the page shares: the configuration the server embeds in the HTML, element
 * lookup by id, and the `window.engagementExplorer` handle tests and devtools read. The element ids
 * are the page's contract with index.html and the browser test: change them in all three at once.
 */

/** What the server tells the page (embedded in the HTML, see explorer.route.ts). */
export interface PageConfig {
  readonly demoBots: ReadonlyArray<{ id: string; name: string }>;
  readonly maxRangeDaysHourly: number;
  readonly authRequired: boolean;
  /** PERSISTED_DOCUMENTS allow|require: send the operation by this manifest id instead of its text. */
  readonly documentId?: string;
}

export type Trend = NonNullable<ExplorerTrendQuery['engagementTrend']>;
/** `bot.upstreamBudget` as the page asks for it: null when the bot or its budget could not be read. */
export type Budget = NonNullable<NonNullable<ExplorerTrendQuery['bot']>['upstreamBudget']>;

export const config = JSON.parse(document.getElementById('explorer-config')?.textContent || '{}') as PageConfig;
export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
export const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/**
 * For tests and devtools: the drawn charts, the last answer, and the live timer (live.ts):
 * `liveIntervalMs` (read-only), when the armed timer was armed (page clock), and when each timed
 * reload ran.
 */
export const handle: {
  daily?: Chart;
  heatmap?: Chart;
  periods?: Chart;
  trend?: Trend | null;
  state?: ExplorerState;
  readonly liveIntervalMs?: number;
} & LiveRecord = { liveReloads: [] };
(window as unknown as { engagementExplorer: typeof handle }).engagementExplorer = handle;
