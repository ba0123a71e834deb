import { $, type Budget, type Trend } from './page';
import { budgetText, changeText, freshnessText, previousPeriodWords, stickinessText } from './words';
import type { ChangeFiguresFragment } from './generated';

/**
 * The summary tiles (each figure with its change against the previous period) and, under them, the
 * activity figures. Every number shown is also on the element as `data-*`, exactly as the API gave
 * it, so tests compare the page with the API without parsing formatted text.
 */

export const COLORS = { unique: '#3366cc', new: '#2e9e6b', returning: '#d9822b' };
const locale = navigator.language;
const number = new Intl.NumberFormat(locale);
const average = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
const dayFormat = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' });

function changeLine(change: ChangeFiguresFragment | undefined, previousDays: number): HTMLElement {
  const el = document.createElement('div');
  el.className = 'change';
  if (!change) {
    el.textContent = 'no comparison';
    return el;
  }
  const text = changeText(change, previousDays, locale);
  el.dataset.direction = text.direction;
  el.dataset.absolute = String(change.absolute);
  el.dataset.previous = String(change.previous);
  if (change.relative !== null) el.dataset.relative = String(change.relative);
  // The arrow and percent are for the eye; screen readers get the sentence instead.
  const shown = document.createElement('span');
  shown.className = 'short';
  shown.setAttribute('aria-hidden', 'true');
  shown.textContent = text.short;
  const spoken = document.createElement('span');
  spoken.className = 'visually-hidden';
  spoken.textContent = text.words;
  el.title = `${text.words} (${number.format(change.previous)} then)`;
  el.append(shown, spoken);
  return el;
}

function tile(
  key: string,
  label: string,
  color: string,
  value: number | null,
  perDay: number | null,
  change: ChangeFiguresFragment | undefined,
  previousDays: number,
): HTMLElement {
  const el = document.createElement('div');
  el.className = 'tile';
  el.dataset.tile = key;
  el.style.setProperty('--c', color);
  el.innerHTML = '<div class="label"></div><div class="value"></div><div class="avg"></div>';
  el.querySelector('.label')!.textContent = label;
  const valueEl = el.querySelector<HTMLElement>('.value')!;
  valueEl.textContent = value === null ? '—' : number.format(value);
  if (value !== null) valueEl.dataset.value = String(value);
  const avgEl = el.querySelector<HTMLElement>('.avg')!;
  avgEl.textContent = perDay === null ? 'not available from this Kore.ai API' : `${average.format(perDay)} a day on average`;
  if (perDay !== null) avgEl.dataset.value = String(perDay);
  el.insertBefore(changeLine(change, previousDays), avgEl);
  return el;
}

export function drawTiles(trend: Trend | null): void {
  const tiles = $('tiles');
  tiles.replaceChildren();
  if (!trend) return;
  const s = trend.summary;
  const c = trend.change;
  // PREVIOUS_PERIOD has as many days as the range itself.
  const days = trend.compare?.range.days ?? trend.range.days;
  tiles.append(
    tile('uniqueUsers', 'Unique users', COLORS.unique, s?.uniqueUsers ?? null, s?.avgUniqueUsersPerDay ?? null, c?.uniqueUsers, days),
    tile('newUsers', 'New users', COLORS.new, s?.newUsers ?? null, s?.avgNewUsersPerDay ?? null, c?.newUsers, days),
    tile(
      'returningUsers',
      'Returning users',
      COLORS.returning,
      s?.returningUsers ?? null,
      s?.avgReturningUsersPerDay ?? null,
      c?.returningUsers,
      days,
    ),
  );
  $('compared').textContent = trend.compare
    ? `Changes are against ${previousPeriodWords(days)}, ${trend.compare.range.start} to ${trend.compare.range.end}.`
    : '';
}

/**
 * "as of 14:05 (3 min ago)" under the tiles: `asOf` in this browser's time, the age as the API
 * counted it. Stale numbers get a visible mark (for the eye) and a sentence (for screen readers),
 * and the tiles are marked too. The API's values are on the element as `data-*`.
 */
export function drawFreshness(trend: Trend | null): void {
  const el = $('freshness');
  const f = trend?.freshness;
  el.replaceChildren();
  $('tiles').toggleAttribute('data-stale', f?.stale === true);
  for (const key of ['asOf', 'ageSeconds', 'stale', 'source']) delete el.dataset[key];
  if (!f) return;
  // DateTime is an ISO 8601 string on the wire; codegen types the scalar as unknown.
  const asOf = String(f.asOf);
  Object.assign(el.dataset, { asOf, ageSeconds: String(f.ageSeconds), stale: String(f.stale), source: f.source });
  const text = freshnessText({ ...f, asOf }, locale);
  const shown = document.createElement('span');
  shown.className = 'as-of';
  shown.textContent = text.shown;
  el.append(shown);
  if (!f.stale) return;
  const mark = document.createElement('span');
  mark.className = 'stale-mark';
  mark.setAttribute('aria-hidden', 'true');
  mark.textContent = '⚠ stale';
  const words = document.createElement('span');
  words.className = 'visually-hidden';
  words.textContent = text.staleWords;
  el.append(' ', mark, words);
}

/**
 * "Budget this minute: 12 of 50 calls used, resets in 41 s" next to the freshness line, from the
 * same answer as the tiles (`bot.upstreamBudget`). Nothing when the API gave no budget (the bot or
 * its budget failed or was refused). The API's numbers are on the element as `data-*`.
 */
export function drawBudget(budget: Budget | null): void {
  const el = $('budget');
  for (const key of ['limit', 'used', 'resetsInSeconds', 'queued', 'callerLeft']) delete el.dataset[key];
  el.textContent = '';
  if (!budget) return;
  const { limit, used, resetsInSeconds } = budget.minute;
  Object.assign(el.dataset, {
    limit: String(limit),
    used: String(used),
    resetsInSeconds: String(resetsInSeconds),
    queued: String(budget.queued),
    callerLeft: String(budget.callerLeft),
  });
  el.textContent = budgetText(budget, locale);
}

function figure(key: string, label: string, text: string, value: number | null | undefined, note = ''): HTMLElement {
  const el = document.createElement('div');
  el.className = 'figure';
  el.dataset.activity = key;
  el.innerHTML = '<span class="label"></span> <span class="value"></span> <span class="note"></span>';
  el.querySelector('.label')!.textContent = label;
  const valueEl = el.querySelector<HTMLElement>('.value')!;
  valueEl.textContent = text;
  if (value !== null && value !== undefined) valueEl.dataset.value = String(value);
  el.querySelector('.note')!.textContent = note;
  return el;
}

export function drawActivity(trend: Trend | null): void {
  const box = $('activity');
  box.replaceChildren();
  const a = trend?.activity;
  if (!a) return;
  const peak = a.peakDay;
  box.append(
    figure('averageDailyUsers', 'Average daily users', average.format(a.averageDailyUsers), a.averageDailyUsers),
    figure('stickiness', 'Stickiness', stickinessText(a.stickiness, locale), a.stickiness, '(average daily ÷ unique users)'),
    figure(
      'peakDay',
      'Peak day',
      peak ? dayFormat.format(new Date(`${peak.date}T00:00:00Z`)) : '—',
      peak?.users,
      peak ? `(${number.format(peak.users)} unique users)` : '',
    ),
  );
  if (peak) box.querySelector<HTMLElement>('[data-activity=peakDay]')!.dataset.date = peak.date;
}
