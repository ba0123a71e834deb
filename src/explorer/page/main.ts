import { BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartConfiguration } from 'chart.js';
import { MatrixController, MatrixElement } from 'chartjs-chart-matrix';
import QUERY from './explorer.graphql';
import type { ExplorerTrendQuery, ExplorerTrendQueryVariables } from './generated';
import { networkError, plainError, type ApiError, type PlainError } from './messages';
import { daysIn, presetRange, queryFromState, stateFromQuery, type ExplorerState, type Preset } from './state';

Chart.register(LineController, LineElement, PointElement, BarElement, CategoryScale, LinearScale, Tooltip, Legend, MatrixController, MatrixElement);

/** What the server tells the page (embedded in the HTML, see explorer.route.ts). */
interface PageConfig {
  readonly demoBots: ReadonlyArray<{ id: string; name: string }>;
  readonly maxRangeDaysHourly: number;
  readonly authRequired: boolean;
}

type Trend = NonNullable<ExplorerTrendQuery['engagementTrend']>;

const config = JSON.parse(document.getElementById('explorer-config')?.textContent || '{}') as PageConfig;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>('controls');
const view = $('view');
const COLORS = { unique: '#3366cc', new: '#2e9e6b', returning: '#d9822b' };
const number = new Intl.NumberFormat(navigator.language);
const average = new Intl.NumberFormat(navigator.language, { maximumFractionDigits: 1 });
const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** For tests and devtools: the drawn charts and the last answer. */
const handle: { daily?: Chart; heatmap?: Chart; trend?: Trend | null; state?: ExplorerState } = {};
(window as unknown as { engagementExplorer: typeof handle }).engagementExplorer = handle;

// ---------------------------------------------------------------------------------------------
// Controls <-> state <-> URL

function fillChoices(): void {
  const bots = $('demo-bots');
  for (const bot of config.demoBots ?? []) bots.append(new Option(bot.name, bot.id));
  const zones = $('zones');
  const supported = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  for (const zone of ['UTC', ...supported]) zones.append(new Option(zone));
  if (config.authRequired) $('token-box').hidden = false;
  $<HTMLInputElement>('token').value = sessionStorage.getItem('engagement-explorer-token') ?? '';
}

function showState(state: ExplorerState): void {
  $<HTMLInputElement>('bot').value = state.bot;
  for (const radio of form.querySelectorAll<HTMLInputElement>('input[name=preset]')) radio.checked = radio.value === state.preset;
  $<HTMLInputElement>('start').value = state.start;
  $<HTMLInputElement>('end').value = state.end;
  $<HTMLInputElement>('timeZone').value = state.timeZone;
  $<HTMLInputElement>('channel').value = state.channel;
  $<HTMLSelectElement>('conversationType').value = state.conversationType;
  $<HTMLSelectElement>('conversationStatus').value = state.conversationStatus;
}

function readState(): ExplorerState {
  const preset = (form.querySelector<HTMLInputElement>('input[name=preset]:checked')?.value ?? '30') as Preset;
  const timeZone = $<HTMLInputElement>('timeZone').value.trim() || browserZone;
  const range = preset === 'custom' ? { start: $<HTMLInputElement>('start').value, end: $<HTMLInputElement>('end').value } : presetRange(preset, timeZone, new Date());
  return {
    bot: $<HTMLInputElement>('bot').value.trim(),
    preset,
    ...range,
    timeZone,
    channel: $<HTMLInputElement>('channel').value.trim(),
    conversationType: $<HTMLSelectElement>('conversationType').value as ExplorerState['conversationType'],
    conversationStatus: $<HTMLSelectElement>('conversationStatus').value as ExplorerState['conversationStatus'],
  };
}

// ---------------------------------------------------------------------------------------------
// The API

type Outcome = { trend: Trend | null; errors: ApiError[] } | { failure: PlainError };

