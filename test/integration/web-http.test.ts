import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { WebSocket } from 'ws';
import { rawRequest, startTestWeb } from '../helpers/web.js';

async function get(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { headers, redirect: 'manual' });
}

/** The hashed script named by index.html. */
async function scriptPath(base: string): Promise<string> {
  const html = await (await get(`${base}/`)).text();
  const match = /src="(\/app-[A-Z0-9]{8}\.js)"/.exec(html);
  assert.ok(match, `index.html names no hashed script: ${html.slice(0, 300)}`);
  return match[1] as string;
}

test('the page carries a strict CSP and the hardening headers', async (t) => {
  const { base } = await startTestWeb(t);
  const res = await get(`${base}/`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
  const csp = res.headers.get('content-security-policy') ?? '';
  for (const directive of [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
  ]) {
    assert.ok(csp.includes(directive), `CSP lacks ${directive}: ${csp}`);
  }
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(res.headers.get('x-frame-options'), 'DENY');
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  assert.match(res.headers.get('etag') ?? '', /^"[\w-]+"$/);
  const html = await res.text();
  assert.doesNotMatch(html, /https?:\/\/(?!www\.w3\.org)/, 'the page loads nothing from another host');
  assert.doesNotMatch(html, /<script>|<style>| style=/, 'no inline script or style');
});

test('hashed files are immutable and served brotli, gzip or plain as accepted', async (t) => {
  const { base } = await startTestWeb(t);
  const path = await scriptPath(base);
  const plain = await get(`${base}${path}`, { 'accept-encoding': 'identity' });
  assert.equal(plain.status, 200);
  assert.equal(plain.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(plain.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(plain.headers.get('content-encoding'), null);
  const bytes = Buffer.from(await plain.arrayBuffer());

  // fetch would decode for us; a raw request shows the bytes on the wire.
  const port = Number(new URL(base).port);
  const br = await rawRequest(
    port,
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip, br\r\nConnection: close\r\n\r\n`,
  );
  assert.equal(br.status, 200);
  assert.match(br.head, /content-encoding: br/i);
  assert.match(br.head, /vary: accept-encoding/i);
  assert.deepEqual(brotliDecompressSync(Buffer.from(br.body, 'latin1')), bytes);

  const gz = await rawRequest(
    port,
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip, br;q=0\r\nConnection: close\r\n\r\n`,
  );
  assert.match(gz.head, /content-encoding: gzip/i);
  assert.deepEqual(gunzipSync(Buffer.from(gz.body, 'latin1')), bytes);
});

test('a matching If-None-Match gets 304 without a body, a stale one the file', async (t) => {
  const { base } = await startTestWeb(t);
  const first = await get(`${base}/`, { 'accept-encoding': 'gzip' });
  const etag = first.headers.get('etag') ?? '';
  await first.arrayBuffer();
  const again = await get(`${base}/`, { 'accept-encoding': 'gzip', 'if-none-match': etag });
  assert.equal(again.status, 304);
  assert.equal((await again.arrayBuffer()).byteLength, 0);
  assert.equal(again.headers.get('etag'), etag);
  const stale = await get(`${base}/`, { 'accept-encoding': 'gzip', 'if-none-match': '"stale"' });
  assert.equal(stale.status, 200);
});

test('HEAD answers the headers only', async (t) => {
  const { base } = await startTestWeb(t);
  const port = Number(new URL(base).port);
  const res = await rawRequest(port, 'HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
  assert.equal(res.status, 200);
  assert.match(res.head, /content-length: [1-9]\d*/i);
  assert.equal(res.body, '');
});

test('hostile and unknown requests get 4xx and the server keeps serving', async (t) => {
  const { base } = await startTestWeb(t);
  const port = Number(new URL(base).port);
  const cases: Array<[string, number]> = [
    ['GET /../etc/passwd HTTP/1.1', 400],
    ['GET /%2e%2e%2fetc%2fpasswd HTTP/1.1', 400],
    ['GET /..%2f..%2fetc/passwd HTTP/1.1', 400],
    ['GET /%2F HTTP/1.1', 400],
    ['GET //etc/passwd HTTP/1.1', 400],
    ['GET /index.html%00 HTTP/1.1', 400],
    ['GET /nothing-here.js HTTP/1.1', 404],
    ['GET /src/server/web/index.ts HTTP/1.1', 400],
    ['POST / HTTP/1.1', 405],
    ['PUT /index.html HTTP/1.1', 405],
    ['DELETE / HTTP/1.1', 405],
    ['OPTIONS * HTTP/1.1', 405],
    ['TRACE / HTTP/1.1', 405],
  ];
  for (const [line, status] of cases) {
    const res = await rawRequest(
      port,
      `${line}\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    );
    assert.equal(res.status, status, line);
    assert.match(
      res.head,
      /x-content-type-options: nosniff/i,
      `${line}: error answers carry the headers too`,
    );
  }
  const huge = await rawRequest(
    port,
    `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
  );
  assert.equal(huge.status, 431);
  const garbage = await rawRequest(port, 'NOT HTTP AT ALL\r\n\r\n');
  assert.equal(garbage.status, 400);
  const ok = await get(`${base}/`);
  assert.equal(ok.status, 200, 'still serving after all that');
});

test('a WebSocket from a foreign Origin is refused with 403 before upgrading', async (t) => {
  const { base, accepted } = await startTestWeb(t);
  const url = `${base.replace('http', 'ws')}/ws`;
  const ws = new WebSocket(url, { origin: 'http://evil.example' });
  ws.on('error', () => {});
  const [, res] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number }];
  assert.equal(res.statusCode, 403);
  const rebinding = new WebSocket(url, { origin: 'http://evil.example', headers: { host: 'evil.example' } });
  rebinding.on('error', () => {});
  const [, res2] = (await once(rebinding, 'unexpected-response')) as [unknown, { statusCode: number }];
  assert.equal(res2.statusCode, 403, 'a DNS-rebound Host on a loopback server is refused');
  assert.equal(accepted.length, 0);
});

test('an allowed --web-origin may open a WebSocket; the page origin always may', async (t) => {
  const { base, next } = await startTestWeb(t, { extraOrigins: ['https://chat.example'] });
  const url = `${base.replace('http', 'ws')}/ws`;
  for (const origin of [base, 'https://chat.example']) {
    const ws = new WebSocket(url, { origin });
    ws.on('error', () => {});
    const accepted = next();
    await once(ws, 'open');
    await accepted;
    ws.close();
  }
});

test('each text frame is one line and each output line one frame', async (t) => {
  const { base, next } = await startTestWeb(t);
  const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`, { origin: base });
  ws.on('error', () => {});
  const accepted = next();
  await once(ws, 'open');
  const { transport, handler } = await accepted;
  assert.equal(transport.jsonOnly, true);
  assert.equal(transport.remoteAddress, '127.0.0.1');
  ws.send('{"type":"hello","version":2}');
  ws.send('{"type":"say","text":"olá"}\n');
  await handler.until(() => handler.lines.length === 2, 'two lines');
  assert.deepEqual(handler.lines, [
    { kind: 'line', text: '{"type":"hello","version":2}', bytes: 28 },
    { kind: 'line', text: '{"type":"say","text":"olá"}', bytes: 28 },
  ]);
  const frames: string[] = [];
  ws.on('message', (data: Buffer) => frames.push(data.toString('utf8')));
  transport.write(Buffer.from('{"a":1}\n\n{"b":2}\n'));
  while (frames.length < 2) await once(ws, 'message');
  assert.deepEqual(frames, ['{"a":1}', '{"b":2}']);
  transport.setLineLimit(10);
  ws.send('x'.repeat(11));
  await handler.until(() => handler.lines.length === 3, 'the long line');
  assert.deepEqual(handler.lines[2], { kind: 'too_long', bytes: 11 });
  transport.end();
  const [code] = (await once(ws, 'close')) as [number];
  assert.equal(code, 1000);
  await handler.until(() => handler.closed, 'the transport to close');
});

test('a frame over maxPayload closes the socket with 1009; binary frames with 1003', async (t) => {
  const { base, next } = await startTestWeb(t);
  const url = `${base.replace('http', 'ws')}/ws`;
  const big = new WebSocket(url, { origin: base });
  big.on('error', () => {});
  const accepted = next();
  await once(big, 'open');
  const { handler } = await accepted;
  big.send('x'.repeat(16 * 1024 + 1));
  const [code] = (await once(big, 'close')) as [number];
  assert.equal(code, 1009);
  await handler.until(() => handler.closed, 'the transport to close');
  assert.equal(handler.lines.length, 0, 'the oversized frame never reached the connection');

  const binary = new WebSocket(url, { origin: base });
  binary.on('error', () => {});
  await once(binary, 'open');
  binary.send(Buffer.from([1, 2, 3]), { binary: true });
  const [code2] = (await once(binary, 'close')) as [number];
  assert.equal(code2, 1003);
});

test('--trust-proxy takes the address the proxy appended to X-Forwarded-For', async (t) => {
  const { base, next } = await startTestWeb(t, { trustProxy: true });
  const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`, {
    origin: base,
    headers: { 'x-forwarded-for': '10.9.9.9, 203.0.113.7' },
  });
  ws.on('error', () => {});
  const accepted = next();
  await once(ws, 'open');
  const { transport } = await accepted;
  assert.equal(transport.remoteAddress, '203.0.113.7');
  ws.close();
});
