import { ask } from './api';
import { drawDaily, drawHeatmap, drawTiles } from './charts';
import { plainError, type PlainError } from './messages';
import { $, browserZone, config, handle } from './page';
import { daysIn, presetRange, queryFromState, stateFromQuery, type ExplorerState, type Preset } from './state';

/**
 * The form and the address bar: controls <-> state <-> URL, the error box, and asking for a view
 * and drawing it. Only the latest question is drawn: answers to older ones are dropped.
 */

const form = $<HTMLFormElement>('controls');
const view = $('view');

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
  const range =
    preset === 'custom'
      ? { start: $<HTMLInputElement>('start').value, end: $<HTMLInputElement>('end').value }
      : presetRange(preset, timeZone, new Date());
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

let generation = 0;

async function show(state: ExplorerState): Promise<void> {
  const mine = ++generation;
  handle.state = state;
  view.setAttribute('aria-busy', 'true');
  $('status').textContent = `Loading ${state.bot}, ${state.start} to ${state.end}…`;
  const days = daysIn(state.start, state.end);
  const withHourly = Number.isFinite(days) && days >= 1 && days <= config.maxRangeDaysHourly;
  const outcome = await ask(state, withHourly, $<HTMLInputElement>('token').value.trim());
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
  $('status').textContent = trend
    ? `${trend.botId}: ${trend.range.start} to ${trend.range.end} (${trend.range.days} days) in ${state.timeZone}`
    : '';
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

export function start(): void {
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
