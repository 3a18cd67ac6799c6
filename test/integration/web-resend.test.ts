import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { LineClient } from '../helpers/line-client.js';
import { serveChatWithWeb } from '../helpers/web.js';

type Json = Record<string, unknown>;

/** Opens a WebSocket and waits (5 s at most) for messages matching a test. */
async function openSocket(url: string, origin: string) {
  const ws = new WebSocket(url, { origin });
  const messages: Json[] = [];
  ws.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8')) as Json));
  ws.on('error', () => {});
  await once(ws, 'open');
  const next = async (test: (m: Json) => boolean, what: string): Promise<Json> => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const i = messages.findIndex(test);
      if (i >= 0) return messages.splice(i, 1)[0] as Json;
      if (Date.now() > deadline) throw new Error(`no ${what}; got ${JSON.stringify(messages)}`);
      await Promise.race([once(ws, 'message'), once(ws, 'close')]);
    }
  };
  return { ws, messages, next, send: (m: Json) => ws.send(JSON.stringify(m)) };
}

for (const cut of ['noticed', 'unnoticed'] as const) {
  test(`a line resent after a cut (${cut} by the server) is posted once and acked with the same id`, async (t) => {
    const { srv, url, origin } = await serveChatWithWeb(t);
    const bob = await LineClient.join(srv.port, 'bob');
    t.after(() => bob.destroy());
    const first = await openSocket(url, origin);
    t.after(() => first.ws.terminate());
    first.send({ type: 'hello', version: 2, name: 'ana', lang: 'en' });
    const welcome = await first.next((m) => m.type === 'welcome', 'welcome');
    // A long line: frames with a 16-bit length go through the transport's own framing too.
    const text = `on my way ${'.'.repeat(600)}`;
    first.send({ type: 'say', text, ref: 'w-1' });
    const ack = await first.next((m) => m.type === 'ack', 'the ack');
    await bob.lineMatching(/ana: on my way/);

    if (cut === 'noticed') {
      first.ws.terminate();
      await bob.lineMatching(/ana.*(left|saiu)/);
    } else {
      // The server has not seen the old connection go: the new one resumes it.
      first.ws.pause();
    }
    const second = await openSocket(url, origin);
    t.after(() => second.ws.terminate());
    second.send({ type: 'hello', version: 2, name: 'ana', lang: 'en', token: welcome.token });
    const back = await second.next((m) => m.type === 'welcome', 'welcome back');
    assert.equal(back.resumed, cut === 'unnoticed');
    second.send({ type: 'say', text, ref: 'w-1' });
    const again = await second.next((m) => m.type === 'ack', 'the ack again');
    assert.deepEqual(again, ack);
    second.send({ type: 'say', text: 'after', ref: 'w-2' });
    const next = await second.next((m) => m.type === 'ack', 'the next ack');
    assert.ok((next.id as number) > (ack.id as number));
    // Every line bob gets between the first post and the next one: the resent line is not there.
    const seen: string[] = [];
    for (let l = await bob.nextLine(); !/ana: after/.test(l); l = await bob.nextLine()) seen.push(l);
    assert.ok(!seen.some((l) => /on my way/.test(l)), `bob saw the line once: ${seen.join('|')}`);
  });
}
