import { start } from './view';

/**
 * The explorer page's entry (bundled by src/explorer/bundle.ts). The modules split its jobs:
 * page.ts (server config, element lookup, the window.engagementExplorer handle), api.ts (the
 * GraphQL call), charts.ts (tiles, daily chart, heatmap), view.ts (form, URL, drawing an answer).
 */
start();
