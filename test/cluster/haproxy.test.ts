import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { act, bot, freePort, nextWhere, SKIP, startNode, TestRedis, type TestNode } from './harness.js';
import type { LineClient } from '../helpers/line-client.js';

const HAPROXY = '/usr/sbin/haproxy';
const CONFIG = fileURLToPath(new URL('../../deploy/haproxy.cfg', import.meta.url));

test(
  'deploy/haproxy.cfg puts two nodes behind one address: users on either node talk',
  { skip: SKIP || (!existsSync(HAPROXY) && 'no haproxy'), timeout: 60_000 },
  async (t) => {
    const redis = await TestRedis.start();
    const nodes: TestNode[] = [];
    const clients: LineClient[] = [];
    for (const name of ['h1', 'h2']) nodes.push(await startNode(redis.url, name));
    const [n1, n2] = nodes as [TestNode, TestNode];
    const chat = await freePort();
    const env = {
      ...process.env,
      PAPO_LB_BIND: '127.0.0.1',
      PAPO_LB_CHAT: String(chat),
      PAPO_LB_WEB: String(await freePort()),
      PAPO_NODE1_CHAT: `127.0.0.1:${n1.port}`,
      PAPO_NODE2_CHAT: `127.0.0.1:${n2.port}`,
      // No web UI on these in-process nodes: the web backend is only checked, not used.
      PAPO_NODE1_WEB: `127.0.0.1:${await freePort()}`,
      PAPO_NODE2_WEB: `127.0.0.1:${await freePort()}`,
    };
    const proxy = spawn(HAPROXY, ['-db', '-f', CONFIG], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const proxyExit = new Promise((r) => proxy.once('exit', r));
    t.after(async () => {
      for (const c of clients) c.destroy();
      if (proxy.exitCode === null) process.kill(proxy.pid as number, 'SIGTERM');
      await proxyExit;
      for (const n of nodes) await n.stop();
      await redis.destroy();
    });
    // Wait for the proxy to listen.
    let ana: Awaited<ReturnType<typeof bot>> | null = null;
    for (let i = 0; i < 100 && ana === null; i++) {
      ana = await bot(chat, 'ana').catch(() => null);
      if (ana === null) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(ana, 'haproxy did not come up');
    clients.push(ana.c);
    const bia = await bot(chat, 'bia');
    clients.push(bia.c);
    // leastconn: the second user went to the other node.
    assert.equal(n1.server.connectionCount + n2.server.connectionCount, 2);
    assert.equal(n1.server.connectionCount, 1);
    act(ana.c, { type: 'say', text: 'through the proxy' });
    assert.equal((await nextWhere(bia.c, (m) => m.type === 'message')).text, 'through the proxy');
  },
);
