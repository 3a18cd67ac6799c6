import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { serveChatWithWeb } from '../helpers/web.js';

/** Opens a WebSocket and collects every frame until the server closes it. */
async function refusedSocket(url: string, origin: string) {
  const ws = new WebSocket(url, { origin });
  const frames: string[] = [];
  ws.on('message', (data: Buffer) => frames.push(data.toString('utf8')));
  ws.on('error', () => {});
  const [code, reason] = (await once(ws, 'close')) as [number, Buffer];
  return { frames, code, reason: reason.toString() };
}

for (const [what, overrides, code] of [
  ['too many from one address', { maxPerIp: 1, limitLoopback: true }, 'TOO_MANY_FROM_ADDRESS'],
  ['the server full', { maxClients: 1 }, 'SERVER_FULL'],
] as const) {
  test(`a WebSocket refused for ${what} gets the JSON error, then close code 1013`, async (t) => {
    const { url, origin } = await serveChatWithWeb(t, overrides);
    const first = new WebSocket(url, { origin });
    t.after(() => first.terminate());
    await once(first, 'open');
    const refused = await refusedSocket(url, origin);
    assert.equal(refused.frames.length, 1, `one frame: ${refused.frames.join('|')}`);
    const error = JSON.parse(refused.frames[0] as string) as Record<string, unknown>;
    assert.equal(error.type, 'error');
    assert.equal(error.code, code);
    assert.match(String(error.message), /1/);
    assert.equal(refused.code, 1013);
    // The first user is untouched and still served.
    first.send(JSON.stringify({ type: 'ping', ref: 'p' }));
    const [pong] = (await once(first, 'message')) as [Buffer];
    assert.deepEqual(JSON.parse(pong.toString()), { type: 'pong', ref: 'p' });
  });
}
