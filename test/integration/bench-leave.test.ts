import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { startServer } from '../helpers/server.js';
import { runIdle, type IdleOptions } from '../../src/bench/idle.js';
import type { LeaveResult } from '../../src/bench/leave.js';
import { Progress } from '../../src/bench/progress.js';

const quiet = new Progress(process.stderr, true);
const LOAD = { floodRate: 1_000_000, floodBurst: 1_000_000 };
const IDLE: IdleOptions = {
  clients: 50,
  joinWindow: 8,
  joinTimeoutMs: 10_000,
  broadcastTimeoutS: 20,
  leaveObservers: 3,
  leaveTimeoutS: 30,
  // The server runs in this process: its CPU is this process's.
  serverPid: process.pid,
};

/** Sensible figures: every leave told to every observer, after the close, before the timeout. */
function assertLeave(leave: LeaveResult | null, left: number, observers: number): void {
  assert.ok(leave !== null, 'a leave storm ran');
  assert.equal(leave.left, left);
  assert.equal(leave.observers, observers);
  assert.equal(leave.noticesSeen, left, 'every observer was told of every leave, once');
  assert.ok(leave.noticesMs > 0 && leave.noticesMs < 30_000, `notices after ${leave.noticesMs} ms`);
  assert.ok(leave.cpuIdleMs !== null && leave.cpuIdleMs >= 0 && leave.cpuIdleMs < 30_000, 'CPU went idle');
  assert.ok(leave.serverCpuS !== null && leave.serverCpuS >= 0);
}

for (const proto of ['plain', 'json'] as const) {
  for (const busyRoom of [0, 10]) {
    const told = busyRoom === 0 ? 'one notice per leave' : 'busy-room summaries';
    test(`idle over ${proto} ends with 47 of 50 leaving at once, timed to the last notice (${told})`, async (t) => {
      const srv = await startServer({ ...LOAD, busyRoom });
      t.after(() => srv.stop());
      const r = await runIdle({ address: '127.0.0.1', port: srv.port, proto }, IDLE, quiet);
      assert.equal(r.joined, 50);
      assertLeave(r.leave, 47, 3);
    });
  }
}

test('the leave storm is skipped with no observers, and says the CPU is unknown without a pid', async (t) => {
  const srv = await startServer(LOAD);
  t.after(() => srv.stop());
  const endpoint = { address: '127.0.0.1', port: srv.port, proto: 'plain' as const };
  const none = await runIdle(endpoint, { ...IDLE, clients: 5, leaveObservers: 0 }, quiet);
  assert.equal(none.leave, null);
  const r = await runIdle(endpoint, { ...IDLE, clients: 5, leaveObservers: 1, serverPid: undefined }, quiet);
  assert.equal(r.leave?.noticesSeen, 4);
  assert.equal(r.leave?.cpuIdleMs, null);
  assert.equal(r.leave?.serverCpuS, null);
});

/**
 * A server like the C ceiling server `ideal-c`: a bare `Name: ` prompt, nothing to the joiner,
 * `* NAME joined` / `NAME: text` / `* NAME left` to the others.
 */
async function startSilentServer(): Promise<{ port: number; close: () => void }> {
  const named = new Map<Socket, string>();
  const toOthers = (from: Socket, line: string) => {
    for (const s of named.keys()) if (s !== from) s.write(`${line}\n`);
  };
  const server = createServer((socket) => {
    let carry = '';
    socket.write('Name: ');
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      const lines = (carry + chunk.toString('utf8')).split('\n');
      carry = lines.pop()!;
      for (const line of lines) {
        const name = named.get(socket);
        if (name === undefined) {
          named.set(socket, line);
          toOthers(socket, `* ${line} joined`);
        } else toOthers(socket, `${name}: ${line}`);
      }
    });
    socket.on('close', () => {
      const name = named.get(socket);
      named.delete(socket);
      if (name !== undefined) toOthers(socket, `* ${name} left`);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const s of named.keys()) s.destroy();
      server.close();
    },
  };
}

test('idle runs against a server that welcomes nobody (like ideal-c), joins and leaves included', async (t) => {
  const silent = await startSilentServer();
  t.after(() => silent.close());
  const r = await runIdle({ address: '127.0.0.1', port: silent.port, proto: 'plain' }, IDLE, quiet);
  assert.equal(r.joined, 50);
  assert.equal(r.broadcastReceived, 49);
  assertLeave(r.leave, 47, 3);
});
