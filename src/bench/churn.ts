import { BenchClient, nowUs } from './bench-client.js';
import { namePrefix, type Endpoint } from './clients.js';
import type { Progress } from './progress.js';
import { Histogram } from './stats.js';

export interface ChurnOptions {
  /** Concurrent workers, each running one session after another (1–1000). */
  workers: number;
  durationS: number;
  /** Milliseconds one session may take, connect to close. */
  sessionTimeoutMs: number;
}

export interface ChurnResult {
  scenario: 'churn';
  workers: number;
  durationS: number;
  sessions: number;
  failed: number;
  sessionsPerS: number;
  sessionP50Ms: number;
  sessionP99Ms: number;
  /** The first failure's reason, if any. */
  firstError: string | null;
}

/** Sessions one worker may run: a bound on the loop even if the server answers instantly. */
const MAX_SESSIONS_PER_WORKER = 10_000_000;

/** W workers each loop: connect, name, one message, `sair`, wait for the close. */
export async function runChurn(
  endpoint: Endpoint,
  o: ChurnOptions,
  progress: Progress,
): Promise<ChurnResult> {
  const prefix = namePrefix();
  const latency = new Histogram();
  let sessions = 0;
  let failed = 0;
  let firstError: string | null = null;
  const t0 = nowUs();
  const endUs = t0 + o.durationS * 1e6;
  const worker = async (w: number): Promise<void> => {
    for (let i = 0; i < MAX_SESSIONS_PER_WORKER && nowUs() < endUs; i++) {
      const start = nowUs();
      try {
        const c = await BenchClient.open({
          ...endpoint,
          index: w,
          name: `${prefix}-${w}-${i}`,
          joinTimeoutMs: o.sessionTimeoutMs,
        });
        c.writeLines(c.messageLine(`churn ${w} ${i}`));
        c.quit();
        const closed = await Promise.race([
          c.closed.then(() => true),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), o.sessionTimeoutMs).unref()),
        ]);
        if (!closed) {
          c.destroy();
          throw new Error(`the server did not close the session within ${o.sessionTimeoutMs} ms`);
        }
        sessions++;
        latency.record(nowUs() - start);
      } catch (err) {
        failed++;
        firstError ??= (err as Error).message;
      }
      progress.update(`churn: ${sessions} sessions, ${failed} failed`);
    }
  };
  await Promise.all(Array.from({ length: o.workers }, (_, w) => worker(w)));
  progress.done();
  const spanS = (nowUs() - t0) / 1e6;
  return {
    scenario: 'churn',
    workers: o.workers,
    durationS: o.durationS,
    sessions,
    failed,
    sessionsPerS: spanS > 0 ? sessions / spanS : 0,
    sessionP50Ms: latency.percentile(50) / 1000,
    sessionP99Ms: latency.percentile(99) / 1000,
    firstError,
  };
}
