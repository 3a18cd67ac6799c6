import assert from 'node:assert/strict';
import { once } from 'node:events';
import { get as httpsGet } from 'node:https';
import { test } from 'node:test';
import { X509Certificate } from 'node:crypto';
import pino from 'pino';
import { startServer } from '../helpers/server.js';
import { selfSigned, tempDir, writePair } from '../helpers/tls.js';
import { certificateFingerprint } from '../../src/protocol/tls-fingerprint.js';
import { startWeb } from '../../src/server/web/index.js';
import type { CertificateFiles } from '../../src/server/certificate.js';

/** Starts the web listener as `papo server` does, with or without TLS files. */
async function web(t: { after(fn: () => unknown): void }, tlsFiles: CertificateFiles | null) {
  const srv = await startServer();
  const listener = await startWeb({
    options: {
      web: true,
      webPort: 0,
      webOrigins: [],
      trustProxy: false,
      host: '127.0.0.1',
      heartbeatSeconds: 30,
    },
    log: pino({ level: 'silent' }),
    gate: srv.server,
    tlsFiles,
  });
  assert.ok(listener);
  t.after(async () => {
    await listener.close();
    await srv.stop();
  });
  return listener;
}

test('with --tls, /config.json gives the certificate fingerprint papo client pins', async (t) => {
  const pair = await selfSigned();
  const files = writePair(tempDir(t), 'web', pair);
  const listener = await web(t, files);
  const req = httpsGet(`${listener.url}config.json`, { rejectUnauthorized: false });
  const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  // The certificate the connection actually presented.
  const presented = (res.socket as import('node:tls').TLSSocket).getPeerX509Certificate();
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (c: string) => (body += c));
  await once(res, 'end');
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'application/json');
  assert.equal(res.headers['cache-control'], 'no-cache');
  assert.match(String(res.headers['content-security-policy']), /default-src 'none'/);
  const expected = certificateFingerprint(new X509Certificate(pair.cert).raw);
  assert.deepEqual(JSON.parse(body), { tls: { fingerprint: expected } });
  assert.equal(certificateFingerprint(presented!.raw), expected);
});

test('without TLS, /config.json says so', async (t) => {
  const listener = await web(t, null);
  const res = await fetch(`${listener.url}config.json`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { tls: null });
});
