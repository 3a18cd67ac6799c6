import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveChatWithWeb } from '../helpers/web.js';
import { runChurn } from '../../src/bench/churn.js';
import type { Endpoint } from '../../src/bench/clients.js';
import { runFanout } from '../../src/bench/fanout.js';
import { runIdle } from '../../src/bench/idle.js';
import { probeServer } from '../../src/bench/probe.js';
import { Progress } from '../../src/bench/progress.js';

const quiet = new Progress(process.stderr, true);

/** A papo server with its web listener, flood control raised for one host's load. */
async function serverWithWeb(t: { after(fn: () => unknown): void }) {
  const { srv, listener } = await serveChatWithWeb(t, { floodRate: 1_000_000, floodBurst: 1_000_000 });
  const endpoint: Endpoint = {
    address: '127.0.0.1',
    port: listener.address.port,
    proto: 'json',
    transport: 'ws',
  };
  return { srv, endpoint };
}

test('fanout over WebSocket delivers every message to every other client, in order', async (t) => {
  const { endpoint } = await serverWithWeb(t);
  const r = await runFanout(
    endpoint,
    {
      clients: 6,
      senders: 2,
      rate: 200,
      durationS: 0.3,
      size: 300, // frames with a 16-bit length too
      drainS: 5,
      findMax: false,
      maxRate: 1e6,
      p99LimitMs: 60_000,
      maxTrials: 3,
      warmupS: 0,
      joinWindow: 4,
      joinTimeoutMs: 5000,
      rooms: 0,
    },
    quiet,
  );
  const trial = r.trials[0]!;
  assert.equal(trial.expected, 60 * 5);
  assert.equal(trial.received, trial.expected);
  assert.deepEqual(
    [trial.lost, trial.reordered, trial.duplicates, trial.echoes, trial.malformed, trial.disconnects],
    [0, 0, 0, 0, 0, 0],
  );
});

test('idle over WebSocket: every client joins and gets the broadcast', async (t) => {
  const { endpoint } = await serverWithWeb(t);
  const r = await runIdle(
    endpoint,
    { clients: 8, joinWindow: 4, joinTimeoutMs: 5000, broadcastTimeoutS: 10, serverPid: process.pid },
    quiet,
  );
  assert.equal(r.joined, 8);
  assert.equal(r.broadcastReceived, 7);
  assert.equal(typeof r.rssPerConnectionKiB, 'number');
});

test('churn over WebSocket runs whole sessions', async (t) => {
  const { endpoint } = await serverWithWeb(t);
  const r = await runChurn(endpoint, { workers: 2, durationS: 0.5, sessionTimeoutMs: 5000 }, quiet);
  assert.equal(r.failed, 0, String(r.firstError));
  assert.ok(r.sessions > 0);
});

test('the probe looks at a server through its WebSocket', async (t) => {
  const { endpoint } = await serverWithWeb(t);
  const use = await probeServer(endpoint);
  assert.deepEqual(use, { users: [], storedMessages: false });
});