async function ask(state: ExplorerState, withHourly: boolean): Promise<Outcome> {
  const variables: ExplorerTrendQueryVariables = {
    botId: state.bot,
    range: { start: state.start, end: state.end },
    filters: {
      timeZone: state.timeZone,
      conversationType: state.conversationType,
      conversationStatus: state.conversationStatus,
      ...(state.channel ? { channel: state.channel } : {}),
    },
    withHourly,
  };
  const token = $<HTMLInputElement>('token').value.trim();
  let res: Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ operationName: 'ExplorerTrend', query: QUERY, variables }),
    });
  } catch {
    return { failure: networkError(undefined) };
  }
  let body: { data?: ExplorerTrendQuery | null; errors?: ApiError[] };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    return { failure: networkError(res.status) };
  }
  if (!body.data && !body.errors?.length) return { failure: networkError(res.status) };
  return { trend: body.data?.engagementTrend ?? null, errors: body.errors ?? [] };
}

// ---------------------------------------------------------------------------------------------
// Drawing

function showError(error: PlainError | undefined): void {
  const box = $('error');
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  box.hidden = !error;
  if (!error) return;
  box.querySelector('h2')!.textContent = error.title;
  box.querySelector('p')!.textContent = error.detail;
  box.dataset.field = error.field ?? '';
  const targets = error.field === 'dates' ? ['start', 'end'] : error.field ? [error.field] : [];
  for (const id of targets) $(id)?.setAttribute('aria-invalid', 'true');
}

function tile(key: string, label: string, color: string, value: number | null, perDay: number | null): HTMLElement {
  const el = document.createElement('div');
  el.className = 'tile';
  el.dataset.tile = key;
  el.style.setProperty('--c', color);
  const v = value === null ? '—' : number.format(value);
  el.innerHTML = '<div class="label"></div><div class="value"></div><div class="avg"></div>';
  el.querySelector('.label')!.textContent = label;
  const valueEl = el.querySelector<HTMLElement>('.value')!;
  valueEl.textContent = v;
  if (value !== null) valueEl.dataset.value = String(value);
  const avgEl = el.querySelector<HTMLElement>('.avg')!;
  avgEl.textContent = perDay === null ? 'not available from this Kore.ai API' : `${average.format(perDay)} a day on average`;
  if (perDay !== null) avgEl.dataset.value = String(perDay);
  return el;
}

function drawTiles(trend: Trend | null): void {
  const tiles = $('tiles');
  tiles.replaceChildren();
  if (!trend) return;
  const s = trend.summary;
  tiles.append(
    tile('uniqueUsers', 'Unique users', COLORS.unique, s?.uniqueUsers ?? null, s?.avgUniqueUsersPerDay ?? null),
    tile('newUsers', 'New users', COLORS.new, s?.newUsers ?? null, s?.avgNewUsersPerDay ?? null),
    tile('returningUsers', 'Returning users', COLORS.returning, s?.returningUsers ?? null, s?.avgReturningUsersPerDay ?? null),
  );
}

function drawDaily(trend: Trend | null): void {
  handle.daily?.destroy();
  handle.daily = undefined;
  if (!trend) return;
  const line = (label: string, color: string, points: ReadonlyArray<{ users: number }> | null | undefined) =>
    points ? [{ label, data: points.map((p) => p.users), borderColor: color, backgroundColor: color, tension: 0.25, pointRadius: trend.range.days > 45 ? 0 : 2 }] : [];
  const chartConfig: ChartConfiguration<'line'> = {
    type: 'line',
    data: {
      labels: trend.series.uniqueUsers.map((p) => p.date),
      datasets: [
        ...line('Unique', COLORS.unique, trend.series.uniqueUsers),
        ...line('New', COLORS.new, trend.series.newUsers),
        ...line('Returning', COLORS.returning, trend.series.returningUsers),
      ],
    },
    options: { animation: false, maintainAspectRatio: false, interaction: { mode: 'index', intersect: false }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  };
  handle.daily = new Chart($<HTMLCanvasElement>('daily'), chartConfig);
}

function drawHeatmap(trend: Trend | null, withHourly: boolean): void {
  handle.heatmap?.destroy();
  handle.heatmap = undefined;
  const note = $('heatmap-note');
  note.hidden = withHourly || !trend;
  note.textContent = `Hourly buckets are available for ranges of up to ${config.maxRangeDaysHourly} days; pick a shorter range to see them.`;
  const buckets = trend?.hourly;
  if (!trend || !withHourly || !buckets) return;
  const days = trend.series.uniqueUsers.map((p) => p.date);
  const hours = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));
  const max = Math.max(1, ...buckets.map((b) => b.uniqueUsers));
  const data = buckets.map((b) => ({ x: b.date, y: hours[b.hour], v: b.uniqueUsers }));
  handle.heatmap = new Chart($<HTMLCanvasElement>('heatmap'), {
    type: 'matrix',
    data: {
      datasets: [
        {
          label: 'Unique users',
          data,
          backgroundColor: (ctx) => {
            const v = (ctx.raw as { v?: number } | undefined)?.v ?? 0;
            return `rgba(51, 102, 204, ${0.06 + 0.94 * (v / max)})`;
          },
          borderWidth: 0,
          width: ({ chart }) => Math.max(1, (chart.chartArea?.width ?? 0) / days.length - 1),
          height: ({ chart }) => Math.max(1, (chart.chartArea?.height ?? 0) / 24 - 1),
        },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: (items) => {
              const raw = items[0]?.raw as { x: string; y: string } | undefined;
              return raw ? `${raw.x}, ${raw.y}:00–${raw.y}:59` : '';
            },
            label: (item) => `${number.format((item.raw as { v: number }).v)} unique users`,
          },
        },
      },
      scales: {
        x: { type: 'category', labels: days, offset: true, grid: { display: false } },
        y: { type: 'category', labels: hours, offset: true, reverse: false, grid: { display: false }, title: { display: true, text: 'hour of day' } },
      },
    },
  });
}

