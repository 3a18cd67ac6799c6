/**
 * What one message costs the history worker, in CPU time: decodes journal batches the size the
 * event loop posts at fan-out rates, commits them and indexes them, as the worker does, on this
 * thread, and prints microseconds per message for each step.
 *
 *   node --import tsx bench/history-worker-cost.ts [messages=300000] [batch=3000]
 *
 * The texts are like the C load generator's (a sequence number and a time: every word new to
 * the full-text index, its worst case). Writes a throw-away database under the system temp dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistoryDb } from '../src/store/history-db.js';
import { decodeJournal, encodeRecord } from '../src/store/journal-codec.js';

const [count = '300000', size = '3000'] = process.argv.slice(2);
const MESSAGES = Number(count);
const BATCH = Number(size);
const dir = mkdtempSync(join(tmpdir(), 'papo-worker-cost-'));
const db = HistoryDb.open(join(dir, 'papo.db'), { journalFiles: [], defaultRoom: '#geral' });
const spent = { decode: 0, commit: 0, index: 0 };
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
let id = 1;
for (let b = 0; b < MESSAGES / BATCH; b++) {
  const lines: string[] = [];
  for (let i = 0; i < BATCH; i++, id++) {
    const text = `${id} ${Date.now()} bench`;
    lines.push(
      encodeRecord({ id, ts: Date.now(), type: 'message', from: `s${id % 4}`, text, room: '#geral' }),
    );
  }
  let at = cpuMs();
  const { records, rooms } = decodeJournal(`${lines.join('\n')}\n`);
  spent.decode += cpuMs() - at;
  at = cpuMs();
  db.commit(records, rooms, 0);
  spent.commit += cpuMs() - at;
  at = cpuMs();
  while (db.index());
  spent.index += cpuMs() - at;
}
db.close();
rmSync(dir, { recursive: true, force: true });
const perMessage = (ms: number) => ((ms * 1000) / MESSAGES).toFixed(2);
const total = spent.decode + spent.commit + spent.index;
console.log(`${MESSAGES} messages in batches of ${BATCH}, CPU µs per message:`);
for (const [step, ms] of Object.entries(spent)) console.log(`  ${step.padEnd(7)} ${perMessage(ms)}`);
console.log(`  total   ${perMessage(total)}`);
