/**
 * What one event costs Redis in cluster mode: runs the sequencer script (INCR, XADD MAXLEN ~,
 * PUBLISH) EVENTS times in pipelines of BATCH, with SUBSCRIBERS nodes subscribed, and reads
 * Redis's own CPU accounting (INFO commandstats: usec per call of the script).
 *
 *   node --import tsx bench/cluster-bus-cost.ts redis://127.0.0.1:6379 [subscribers] [events]
 *
 * Use a throw-away Redis: it writes keys under `papo-bench:`.
 */
import { Redis } from 'ioredis';
import { clusterKeys } from '../src/cluster/keys.js';
import { PUBLISH } from '../src/cluster/scripts.js';

const [url = 'redis://127.0.0.1:6379', subs = '2', count = '100000'] = process.argv.slice(2);
const SUBSCRIBERS = Number(subs);
const EVENTS = Number(count);
const BATCH = 100;
const k = clusterKeys('papo-bench:');
const cmd = new Redis(url);
const subscribers = Array.from({ length: SUBSCRIBERS }, () => new Redis(url));
let received = 0;
for (const s of subscribers) {
  await s.subscribe(k.channel);
  s.on('message', () => received++);
}
const sha = (await cmd.script('LOAD', PUBLISH)) as string;
await cmd.config('RESETSTAT');
const payload = JSON.stringify({
  e: { type: 'message', room: '#geral', from: 'bench', text: 'x'.repeat(60), ts: Date.now() },
  o: { node: 'bench', session: 1, ref: 'r1' },
});
const started = process.hrtime.bigint();
for (let sent = 0; sent < EVENTS; sent += BATCH) {
  const p = cmd.pipeline();
  for (let i = 0; i < BATCH; i++) {
    p.evalsha(sha, 3, k.seq, k.log, k.members, payload, 100_000, k.channel, 'message', 'bench');
  }
  await p.exec();
}
while (received < EVENTS * SUBSCRIBERS) await new Promise((r) => setTimeout(r, 10));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const stats = (await cmd.info('commandstats')).split('\n').find((l) => l.startsWith('cmdstat_evalsha'));
const usec = Number(/usec_per_call=([\d.]+)/.exec(stats ?? '')?.[1]);
console.log(
  JSON.stringify({
    events: EVENTS,
    subscribers: SUBSCRIBERS,
    seconds: Number(seconds.toFixed(2)),
    eventsPerS: Math.round(EVENTS / seconds),
    redisUsecPerEvent: usec,
  }),
);
await cmd.del(k.seq, k.log);
cmd.disconnect();
for (const s of subscribers) s.disconnect();
