/**
 * Do logins stall the chat? (issue #15, "Speed"). Runs `papo server` (the built CLI) with 100
 * registered accounts (real scrypt, N=2^17), then a fan-out at a fixed rate: one sender, R
 * readers, each message timestamped; p50/p99 of send→receive latency over the run. Twice: alone,
 * and with 100 password logins hashing at once, again and again, for the whole run.
 *
 *   npm run build && node --import tsx bench/login-storm.ts [--readers 50] [--rate 200] [--seconds 10]
 *
 * To compare builds on a shared machine, give `--cli` more than once and `--rounds N`: each round
 * starts each build's server in turn (the order flips every round) on the same accounts, and the
 * summary gives each build's medians.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SCRYPT } from '../src/store/password-hash.js';
import { SqliteAccounts } from '../src/store/sqlite-accounts.js';

const { values } = parseArgs({
  options: {
    readers: { type: 'string', default: '50' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '10' },
    logins: { type: 'string', default: '100' },
    cli: { type: 'string', multiple: true },
    rounds: { type: 'string', default: '1' },
  },
});
const READERS = Number(values.readers);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const LOGINS = Number(values.logins);
const CLIS = values.cli ?? [new URL('../dist/cli.js', import.meta.url).pathname];
const ROUNDS = Number(values.rounds);

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

interface Trial {
  cli: string;
  alone: Awaited<ReturnType<typeof run>>;
  stormed: Awaited<ReturnType<typeof run>>;
}

async function startServer(cli: string, dir: string): Promise<{ port: number; stop(): Promise<void> }> {
  const server = spawn(
    process.execPath,
    [
      cli,
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
  const exited = new Promise((resolve) => server.once('exit', resolve));
  const port = await new Promise<number>((resolve, reject) => {
    void exited.then((code) => reject(new Error(`${cli} exited (${String(code)}) before listening`)));
    let out = '';
    server.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /listening on \S+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
  });
  return {
    port,
    stop: async () => {
      server.kill('SIGTERM');
      await exited;
    },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;
const f = (n: number) => n.toFixed(2);

function report(t: Trial): void {
  console.log(`${t.cli}: readers=${READERS} rate=${RATE}/s seconds=${SECONDS}`);
  console.log(
    `  without logins: p50 ${f(t.alone.p50)} ms, p99 ${f(t.alone.p99)} ms (${t.alone.n} deliveries)`,
  );
  console.log(
    `  with ${LOGINS} logins at once (${t.stormed.logins} logins done): p50 ${f(t.stormed.p50)} ms, p99 ${f(t.stormed.p99)} ms (${t.stormed.n} deliveries)`,
  );
  console.log(`  p99 ratio: ${(t.stormed.p99 / t.alone.p99).toFixed(2)}×`);
}

async function makeAccounts(file: string, cached: string): Promise<void> {
  // Setting up is not measured: every core, at normal priority.
  const accounts = new SqliteAccounts(file, DEFAULT_SCRYPT, {
    processes: availableParallelism(),
    priority: 0,
  });
  await Promise.all(
    Array.from({ length: LOGINS }, (_, i) => {
      const name = `acct${i}`;
      return new Promise<void>((resolve, reject) =>
        accounts.register(
          { key: name, name, skeleton: name, created: Date.now(), password: `password-${i}` },
          (r) => (r instanceof Error ? reject(r) : resolve()),
        ),
      );
    }),
  );
  accounts.close();
  mkdirSync(dirname(cached), { recursive: true });
  copyFileSync(file, cached);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'papo-login-storm-'));
  // 100 hashes take minutes on a busy machine: made once, kept (gitignored) for the next runs.
  const cached = new URL(`results/tmp/login-storm-accounts-${LOGINS}.db`, import.meta.url).pathname;
  if (!existsSync(cached)) await makeAccounts(join(dir, 'accounts.db'), cached);
  copyFileSync(cached, join(dir, 'accounts.db'));
  const trials: Trial[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const cli of round % 2 === 0 ? CLIS : [...CLIS].reverse()) {
        const server = await startServer(cli, dir);
        try {
          const alone = await run(server.port, false);
          const stormed = await run(server.port, true);
          trials.push({ cli, alone, stormed });
          report(trials[trials.length - 1] as Trial);
        } finally {
          await server.stop();
        }
      }
    }
    if (ROUNDS > 1)
      for (const cli of CLIS) {
        const mine = trials.filter((t) => t.cli === cli);
        const p99s = (pick: (t: Trial) => number) => f(median(mine.map(pick)));
        console.log(
          `${cli}: medians of ${mine.length}: without logins p99 ${p99s((t) => t.alone.p99)} ms; with logins p50 ${p99s((t) => t.stormed.p50)} ms, p99 ${p99s((t) => t.stormed.p99)} ms, ${median(mine.map((t) => t.stormed.logins))} logins; p99 ratio ${median(mine.map((t) => t.stormed.p99 / t.alone.p99)).toFixed(2)}×`,
        );
      }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
