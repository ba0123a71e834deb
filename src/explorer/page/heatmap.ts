import { Chart } from 'chart.js';
import './charts';
import { $, config, handle, type Trend } from './page';

/**
 * The hour-of-day × day heatmap of unique users, for ranges within the hourly cap. Like every draw,
 * it first destroys the chart it replaces (a canvas holds one Chart.js instance).
 */

const number = new Intl.NumberFormat(navigator.language);

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