// ---------------------------------------------------------------------------------------------

let generation = 0;

async function show(state: ExplorerState): Promise<void> {
  const mine = ++generation;
  handle.state = state;
  view.setAttribute('aria-busy', 'true');
  $('status').textContent = `Loading ${state.bot}, ${state.start} to ${state.end}…`;
  const days = daysIn(state.start, state.end);
  const withHourly = Number.isFinite(days) && days >= 1 && days <= config.maxRangeDaysHourly;
  const outcome = await ask(state, withHourly);
  if (mine !== generation) return; // a newer question was asked meanwhile
  view.removeAttribute('aria-busy');
  // Without numbers the chart panels stay out of the way of the error.
  view.toggleAttribute('data-empty', 'failure' in outcome || !outcome.trend);
  if ('failure' in outcome) {
    $('status').textContent = '';
    showError(outcome.failure);
    handle.trend = null;
    drawTiles(null);
    drawDaily(null);
    drawHeatmap(null, withHourly);
    return;
  }
  const { trend, errors } = outcome;
  handle.trend = trend;
  showError(errors[0] && plainError(errors[0], state.bot));
  $('status').textContent = trend ? `${trend.botId}: ${trend.range.start} to ${trend.range.end} (${trend.range.days} days) in ${state.timeZone}` : '';
  drawTiles(trend);
  drawDaily(trend);
  drawHeatmap(trend, withHourly);
}

function submit(push: boolean): void {
  const state = readState();
  sessionStorage.setItem('engagement-explorer-token', $<HTMLInputElement>('token').value.trim());
  const search = queryFromState(state);
  if (push && search !== location.search) history.pushState(null, '', search);
  else history.replaceState(null, '', search);
  showState(state);
  void show(state);
}

/** The view the address asks for (first demo bot and the browser's zone by default). */
const stateFromUrl = () => stateFromQuery(location.search, { bot: config.demoBots?.[0]?.id ?? '', timeZone: browserZone }, new Date());

function start(): void {
  fillChoices();
  const initial = stateFromUrl();
  showState(initial);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit(true);
  });
  // Presets and selects apply at once; typed fields on submit (Enter or the button).
  form.addEventListener('change', (event) => {
    const target = event.target as HTMLInputElement;
    if (target.name === 'preset' || target.tagName === 'SELECT') submit(true);
    else if (target.id === 'start' || target.id === 'end') {
      for (const radio of form.querySelectorAll<HTMLInputElement>('input[name=preset]')) radio.checked = radio.value === 'custom';
    }
  });
  window.addEventListener('popstate', () => {
    const state = stateFromUrl();
    showState(state);
    void show(state);
  });
  if (initial.bot) {
    history.replaceState(null, '', queryFromState(initial));
    void show(initial);
  }
}

start();
