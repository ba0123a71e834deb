import { ask } from './api';
import { drawDaily, drawPeriods } from './charts';
import { drawHeatmap } from './heatmap';
import { plainError, viewError, type PlainError } from './messages';
import { $, browserZone, config, handle } from './page';
import { armLive, LIVE_INTERVAL_MS, stopLive } from './live';
import { drawActivity, drawBudget, drawFreshness, drawTiles } from './tiles';
import { hourlyFits, queryFromState, stateFromQuery, UNITS, type ExplorerState, type Preset } from './state';

/**
 * The form and the address bar: controls <-> state <-> URL, the error box, and asking for a view
 * and drawing it. Only the latest question is drawn: answers to older ones are dropped.
 */

const form = $<HTMLFormElement>('controls');
const view = $('view');
const unitRadios = () => document.querySelectorAll<HTMLInputElement>('input[name=unit]');

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
  $<HTMLSelectElement>('preset').value = state.preset;
  // A preset's dates are the API's to say: they are filled in when its answer arrives.
  $<HTMLInputElement>('start').value = state.start;
  $<HTMLInputElement>('end').value = state.end;
  $<HTMLInputElement>('timeZone').value = state.timeZone;
  $<HTMLInputElement>('channel').value = state.channel;
  $<HTMLSelectElement>('conversationType').value = state.conversationType;
  $<HTMLSelectElement>('conversationStatus').value = state.conversationStatus;
  for (const radio of unitRadios()) radio.checked = radio.value === state.unit;
  $<HTMLInputElement>('live').checked = state.live;
}

function readState(): ExplorerState {
  const preset = ($<HTMLSelectElement>('preset').value || 'LAST_30_DAYS') as Preset;
  const custom = preset === 'custom';
  const unit = [...unitRadios()].find((r) => r.checked)?.value;
  return {
    bot: $<HTMLInputElement>('bot').value.trim(),
    preset,
    start: custom ? $<HTMLInputElement>('start').value : '',
    end: custom ? $<HTMLInputElement>('end').value : '',
    timeZone: $<HTMLInputElement>('timeZone').value.trim() || browserZone,
    channel: $<HTMLInputElement>('channel').value.trim(),
    conversationType: $<HTMLSelectElement>('conversationType').value as ExplorerState['conversationType'],
    conversationStatus: $<HTMLSelectElement>('conversationStatus').value as ExplorerState['conversationStatus'],
    unit: UNITS.find((u) => u === unit) ?? 'WEEK',
    live: $<HTMLInputElement>('live').checked,
  };
}

function showError(error: PlainError | undefined): void {
  const box = $('error');
  for (const el of document.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  box.hidden = !error;
  if (!error) return;
  box.querySelector('h2')!.textContent = error.title;
  box.querySelector('p')!.textContent = error.detail;
  box.dataset.field = error.field ?? '';
  const targets = error.field === 'dates' ? ['preset', 'start', 'end'] : error.field ? [error.field] : [];
  for (const id of targets) $(id)?.setAttribute('aria-invalid', 'true');
}

function draw(trend: Parameters<typeof drawTiles>[0], state: ExplorerState, withHourly: boolean): void {
  drawTiles(trend);
  drawFreshness(trend);
  drawActivity(trend);
  drawDaily(trend);
  drawPeriods(trend, state.unit);
  drawHeatmap(trend, withHourly);
}

let generation = 0;

async function show(state: ExplorerState): Promise<void> {
  const mine = ++generation;
  stopLive(handle);
  handle.state = state;
  view.setAttribute('aria-busy', 'true');
  const asked = state.preset === 'custom' ? `${state.start} to ${state.end}` : $<HTMLSelectElement>('preset').selectedOptions[0]?.text;
  $('status').textContent = `Loading ${state.bot}, ${asked ?? state.preset}…`;
  const withHourly = hourlyFits(state, config.maxRangeDaysHourly);
  const outcome = await ask(state, withHourly, $<HTMLInputElement>('token').value.trim());
  if (mine !== generation) return; // a newer question was asked meanwhile
  view.removeAttribute('aria-busy');
  // The next timed reload counts from this answer (live.ts): never sooner than the interval.
  armLive(state.live, () => void show(state), handle);
  // Without numbers the chart panels stay out of the way of the error.
  view.toggleAttribute('data-empty', 'failure' in outcome || !outcome.trend);
  if ('failure' in outcome) {
    $('status').textContent = '';
    showError(outcome.failure);
    handle.trend = null;
    draw(null, state, withHourly);
    drawBudget(null);
    return;
  }
  const { trend, budget, errors } = outcome;
  handle.trend = trend;
  const error = viewError(errors);
  showError(error && plainError(error, state.bot));
  $('status').textContent = trend
    ? `${trend.botId}: ${trend.range.start} to ${trend.range.end} (${trend.range.days} days) in ${state.timeZone}`
    : '';
  if (trend && state.preset !== 'custom') {
    // The dates the API resolved the preset to: shown, and the start of a custom range if one is typed.
    $<HTMLInputElement>('start').value = trend.range.start;
    $<HTMLInputElement>('end').value = trend.range.end;
  }
  draw(trend, state, withHourly);
  drawBudget(budget);
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
const stateFromUrl = () => stateFromQuery(location.search, { bot: config.demoBots?.[0]?.id ?? '', timeZone: browserZone });

export function start(): void {
  Object.defineProperty(handle, 'liveIntervalMs', { value: LIVE_INTERVAL_MS, writable: false, enumerable: true });
  fillChoices();
  const initial = stateFromUrl();
  showState(initial);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit(true);
  });
  // Presets and selects apply at once; typed fields on submit (Enter or the button).
  form.addEventListener('change', (event) => {
    const target = event.target as HTMLElement;
    if (target.tagName === 'SELECT') submit(true);
    else if (target.id === 'live') submit(false);
    else if (target.id === 'start' || target.id === 'end') $<HTMLSelectElement>('preset').value = 'custom';
  });
  // The periods toggle sits on its chart, outside the form; it is part of the view all the same.
  for (const radio of unitRadios()) radio.addEventListener('change', () => submit(true));
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
