import type { FanoutResult, TrialResult } from './fanout.js';

/** One line on a chart: points in data units. */
export interface Series {
  name: string;
  points: Array<[number, number]>;
  color: string;
  dashed?: boolean;
}

export interface Tick {
  value: number;
  label: string;
}

/** A chart panel: axes, ticks, series, a legend. */
export interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  xTicks: Tick[];
  yTicks: Tick[];
  xMax: number;
  yMax: number;
  series: Series[];
}

const WIDTH = 760;
const PANEL_HEIGHT = 300;
const MARGIN = { left: 80, right: 170, top: 40, bottom: 50 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/\.?0+$/, '');
}

/** Renders one panel at vertical offset `top`. */
function renderPanel(p: Panel, top: number): string {
  const x0 = MARGIN.left;
  const y0 = top + MARGIN.top;
  const w = WIDTH - MARGIN.left - MARGIN.right;
  const h = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (v: number) => x0 + (p.xMax > 0 ? (v / p.xMax) * w : 0);
  const sy = (v: number) => y0 + h - (p.yMax > 0 ? (Math.min(v, p.yMax) / p.yMax) * h : 0);
  const out: string[] = [];
  out.push(`<text x="${x0}" y="${top + 24}" font-size="15" font-weight="bold">${esc(p.title)}</text>`);
  out.push(`<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#999"/>`);
  for (const t of p.yTicks.filter((t) => t.value <= p.yMax * 1.0001)) {
    const y = sy(t.value).toFixed(1);
    out.push(`<line x1="${x0}" x2="${x0 + w}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    out.push(
      `<text x="${x0 - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(t.label)}</text>`,
    );
  }
  for (const t of p.xTicks.filter((t) => t.value <= p.xMax * 1.0001)) {
    const x = sx(t.value).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="${y0}" y2="${y0 + h}" stroke="#eee"/>`);
    out.push(`<text x="${x}" y="${y0 + h + 16}" text-anchor="middle">${esc(t.label)}</text>`);
  }
  out.push(`<text x="${x0 + w / 2}" y="${y0 + h + 38}" text-anchor="middle">${esc(p.xLabel)}</text>`);
  out.push(
    `<text x="${x0 - 62}" y="${y0 + h / 2}" text-anchor="middle" transform="rotate(-90 ${x0 - 62} ${y0 + h / 2})">${esc(p.yLabel)}</text>`,
  );
  p.series.forEach((s, i) => {
    const pts = s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    for (const [x, y] of s.points) {
      out.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
    }
    const ly = y0 + 8 + i * 18;
    out.push(
      `<line x1="${x0 + w + 12}" x2="${x0 + w + 32}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`,
    );
    out.push(`<text x="${x0 + w + 38}" y="${ly}" dominant-baseline="middle">${esc(s.name)}</text>`);
  });
  return out.join('\n');
}

