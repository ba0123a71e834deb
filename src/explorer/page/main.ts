import { start } from './view';

/**
 * The explorer page's entry (bundled by src/explorer/bundle.ts). The modules split its jobs:
 * page.ts (server config, element lookup, the window.engagementExplorer handle), api.ts (the
 * GraphQL call), tiles.ts (tiles with their change, activity figures), charts.ts (daily and periods
 * charts), heatmap.ts, view.ts (form, URL, drawing an answer); state.ts and words.ts are pure.
 */
start();
