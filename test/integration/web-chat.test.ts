import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import pino from 'pino';
import { WebSocket } from 'ws';
import { LineClient } from '../helpers/line-client.js';
import { startServer } from '../helpers/server.js';
import { defaultWebRoot, loadStaticFiles } from '../../src/server/web/static-files.js';
import { startWebListener } from '../../src/server/web/web-listener.js';
import type { ServerOptions } from '../../src/server/options.js';

/** A papo server in this process with its web listener: the same hub for TCP and WebSocket. */
async function chatWithWeb(t: { after(fn: () => unknown): void }, overrides: Partial<ServerOptions> = {}) {
  const srv = await startServer(overrides);
  const root = defaultWebRoot();
  assert.ok(root, 'dist/web is built');
  const web = await startWebListener({
    files: loadStaticFiles(root),
    host: '127.0.0.1',
    port: 0,
    tls: null,
    extraOrigins: [],
    trustProxy: false,
    heartbeatSeconds: 30,
    log: pino({ level: 'silent' }),
    gate: srv.server,
  });
  t.after(async () => {
    await web.close();
    await srv.stop();
  });
  const base = `http://127.0.0.1:${web.address.port}`;
  return { srv, url: `${base.replace('http', 'ws')}/ws`, origin: base };
}

/** A WebSocket client that reads one JSON message per frame. */
class JsonSocket {
  readonly messages: Array<Record<string, unknown>> = [];
  readonly raw: string[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      this.raw.push(text);
      if (text.startsWith('{')) this.messages.push(JSON.parse(text) as Record<string, unknown>);
    });
    ws.on('error', () => {});
  }

  static async open(url: string, origin: string): Promise<JsonSocket> {
    const ws = new WebSocket(url, { origin });
    const s = new JsonSocket(ws);
    await once(ws, 'open');
    return s;
  }

  send(message: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(message));
  }

  /** Waits (5 s at most) for a message matching `test`, and returns it. */
  async next(test: (m: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const found = this.messages.find(test);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${what}; got ${JSON.stringify(this.messages)}`);
      await Promise.race([once(this.ws, 'message'), once(this.ws, 'close')]);
    }
  }
}

test('a WebSocket user and a TCP user chat in the same room', async (t) => {
  const { srv, url, origin } = await chatWithWeb(t);
  const web = await JsonSocket.open(url, origin);
  t.after(() => web.ws.terminate());
  web.send({ type: 'hello', version: 2, name: 'ana', lang: 'en' });
  const welcome = await web.next((m) => m.type === 'welcome', 'welcome');
  assert.equal(welcome.name, 'ana');
  assert.equal(welcome.room, '#geral');
  assert.ok(!web.raw.some((r) => !r.startsWith('{')), `no plain text on a WebSocket: ${web.raw.join('|')}`);

  const bob = await LineClient.join(srv.port, 'bob');
  t.after(() => bob.destroy());
  await web.next((m) => m.type === 'join' && m.name === 'bob', 'bob joining');
  web.send({ type: 'say', text: 'oi bob', room: '#geral', ref: 'a1' });
  const ack = await web.next((m) => m.type === 'ack' && m.ref === 'a1', 'the ack');
  assert.equal(typeof ack.id, 'number');
  await bob.lineMatching(/ana.*oi bob/);
  bob.sendLine('oi ana');
  const said = await web.next((m) => m.type === 'message' && m.text === 'oi ana', "bob's message");
  assert.equal(said.from, 'bob');
  assert.equal(said.room, '#geral');
});

test('--max-per-ip applies to WebSocket users through the same entry point', async (t) => {
  const { url, origin } = await chatWithWeb(t, { maxPerIp: 1, limitLoopback: true });
  const first = await JsonSocket.open(url, origin);
  t.after(() => first.ws.terminate());
  const second = await JsonSocket.open(url, origin);
  t.after(() => second.ws.terminate());
  await once(second.ws, 'close');
  assert.match(second.raw.join('\n'), /connections from your address|TOO_MANY|address/i);
});