/** A whole SVG document of panels stacked vertically. */
export function renderSvg(title: string, panels: Panel[]): string {
  const height = 36 + panels.length * PANEL_HEIGHT;
  const body = panels.map((p, i) => renderPanel(p, 36 + i * PANEL_HEIGHT)).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${esc(title)}</text>`,
    body,
    '</svg>',
    '',
  ].join('\n');
}

/** Ticks at 1, 2 or 5 × 10^k, about `count` of them from 0 to past `max`. */
export function niceTicks(max: number, count = 5, label: (v: number) => string = fmt): Tick[] {
  if (!(max > 0)) return [{ value: 0, label: label(0) }];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: Tick[] = [];
  for (let v = 0; ticks.length < 50; v += step) {
    ticks.push({ value: v, label: label(v) });
    if (v >= max * 0.9999) break;
  }
  return ticks;
}

/** The x position of percentile p on a "nines" axis: p50 at 0.3, p90 at 1, p99 at 2, p99.9 at 3. */
export function ninesX(p: number): number {
  return -Math.log10(Math.max(1e-6, 1 - p / 100));
}

function shortRate(v: number): string {
  if (v >= 1e6) return `${fmt(v / 1e6)}M`;
  if (v >= 1e3) return `${fmt(v / 1e3)}k`;
  return fmt(v);
}

/** The latency percentile curve of some trials (at most 8, spread over the run). */
export function latencyPanel(trials: TrialResult[], title: string): Panel {
  const step = Math.max(1, Math.ceil(trials.length / 8));
  const chosen = trials.filter((_, i) => i % step === 0 || i === trials.length - 1).slice(-8);
  const series: Series[] = chosen.map((t, i) => ({
    name: `${shortRate(t.rate)} msgs/s${t.pass ? '' : ' (fail)'}`,
    color: COLORS[i % COLORS.length] as string,
    dashed: !t.pass,
    points: t.curve.filter((c) => c.p < 100 && c.p >= 50).map((c) => [ninesX(c.p), c.us / 1000]),
  }));
  const xMax = 5;
  const yMax = Math.max(1, ...series.flatMap((s) => s.points.map(([, y]) => y)));
  const labels = ['p0', 'p90', 'p99', 'p99.9', 'p99.99', 'p99.999'];
  return {
    title,
    xLabel: 'percentile',
    yLabel: 'latency (ms)',
    xTicks: [
      { value: ninesX(50), label: 'p50' },
      ...labels.slice(1).map((label, i) => ({ value: i + 1, label })),
    ],
    yTicks: niceTicks(yMax),
    xMax,
    yMax: niceTicks(yMax).at(-1)?.value ?? yMax,
    series,
  };
}

/** The SVG for a fanout run: the latency curves and, for find-max, rate and p99 vs offered. */
export function fanoutSvg(result: FanoutResult, label: string): string {
  const title = `papo bench fanout: ${label} (N=${result.clients}, S=${result.senders})`;
  const panels: Panel[] = [latencyPanel(result.trials, 'Latency by percentile')];
  if (result.trials.length > 1) {
    const sorted = [...result.trials].sort((a, b) => a.rate - b.rate);
    const fan = result.clients - 1;
    const xMax = niceTicks(sorted.at(-1)?.rate ?? 1).at(-1)?.value ?? 1;
    const yMaxRate = Math.max(...sorted.map((t) => t.rate * fan));
    const rateTicks = niceTicks(yMaxRate, 5, shortRate);
    panels.push({
      title: 'Delivered vs offered rate',
      xLabel: 'offered rate (msgs/s)',
      yLabel: 'deliveries/s',
      xTicks: niceTicks(xMax, 5, shortRate),
      yTicks: rateTicks,
      xMax,
      yMax: rateTicks.at(-1)?.value ?? yMaxRate,
      series: [
        {
          name: 'delivered',
          color: COLORS[0] as string,
          points: sorted.map((t) => [t.rate, t.deliveredPerS]),
        },
        {
          name: 'offered × (N−1)',
          color: '#999',
          dashed: true,
          points: sorted.map((t) => [t.rate, t.rate * fan]),
        },
      ],
    });
    const p99Max = Math.max(100, ...sorted.map((t) => t.p99Us / 1000));
    const msTicks = niceTicks(Math.min(p99Max, 1000));
    panels.push({
      title: 'p99 latency vs offered rate',
      xLabel: 'offered rate (msgs/s)',
      yLabel: 'p99 (ms, capped at the top)',
      xTicks: niceTicks(xMax, 5, shortRate),
      yTicks: msTicks,
      xMax,
      yMax: msTicks.at(-1)?.value ?? 100,
      series: [
        { name: 'p99', color: COLORS[1] as string, points: sorted.map((t) => [t.rate, t.p99Us / 1000]) },
        {
          name: '100 ms limit',
          color: '#999',
          dashed: true,
          points: [
            [0, 100],
            [xMax, 100],
          ],
        },
      ],
    });
  }
  return renderSvg(title, panels);
}
