import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import pino from 'pino';
import { WebSocket } from 'ws';
import { defaultWebRoot, loadStaticFiles } from '../../src/server/web/static-files.js';
import { startWebListener } from '../../src/server/web/web-listener.js';
import { serveAccounts } from '../helpers/accounts.js';

/** A browser-side client: JSON over the WebSocket, from the address a proxy says. */
class WsClient {
  private readonly messages: Array<Record<string, unknown>> = [];
  private wake: () => void = () => {};
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.messages.push(JSON.parse(data.toString('utf8')) as Record<string, unknown>);
      this.wake();
    });
    ws.on('error', () => {});
  }

  static async open(url: string, origin: string, forwardedFor: string): Promise<WsClient> {
    const ws = new WebSocket(url, { origin, headers: { 'X-Forwarded-For': forwardedFor } });
    const c = new WsClient(ws);
    await once(ws, 'open');
    return c;
  }

  send(m: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(m));
  }

  async next(type: string | string[]): Promise<Record<string, unknown>> {
    const types = Array.isArray(type) ? type : [type];
    const deadline = Date.now() + 5000;
    for (;;) {
      const i = this.messages.findIndex((m) => types.includes(m.type as string));
      if (i >= 0) return this.messages.splice(i, 1)[0] as Record<string, unknown>;
      if (Date.now() > deadline) throw new Error(`no ${types.join('/')}: ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

test('browser (WebSocket behind a proxy): register, then a brute force from one address is refused while the owner gets in from another', async (t) => {
  const chat = await serveAccounts(t);
  const root = defaultWebRoot();
  assert.ok(root, 'dist/web is built');
  const web = await startWebListener({
    files: loadStaticFiles(root),
    host: '127.0.0.1',
    port: 0,
    tls: null,
    extraOrigins: [],
    trustProxy: true,
    heartbeatSeconds: 30,
    log: pino({ level: 'silent' }),
    gate: chat.srv.server,
  });
  t.after(() => web.close());
  const origin = `http://127.0.0.1:${web.address.port}`;
  const url = `${origin.replace('http', 'ws')}/ws`;

  const owner = await WsClient.open(url, origin, '198.51.100.7');
  owner.send({ type: 'hello', version: 2, name: 'eva' });
  await owner.next('welcome');
  owner.send({ type: 'register', password: 'eva-secret', ref: 'r' });
  assert.equal((await owner.next('account')).of, 'register');
  owner.ws.close();

  const attacker = await WsClient.open(url, origin, '203.0.113.9');
  attacker.send({ type: 'hello', version: 2 });
  await attacker.next('hello');
  const codes: string[] = [];
  for (let i = 0; i < 22; i++) {
    attacker.send({ type: 'join', name: 'eva', password: `nope-${i}` });
    codes.push(String((await attacker.next('error')).code));
  }
  assert.deepEqual(codes.slice(0, 20), Array(20).fill('LOGIN_FAILED'));
  assert.deepEqual(codes.slice(20), ['LOGIN_THROTTLED', 'LOGIN_THROTTLED']);

  const back = await WsClient.open(url, origin, '198.51.100.7');
  back.send({ type: 'hello', version: 2, name: 'eva', password: 'eva-secret' });
  assert.equal((await back.next('welcome')).name, 'eva');
  back.ws.close();
  attacker.ws.close();
});
