import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { http, send } from '../helpers/files.js';
import type { LineClient } from '../helpers/line-client.js';
import { bot, nextWhere, SKIP, startFileNode, TestRedis } from './harness.js';

test(
  'a download asked of a node that does not hold the file is redirected to the node that does',
  { skip: SKIP, timeout: 30_000 },
  async (t) => {
    const redis = await TestRedis.start();
    const dir = mkdtempSync(join(tmpdir(), 'papo-cluster-files-'));
    const nodes: Array<Awaited<ReturnType<typeof startFileNode>>> = [];
    const clients: LineClient[] = [];
    t.after(async () => {
      for (const c of clients) c.destroy();
      for (const n of nodes) await n.stop();
      await redis.destroy();
      rmSync(dir, { recursive: true, force: true });
    });
    for (const name of ['f1', 'f2']) nodes.push(await startFileNode(redis.url, name, dir));
    const [f1, f2] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    const ana = await bot(f1.node.port, 'ana');
    clients.push(ana.c);
    const bia = await bot(f2.node.port, 'bia');
    clients.push(bia.c);
    await nextWhere(ana.c, (m) => m.type === 'join' && m.name === 'bia');

    const data = Buffer.from('kept on f2\n'.repeat(50));
    const { answer } = await send(bia.c, data);
    assert.equal(answer.status, 204);
    const url = (await nextWhere(ana.c, (m) => m.type === 'file')).url as string;
    assert.ok(url.startsWith(`http://${f2.web}/f/`), url);
    const path = new URL(url).pathname;

    // The same path on f1: sent on to f2, the method kept; f2 serves it.
    const there = await http(`http://${f1.web}${path}`, 'GET');
    assert.equal(there.status, 307);
    assert.equal(there.headers.location, url);
    assert.equal(there.body.length, 0);
    assert.equal(
      (await http(`http://${f1.web}${path}?inline=1`, 'HEAD')).headers.location,
      `${url}?inline=1`,
    );
    const got = await http(there.headers.location as string, 'GET');
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, data);

    // An unknown token stays 404 on every node.
    const unknown = path.replace(/\/f\/[^/]+\//, '/f/AAAAAAAAAAAAAAAAAAAAAAAA/');
    for (const n of [f1, f2]) assert.equal((await http(`http://${n.web}${unknown}`, 'GET')).status, 404);
  },
);
