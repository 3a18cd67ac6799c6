/**
 * Do logins stall the chat? (issue #15, "Speed"). Runs `papo server` (the built CLI) with 100
 * registered accounts (real scrypt, N=2^17), then a fan-out at a fixed rate: one sender, R
 * readers, each message timestamped; p50/p99 of send→receive latency over the run. Twice: alone,
 * and with 100 password logins hashing at once, again and again, for the whole run.
 *
 *   npm run build && node --import tsx bench/login-storm.ts [--readers 50] [--rate 200] [--seconds 10]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SqliteAccounts } from '../src/store/sqlite-accounts.js';

const { values } = parseArgs({
  options: {
    readers: { type: 'string', default: '50' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '10' },
    logins: { type: 'string', default: '100' },
  },
});
const READERS = Number(values.readers);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const LOGINS = Number(values.logins);
const CLI = new URL('../dist/cli.js', import.meta.url).pathname;

interface Lines {
  socket: Socket;
  onLine(fn: (line: string) => void): void;
}

async function dial(port: number): Promise<Lines> {
  const socket = connect({ port, host: '127.0.0.1' });
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.setNoDelay(true);
  let buf = '';
  const fns: Array<(l: string) => void> = [];
  socket.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      for (const f of fns) f(line);
    }
  });
  socket.on('error', () => {});
  return { socket, onLine: (f) => fns.push(f) };
}

async function joinJson(port: number, name: string, password?: string): Promise<Lines> {
  const c = await dial(port);
  const welcomed = new Promise<void>((resolve, reject) =>
    c.onLine((l) => {
      if (l.includes('"type":"welcome"')) resolve();
      else if (l.includes('"type":"error"')) reject(new Error(l));
    }),
  );
  c.socket.write(
    JSON.stringify({ type: 'hello', version: 2, name, ...(password ? { password } : {}) }) + '\n',
  );
  await welcomed;
  return c;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function run(
  port: number,
  withLogins: boolean,
): Promise<{ p50: number; p99: number; n: number; logins: number }> {
  const readers = await Promise.all(
    Array.from({ length: READERS }, (_, i) => joinJson(port, `r${i}-${withLogins}`)),
  );
  const sender = await joinJson(port, `sender-${withLogins}`);
  const latencies: number[] = [];
  for (const r of readers)
    r.onLine((l) => {
      const m = /"text":"t(\d+\.\d+)"/.exec(l);
      if (m) latencies.push(performance.now() - Number(m[1]));
    });
  let logins = 0;
  let storming = withLogins;
  const storm = async () => {
    while (storming) {
      // 100 logins at once, each a real scrypt verification; then again.
      await Promise.all(
        Array.from({ length: LOGINS }, async (_, i) => {
          const c = await joinJson(port, `acct${i}`, `password-${i}`);
          logins++;
          c.socket.destroy();
        }),
      ).catch(() => undefined);
    }
  };
  const stormDone = storm();
  const total = RATE * SECONDS;
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sender.socket.write(JSON.stringify({ type: 'say', text: `t${performance.now().toFixed(3)}` }) + '\n');
  }
  await new Promise((r) => setTimeout(r, 1000));
  storming = false;
  await stormDone;
  for (const c of [...readers, sender]) c.socket.destroy();
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), n: latencies.length, logins };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'papo-login-storm-'));
  const accounts = new SqliteAccounts(join(dir, 'accounts.db'));
  for (let i = 0; i < LOGINS; i++) {
    const name = `acct${i}`;
    await new Promise<void>((resolve, reject) =>
      accounts.register(
        { key: name, name, skeleton: name, created: Date.now(), password: `password-${i}` },
        (r) => (r instanceof Error ? reject(r) : resolve()),
      ),
    );
  }
  accounts.close();
  const server = spawn(
    process.execPath,
    [
      CLI,
      'server',
      '--port',
      '0',
      '--data-dir',
      dir,
      '--no-history',
      '--no-web',
      '--flood-rate',
      '0',
      '--max-per-ip',
      '0',
      '--busy-room',
      '0',
      '--log-level',
      'error',
      '--reserved-names',
      '/dev/null',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve) => {
    let out = '';
    server.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /listening on \S+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
  });
  try {
    const alone = await run(port, false);
    const stormed = await run(port, true);
    const f = (n: number) => n.toFixed(2);
    console.log(`readers=${READERS} rate=${RATE}/s seconds=${SECONDS}`);
    console.log(`without logins: p50 ${f(alone.p50)} ms, p99 ${f(alone.p99)} ms (${alone.n} deliveries)`);
    console.log(
      `with ${LOGINS} logins at once (${stormed.logins} logins done): p50 ${f(stormed.p50)} ms, p99 ${f(stormed.p99)} ms (${stormed.n} deliveries)`,
    );
    console.log(`p99 ratio: ${(stormed.p99 / alone.p99).toFixed(2)}×`);
  } finally {
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
