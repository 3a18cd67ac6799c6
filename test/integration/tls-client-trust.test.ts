import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { KnownHostsFile } from '../../src/client/known-hosts.js';
import { connectTls, TlsConnectError, type TlsConnectOptions } from '../../src/client/tls-connect.js';
import { startServer } from '../helpers/server.js';
import { selfSigned, tempDir, testCa, writePair } from '../helpers/tls.js';

/** An in-process server whose TLS listener serves `pair`, plus a client-side known_hosts file. */
async function setup(t: TestContext, pair?: { cert: string; key: string }) {
  const dir = tempDir(t);
  const files = writePair(dir, 'server', pair ?? (await selfSigned()));
  const srv = await startServer({ tlsPort: 0 });
  t.after(() => srv.stop());
  const port = (await srv.server.listenTls(files)).port;
  const knownHosts = new KnownHostsFile(join(dir, 'home', '.config', 'papo', 'known_hosts'));
  const asked: string[] = [];
  const options = (over: Partial<TlsConnectOptions> = {}): TlsConnectOptions => ({
    host: '127.0.0.1',
    port,
    knownHosts,
    fingerprint: null,
    ask: async (text) => {
      asked.push(text);
      return true;
    },
    acceptCommand: (fp) => `papo client --tls 127.0.0.1:${port} --fingerprint ${fp}`,
    ...over,
  });
  /** Swaps the served certificate for a new one (what a man in the middle would present). */
  const swapCertificate = async () => {
    const next = await selfSigned();
    writeFileSync(files.certPath, next.cert);
    writeFileSync(files.keyPath, next.key);
    assert.equal(srv.server.reloadTls()?.ok, true);
  };
  return { srv, port, knownHosts, asked, options, swapCertificate };
}

/** Connects and checks the socket carries the chat (the greeting arrives); closes it. */
async function chatWorks(t: TestContext, socket: TLSSocket): Promise<void> {
  t.after(() => socket.destroy());
  socket.setEncoding('utf8');
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no greeting within 5 s')), 5000);
    socket.once('data', (d: string) => {
      clearTimeout(timer);
      resolve(d);
    });
  });
  assert.match(first, /^\*\*\* papo /);
}

async function refusal(promise: Promise<unknown>): Promise<TlsConnectError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof TlsConnectError, String(err));
    return err;
  }
  assert.fail('the connection was accepted');
}

test('trusts a self-signed server on first use after asking, then reconnects pinned', async (t) => {
  const { srv, port, knownHosts, asked, options } = await setup(t);
  const fp = srv.server.tlsFingerprint as string;
  await chatWorks(t, await connectTls(options()));
  assert.equal(asked.length, 1);
  assert.ok(asked[0]?.includes(`Its fingerprint is ${fp}`), asked[0]);
  assert.equal(knownHosts.lookup('127.0.0.1', port), fp);
  await chatWorks(t, await connectTls(options()));
  assert.equal(asked.length, 1, 'a pinned server is not asked about again');
});

test('a "no" at the first-use question leaves without remembering', async (t) => {
  const { port, knownHosts, options } = await setup(t);
  const err = await refusal(connectTls(options({ ask: async () => false })));
  assert.equal(err.code, 'CERT_REJECTED');
  assert.equal(err.isRetryable, false);
  assert.equal(knownHosts.lookup('127.0.0.1', port), null);
});

