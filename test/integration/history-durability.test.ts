import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HistoryResult } from '../../src/core/history.js';
import { SqliteHistory } from '../../src/store/index.js';

/** The built CLI (`npm test` builds it first). */
const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const WAIT_MS = 10_000;

function dataDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'papo-durable-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The environment without PAPO_* settings of whoever runs the tests. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { LANG: 'C' };
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PAPO_')) env[k] = v;
  return env;
}

interface Child {
  process: ChildProcess;
  stderr(): string;
  exited: Promise<number | string>;
}

function run(args: string[]): Child {
  const child = spawn(process.execPath, [CLI, 'server', '--port', '0', '--log-level', 'error', ...args], {
    env: cleanEnv(),
  });
  let err = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (err += d));
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  return { process: child, stderr: () => err, exited };
}

/** Starts `papo server` and resolves with its port once it prints `listening on`. */
async function start(t: TestContext, args: string[]): Promise<Child & { port: number }> {
  const child = run(args);
  t.after(() => {
    if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  });
  let out = '';
  child.process.stdout?.setEncoding('utf8');
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "listening on" line; stderr: ${child.stderr()}`)),
      WAIT_MS,
    );
    child.process.stdout?.on('data', (d: string) => {
      out += d;
      const m = /listening on \S+:(\d+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    void child.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}): ${child.stderr()}`));
    });
  });
  return { ...child, port };
}

/** Runs `papo server` expecting it to refuse to start. */
async function refusal(args: string[]): Promise<{ code: number | string; stderr: string }> {
  const child = run(args);
  const timer = setTimeout(() => child.process.kill('SIGKILL'), WAIT_MS);
  const code = await child.exited;
  clearTimeout(timer);
  return { code, stderr: child.stderr() };
}

type Json = Record<string, unknown>;

/** A JSON-lines client that hands every server message to `onMessage`. */
async function jsonClient(port: number, name: string, onMessage: (m: Json) => void): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1' });
  await once(socket, 'connect');
  socket.setEncoding('utf8');
  socket.on('error', () => {});
  let buffer = '';
  socket.on('data', (d: string) => {
    buffer += d;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.startsWith('{')) onMessage(JSON.parse(line) as Json);
    }
  });
  socket.write(JSON.stringify({ type: 'hello', version: 1, name }) + '\n');
  return socket;
}

function waitFor(test: () => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + WAIT_MS;
    const check = () => {
      if (test()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setImmediate(check);
    };
    check();
  });
}

