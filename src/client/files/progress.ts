import { formatBytes } from '../../protocol/format-bytes.js';
import { formatDuration } from './format-duration.js';

/** How one transfer is going: bytes done of total, since when, for a bar with rate and ETA. */
export interface Progress {
  direction: 'up' | 'down' | 'hash';
  name: string;
  done: number;
  total: number;
  /** Bytes done when this run of the transfer started (a resume does not count them in the rate). */
  startDone: number;
  startMs: number;
}

/** Bytes per second since the transfer (re)started; 0 before any time passed. */
export function rateOf(p: Progress, nowMs: number): number {
  const seconds = (nowMs - p.startMs) / 1000;
  return seconds > 0 ? (p.done - p.startDone) / seconds : 0;
}

/** `↑ relatorio.pdf [#####-----] 45% 1.0 MB/2.1 MB 3.2 MB/s ETA 0:02`, at most `width` wide. */
export function progressText(p: Progress, nowMs: number, barWidth = 10): string {
  const ratio = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
  const filled = Math.round(ratio * barWidth);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}`;
  const rate = rateOf(p, nowMs);
  const eta = rate > 0 ? (p.total - p.done) / rate : Infinity;
  const arrow = { up: '↑', down: '↓', hash: '#' }[p.direction];
  return (
    `${arrow} ${p.name} [${bar}] ${Math.floor(ratio * 100)}% ` +
    `${formatBytes(p.done)}/${formatBytes(p.total)} ${formatBytes(Math.round(rate))}/s ETA ${formatDuration(eta)}`
  );
}

/** Calls `draw` at most every `intervalMs` (the last call always lands), for progress redraws. */
export function throttle(draw: () => void, intervalMs = 250): { poke(): void; flush(): void } {
  let last = 0;
  let timer: NodeJS.Timeout | null = null;
  const run = () => {
    timer = null;
    last = Date.now();
    draw();
  };
  return {
    poke() {
      if (timer) return;
      const wait = last + intervalMs - Date.now();
      if (wait <= 0) run();
      else timer = setTimeout(run, wait);
    },
    flush() {
      if (timer) clearTimeout(timer);
      run();
    },
  };
}