test('refuses a changed certificate loudly, naming both fingerprints and the way to accept it', async (t) => {
  const { srv, port, knownHosts, asked, options, swapCertificate } = await setup(t);
  const old = srv.server.tlsFingerprint as string;
  (await connectTls(options())).destroy();
  await swapCertificate();
  const presented = srv.server.tlsFingerprint as string;
  const err = await refusal(connectTls(options()));
  assert.equal(err.code, 'CERT_CHANGED');
  assert.equal(err.isRetryable, false);
  assert.match(err.message, /WARNING: THE TLS CERTIFICATE OF THIS SERVER HAS CHANGED!/);
  assert.ok(err.message.includes(`Trusted (in ${knownHosts.path}): ${old}`), err.message);
  assert.ok(err.message.includes(`Presented now: ${presented}`), err.message);
  assert.ok(err.message.includes(`papo client --tls 127.0.0.1:${port} --fingerprint ${presented}`));
  assert.equal(asked.length, 1, 'a changed certificate is never offered for trust by a keypress');
  assert.equal(knownHosts.lookup('127.0.0.1', port), old);
  // Accepting it on purpose: --fingerprint with the new one replaces the pin.
  await chatWorks(t, await connectTls(options({ fingerprint: presented })));
  assert.equal(knownHosts.lookup('127.0.0.1', port), presented);
});

test('pipe mode refuses an unknown server unless --fingerprint names it', async (t) => {
  const { srv, port, knownHosts, options } = await setup(t);
  const fp = srv.server.tlsFingerprint as string;
  const err = await refusal(connectTls(options({ ask: null })));
  assert.equal(err.code, 'CERT_UNKNOWN');
  assert.ok(err.message.includes(`It presented ${fp}`), err.message);
  assert.ok(err.message.includes(`--fingerprint ${fp}`), err.message);
  assert.equal(knownHosts.lookup('127.0.0.1', port), null);
  const wrong = 'SHA256:' + 'x'.repeat(43);
  const mismatch = await refusal(connectTls(options({ ask: null, fingerprint: wrong })));
  assert.equal(mismatch.code, 'CERT_MISMATCH');
  assert.ok(mismatch.message.includes(`Expected: ${wrong}`) && mismatch.message.includes(`Presented: ${fp}`));
  await chatWorks(t, await connectTls(options({ ask: null, fingerprint: fp })));
  assert.equal(knownHosts.lookup('127.0.0.1', port), fp);
  await chatWorks(t, await connectTls(options({ ask: null })));
});

test('accepts a CA-signed certificate without asking or pinning', async (t) => {
  const ca = await testCa(['localhost', '127.0.0.1']);
  const { port, knownHosts, asked, options } = await setup(t, ca);
  await chatWorks(t, await connectTls(options({ ca: ca.caCert, ask: null })));
  await chatWorks(t, await connectTls(options({ ca: ca.caCert, host: 'localhost' })));
  assert.deepEqual(asked, []);
  assert.equal(knownHosts.lookup('127.0.0.1', port), null);
});

test('a CA-signed certificate for another name is treated like a self-signed one', async (t) => {
  const ca = await testCa(['chat.example.org']);
  const { asked, options } = await setup(t, ca);
  const err = await refusal(connectTls(options({ ca: ca.caCert, ask: null })));
  assert.equal(err.code, 'CERT_UNKNOWN');
  await chatWorks(t, await connectTls(options({ ca: ca.caCert })));
  assert.match(asked[0] ?? '', /ERR_TLS_CERT_ALTNAME_INVALID/);
});

test('a server that is not there is a retryable network error', async (t) => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as { port: number }).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const dir = tempDir(t);
  const err = await refusal(
    connectTls({
      host: '127.0.0.1',
      port,
      knownHosts: new KnownHostsFile(join(dir, 'known_hosts')),
      fingerprint: null,
      ask: null,
      acceptCommand: () => '',
    }),
  );
  assert.equal(err.code, 'ECONNREFUSED');
  assert.equal(err.isRetryable, true);
});

test('an unwritable known_hosts is a clear, final error', async (t) => {
  const { options } = await setup(t);
  const dir = tempDir(t);
  const blocker = join(dir, 'file');
  writeFileSync(blocker, '');
  const err = await refusal(
    connectTls(options({ knownHosts: new KnownHostsFile(join(blocker, 'known_hosts')) })),
  );
  assert.equal(err.code, 'KNOWN_HOSTS_UNUSABLE');
  assert.ok(err.message.includes(blocker));
  assert.equal(readFileSync(blocker, 'utf8'), '');
});