test('every acknowledged or delivered message survives kill -9 of the server mid-stream', async (t) => {
  const dir = dataDir(t);
  const server = await start(t, ['--data-dir', dir, '--flood-rate', '0']);
  const acked = new Map<number, string>(); // id -> text
  const delivered = new Map<number, string>();
  let bobJoined = false;
  let anaJoined = false;
  await jsonClient(server.port, 'bob', (m) => {
    if (m.type === 'welcome') bobJoined = true;
    if (m.type === 'message') delivered.set(m.id as number, m.text as string);
  });
  await waitFor(() => bobJoined, "bob's welcome");
  const texts = new Map<string | number, string>();
  let sent = 0;
  const WINDOW = 100;
  let ana: Socket | null = null;
  const sendMore = () => {
    // Keep a window of messages in flight, so the kill lands while some are unanswered.
    const lines: string[] = [];
    while (sent - acked.size < WINDOW) {
      const text = `durable ${sent} ${'z'.repeat(sent % 50)}`.trim();
      texts.set(sent, text);
      lines.push(JSON.stringify({ type: 'say', text, ref: sent }));
      sent++;
    }
    if (lines.length > 0) ana?.write(lines.join('\n') + '\n');
  };
  ana = await jsonClient(server.port, 'ana', (m) => {
    if (m.type === 'welcome') anaJoined = true;
    if (m.type === 'ack') {
      acked.set(m.id as number, texts.get(m.ref as number) as string);
      sendMore();
    }
  });
  await waitFor(() => anaJoined, "ana's welcome");
  sendMore();
  await waitFor(() => acked.size >= 1500, '1500 acks');
  server.process.kill('SIGKILL');
  assert.equal(await server.exited, 'SIGKILL');
  assert.ok(sent > acked.size, 'messages were still in flight when the server died');

  const store = SqliteHistory.open(join(dir, 'papo.db'));
  const stored = await new Promise<HistoryResult>((resolve) =>
    store.beforeLater('#geral', Number.MAX_SAFE_INTEGER, 1_000_000, resolve),
  );
  const nextId = store.nextEventId();
  store.close();
  assert.ok(stored.ok);
  const byId = new Map(stored.records.map((r) => [r.id, r.text]));
  for (const [id, text] of acked) assert.equal(byId.get(id), text, `acknowledged message ${id}`);
  for (const [id, text] of delivered) assert.equal(byId.get(id), text, `delivered message ${id}`);
  const maxAcked = Math.max(...acked.keys());

  // After a restart, a newcomer sees the end of the conversation and ids continue upward.
  const again = await start(t, ['--data-dir', dir]);
  const seen: Json[] = [];
  await jsonClient(again.port, 'cia', (m) => void seen.push(m));
  await waitFor(() => seen.some((m) => m.type === 'history'), 'the replay');
  const header = seen.find((m) => m.type === 'history') as Json;
  assert.deepEqual(header, { type: 'history', kind: 'replay', room: '#geral', count: 50, more: true });
  await waitFor(() => seen.filter((m) => m.history === true).length === 50, '50 replayed messages');
  const replayed = seen.filter((m) => m.history === true).map((m) => m.id as number);
  assert.ok((replayed.at(-1) as number) >= maxAcked);
  assert.deepEqual(
    replayed,
    [...replayed].sort((a, b) => a - b),
  );
  assert.ok(nextId > maxAcked);
});

test('a damaged database file stops the server at start with one clear line and exit code 1', async (t) => {
  const dir = dataDir(t);
  writeFileSync(join(dir, 'papo.db'), 'not a database\n'.repeat(500));
  const { code, stderr } = await refusal(['--data-dir', dir]);
  assert.equal(code, 1);
  assert.match(
    stderr,
    /^papo: the history database \S+papo\.db is damaged or not an SQLite database .*--no-history\n$/,
  );
});

test('an emptied database beside its journal stops the server at start, so ids are never given again', async (t) => {
  const dir = dataDir(t);
  const store = SqliteHistory.open(join(dir, 'papo.db'));
  store.record({ type: 'message', id: 1, ts: 1, room: '#geral', from: 'ana', text: 'oi' });
  store.close();
  truncateSync(join(dir, 'papo.db'), 0);
  const { code, stderr } = await refusal(['--data-dir', dir]);
  assert.equal(code, 1);
  assert.match(
    stderr,
    /^papo: the history database \S+papo\.db is empty \(0 bytes\) but papo\.db\.journal-0 .*--no-history\n$/,
  );
});

test('--no-history starts without touching the database', async (t) => {
  const dir = dataDir(t);
  writeFileSync(join(dir, 'papo.db'), 'not a database\n'.repeat(500));
  const server = await start(t, ['--data-dir', dir, '--no-history']);
  assert.equal(server.process.exitCode, null, 'it is running');
});

test('a database held by another server stops the second one at start with exit code 1', async (t) => {
  const dir = dataDir(t);
  const holder = SqliteHistory.open(join(dir, 'papo.db'));
  t.after(() => holder.close());
  const { code, stderr } = await refusal(['--data-dir', dir]);
  assert.equal(code, 1);
  assert.match(stderr, /^papo: the history database \S+ is locked: another papo server .*\n$/);
});

test('a database path that cannot be written stops the server at start with exit code 1', async (t) => {
  const dir = dataDir(t);
  mkdirSync(join(dir, 'papo.db'));
  const { code, stderr } = await refusal(['--data-dir', dir]);
  assert.equal(code, 1);
  assert.match(stderr, /^papo: cannot write the history database \S+ .*--data-dir.*\n$/);
});
