import {
  BarController,
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
import { $, handle, type Trend } from './page';
import { COLORS } from './tiles';
import { periodLabel, previousPeriodWords } from './words';

/**
 * The daily line chart (with the previous period dashed) and the calendar periods bar chart. Each
 * draw first destroys the chart it replaces (a canvas holds one Chart.js instance) and, given no
 * trend, leaves its panel empty. The drawn charts are kept on `handle` for tests and devtools.
 */

Chart.register(
  LineController,
  LineElement,
  PointElement,
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  Tooltip,
  Legend,
  MatrixController,
  MatrixElement,
);

const locale = navigator.language;
const number = new Intl.NumberFormat(locale);

export function drawDaily(trend: Trend | null): void {
  handle.daily?.destroy();
  handle.daily = undefined;
  if (!trend) return;
  const pointRadius = trend.range.days > 45 ? 0 : 2;
  const line = (label: string, color: string, points: ReadonlyArray<{ users: number }> | null | undefined) =>
    points ? [{ label, data: points.map((p) => p.users), borderColor: color, backgroundColor: color, tension: 0.25, pointRadius }] : [];
  // The previous period is plotted by position: its day i under the range's day i (both have as
  // many days), so the x axis keeps the range's dates and the tooltip names the previous day.
  const previous = trend.compare?.series.uniqueUsers;
  const previousLabel = trend.compare ? `Unique, ${previousPeriodWords(trend.compare.range.days)} (day by day, dashed)` : '';
  const chartConfig: ChartConfiguration<'line'> = {
    type: 'line',
    data: {
      labels: trend.series.uniqueUsers.map((p) => p.date),
      datasets: [
        ...line('Unique', COLORS.unique, trend.series.uniqueUsers),
        ...line('New', COLORS.new, trend.series.newUsers),
        ...line('Returning', COLORS.returning, trend.series.returningUsers),
        ...line(previousLabel, COLORS.unique, previous).map((d) => ({ ...d, borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0 })),
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      plugins: {
        tooltip: {
          callbacks: {
            label: (item) =>
              item.datasetIndex === 3 && previous
                ? `${previous[item.dataIndex]?.date ?? ''}: ${number.format(item.parsed.y ?? 0)} unique`
                : `${item.dataset.label ?? ''}: ${number.format(item.parsed.y ?? 0)}`,
          },
        },
      },
    },
  };
  handle.daily = new Chart($<HTMLCanvasElement>('daily'), chartConfig);
}

/** Bars of unique users per calendar week or month; partial (clipped) periods lighter and labelled. */
export function drawPeriods(trend: Trend | null, unit: 'WEEK' | 'MONTH'): void {
  handle.periods?.destroy();
  handle.periods = undefined;
  if (!trend) return;
  const periods = trend.periods;
  const color = (complete: boolean) => (complete ? COLORS.unique : 'rgba(51, 102, 204, 0.35)');
  handle.periods = new Chart($<HTMLCanvasElement>('periods'), {
    type: 'bar',
    data: {
      labels: periods.map((p) => periodLabel(p, unit, locale)),
      datasets: [
        {
          label: unit === 'WEEK' ? 'Unique users per week' : 'Unique users per month',
          // A period whose call failed has no summary: no bar, and the error box says why.
          data: periods.map((p) => p.summary?.uniqueUsers ?? null),
          backgroundColor: periods.map((p) => color(p.complete)),
          borderColor: COLORS.unique,
          borderWidth: periods.map((p) => (p.complete ? 0 : 1)),
        },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: (items) => {
              const p = periods[items[0]?.dataIndex ?? 0];
              return p ? `${p.range.start} to ${p.range.end}${p.complete ? '' : ' (partial)'}` : '';
            },
            label: (item) => `${number.format(item.parsed.y ?? 0)} unique users`,
          },
        },
      },
    },
  });
}
