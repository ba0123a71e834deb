import {
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { MatrixController, MatrixElement } from 'chartjs-chart-matrix';
import { $, config, handle, type Trend } from './page';

/**
 * Drawing an answer: the three summary tiles, the daily line chart and the hourly heatmap. Each
 * draw first destroys the chart it replaces (a canvas holds one Chart.js instance) and, given no
 * trend, leaves its panel empty. The drawn charts are kept on `handle` for tests and devtools.
 */

Chart.register(
  LineController,
  LineElement,
  PointElement,
  BarElement,
  CategoryScale,
  LinearScale,
  Tooltip,
  Legend,
  MatrixController,
  MatrixElement,
);

const COLORS = { unique: '#3366cc', new: '#2e9e6b', returning: '#d9822b' };
const number = new Intl.NumberFormat(navigator.language);
const average = new Intl.NumberFormat(navigator.language, { maximumFractionDigits: 1 });

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

export function drawTiles(trend: Trend | null): void {
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

export function drawDaily(trend: Trend | null): void {
  handle.daily?.destroy();
  handle.daily = undefined;
  if (!trend) return;
  const line = (label: string, color: string, points: ReadonlyArray<{ users: number }> | null | undefined) =>
    points
      ? [
          {
            label,
            data: points.map((p) => p.users),
            borderColor: color,
            backgroundColor: color,
            tension: 0.25,
            pointRadius: trend.range.days > 45 ? 0 : 2,
          },
        ]
      : [];
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
    options: {
      animation: false,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  };
  handle.daily = new Chart($<HTMLCanvasElement>('daily'), chartConfig);
}

export function drawHeatmap(trend: Trend | null, withHourly: boolean): void {
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
        y: {
          type: 'category',
          labels: hours,
          offset: true,
          reverse: false,
          grid: { display: false },
          title: { display: true, text: 'hour of day' },
        },
      },
    },
  });
}
