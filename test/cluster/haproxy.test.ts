import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { http, send } from '../helpers/files.js';
import {
  act,
  bot,
  freePort,
  nextWhere,
  SKIP,
  startFileNode,
  startNode,
  TestRedis,
  type TestNode,
} from './harness.js';
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

test(
  'deploy/haproxy.cfg routes a file upload and download to the node that holds the file',
  { skip: SKIP || (!existsSync(HAPROXY) && 'no haproxy'), timeout: 60_000 },
  async (t) => {
    const redis = await TestRedis.start();
    const dir = mkdtempSync(join(tmpdir(), 'papo-lb-files-'));
    const lbWeb = await freePort();
    const stops: Array<() => Promise<void>> = [];
    const clients: LineClient[] = [];
    t.after(async () => {
      for (const c of clients) c.destroy();
      for (const stop of stops.reverse()) await stop();
      await redis.destroy();
      rmSync(dir, { recursive: true, force: true });
    });
    // Each node's --public-url is its own path under the proxy's one address.
    const fileNode = async (name: string, prefix: string) => {
      const n = await startFileNode(redis.url, name, dir, `http://127.0.0.1:${lbWeb}/${prefix}`);
      stops.push(n.stop);
      return n;
    };
    const f1 = await fileNode('f1', 'n1');
    const f2 = await fileNode('f2', 'n2');
    const env = {
      ...process.env,
      PAPO_LB_BIND: '127.0.0.1',
      PAPO_LB_CHAT: String(await freePort()),
      PAPO_LB_WEB: String(lbWeb),
      PAPO_NODE1_CHAT: `127.0.0.1:${f1.node.port}`,
      PAPO_NODE2_CHAT: `127.0.0.1:${f2.node.port}`,
      PAPO_NODE1_WEB: f1.web,
      PAPO_NODE2_WEB: f2.web,
    };
    const proxy = spawn(HAPROXY, ['-db', '-f', CONFIG], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const proxyExit = new Promise((r) => proxy.once('exit', r));
    stops.push(async () => {
      if (proxy.exitCode === null) process.kill(proxy.pid as number, 'SIGTERM');
      await proxyExit;
    });
    const ana = await bot(f1.node.port, 'ana');
    clients.push(ana.c);
    const bia = await bot(f2.node.port, 'bia');
    clients.push(bia.c);
    await nextWhere(ana.c, (m) => m.type === 'join' && m.name === 'bia');

    // Bia, on node 2, sends a file: its upload goes through the proxy to node 2.
    const data = Buffer.from('bytes kept by node 2 only\n'.repeat(100));
    let sent: Awaited<ReturnType<typeof send>> | null = null;
    for (let i = 0; i < 100 && sent === null; i++) {
      sent = await send(bia.c, data).catch(() => null);
      if (sent === null) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(sent, 'haproxy did not come up');
    assert.match(sent.slot.url as string, new RegExp(`^http://127\\.0\\.0\\.1:${lbWeb}/n2/u/`));
    assert.equal(sent.answer.status, 204, sent.answer.body.toString());
    const file = await nextWhere(ana.c, (m) => m.type === 'file');
    const url = file.url as string;
    assert.match(url, new RegExp(`^http://127\\.0\\.0\\.1:${lbWeb}/n2/f/`));
    // Ana, on node 1, downloads it through the proxy, whichever node serves her browser.
    for (let i = 0; i < 4; i++) {
      const got = await http(url, 'GET');
      assert.equal(got.status, 200);
      assert.deepEqual(got.body, data);
    }
    // Asked of node 1 itself, it is sent back to node 2's URL.
    const path = new URL(url).pathname.replace(/^\/n2/, '');
    const direct = await http(`http://${f1.web}${path}`, 'GET');
    assert.equal(direct.status, 307);
    assert.equal(direct.headers.location, url);
  },
);
