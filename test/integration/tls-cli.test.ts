import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { certificateFingerprint } from '../../src/protocol/tls-fingerprint.js';
import { CLI, runCli } from '../helpers/cli.js';
import { LineClient } from '../helpers/line-client.js';
import { selfSigned, tempDir, testCa, tlsDial, tlsJoin, writePair } from '../helpers/tls.js';

interface TlsCli {
  child: ChildProcessWithoutNullStreams;
  /** stdout lines, in order. */
  lines: string[];
  tlsPort: number;
  fingerprint: string;
  /** Resolves once stderr has a log record with this message (safety timeout 5 s). */
  logged(msg: string): Promise<void>;
}

/** Runs `papo server ARGS` and waits for its fingerprint line. */
async function spawnTls(t: TestContext, args: string[]): Promise<TlsCli> {
  const child = spawn(process.execPath, [CLI, 'server', '--port', '0', '--tls-port', '0', ...args], {
    env: { ...process.env, LANG: 'C' },
  });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    err += d;
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no fingerprint line; stdout ${out}, stderr ${err}`)),
      10_000,
    );
    child.stdout.on('data', (d: string) => {
      out += d;
      if (/TLS certificate fingerprint .*\n/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${err}`)));
  });
  const lines = out.trimEnd().split('\n');
  const tlsPort = Number(/^listening \(TLS\) on \S+:(\d+)$/m.exec(out)?.[1]);
  const fingerprint = /^TLS certificate fingerprint (\S+)$/m.exec(out)?.[1] as string;
  const logged = async (msg: string) => {
    const deadline = Date.now() + 5000;
    while (!err.includes(`"msg":"${msg}"`)) {
      if (Date.now() > deadline) throw new Error(`no log "${msg}" in ${err}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5000);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };
  return { child, lines, tlsPort, fingerprint, logged };
}

function fingerprintOf(socket: TLSSocket): string {
  return certificateFingerprint(socket.getPeerCertificate().raw);
}

test('papo server --tls prints both listeners and the fingerprint of the certificate it serves', async (t) => {
  const dataDir = tempDir(t);
  const srv = await spawnTls(t, ['--tls', '--data-dir', dataDir]);
  assert.match(srv.lines[0] as string, /^listening on 127\.0\.0\.1:\d+$/);
  assert.match(srv.lines[1] as string, /^listening \(TLS\) on 127\.0\.0\.1:\d+$/);
  assert.match(srv.lines[2] as string, /^TLS certificate fingerprint SHA256:[A-Za-z0-9+/]{43}$/);
  const socket = await tlsDial(srv.tlsPort);
  t.after(() => socket.destroy());
  assert.equal(fingerprintOf(socket), srv.fingerprint);
  assert.equal(statSync(join(dataDir, 'tls', 'key.pem')).mode & 0o777, 0o600);
  const plainPort = Number(/:(\d+)$/.exec(srv.lines[0] as string)?.[1]);
  const ana = await LineClient.join(plainPort, 'ana');
  const bob = await tlsJoin(srv.tlsPort, 'bob');
  t.after(() => [ana, bob].forEach((c) => c.destroy()));
  bob.sendLine('encrypted hello');
  assert.equal(await ana.lineMatching(/^bob: /), 'bob: encrypted hello');
});

test('keeps its self-signed certificate across restarts', async (t) => {
  const dataDir = tempDir(t);
  const first = await spawnTls(t, ['--tls', '--data-dir', dataDir]);
  first.child.kill('SIGTERM');
  await once(first.child, 'exit');
  const second = await spawnTls(t, ['--tls', '--data-dir', dataDir]);
  assert.equal(second.fingerprint, first.fingerprint);
});

test('--no-plain leaves TLS only and says so on the first line', async (t) => {
  const srv = await spawnTls(t, ['--tls', '--no-plain', '--data-dir', tempDir(t)]);
  assert.match(srv.lines[0] as string, /^listening \(TLS\) on /);
  assert.equal(srv.lines.length, 2);
});

test('--no-plain without --tls, or --tls-cert without --tls-key, is one clear error', async (t) => {
  const dataDir = tempDir(t);
  const [r1, r2, r3] = await Promise.all([
    runCli(['server', '--no-plain', '--port', '0', '--data-dir', dataDir]),
    runCli(['server', '--tls-cert', join(dataDir, 'x.pem'), '--port', '0', '--data-dir', dataDir]),
    runCli([
      'server',
      ...['--tls-cert', join(dataDir, 'missing.pem'), '--tls-key', join(dataDir, 'missing.key')],
      ...['--port', '0', '--tls-port', '0', '--data-dir', dataDir],
    ]),
  ]);
  assert.equal(r1.code, 1);
  assert.match(r1.stderr, /^papo: --no-plain leaves nothing to listen on: add --tls\n$/);
  assert.equal(r2.code, 1);
  assert.match(r2.stderr, /--tls-cert and --tls-key go together/);
  assert.equal(r3.code, 1);
  assert.match(r3.stderr, /^papo: TLS: cannot read .*missing\.pem/);
});

test('serves a given CA-signed chain and reloads it on SIGHUP without dropping users', async (t) => {
  const dir = tempDir(t);
  const ca = await testCa(['localhost', '127.0.0.1']);
  const files = writePair(dir, 'chain', ca);
  const srv = await spawnTls(t, [
    ...['--tls-cert', files.certPath, '--tls-key', files.keyPath],
    ...['--data-dir', dir],
  ]);
  const ana = await tlsJoin(srv.tlsPort, 'ana');
  t.after(() => ana.destroy());
  const served = ana.socket as TLSSocket;
  assert.equal(fingerprintOf(served), srv.fingerprint);
  // The whole chain is sent: the leaf's issuer comes with it.
  assert.equal(served.getPeerCertificate(true).issuerCertificate?.subject?.CN, 'papo test CA');
  const next = await selfSigned();
  writeFileSync(files.certPath, next.cert);
  writeFileSync(files.keyPath, next.key);
  srv.child.kill('SIGHUP');
  await srv.logged('TLS certificate reloaded');
  const bob = await tlsJoin(srv.tlsPort, 'bob');
  t.after(() => bob.destroy());
  assert.notEqual(fingerprintOf(bob.socket as TLSSocket), srv.fingerprint);
  bob.sendLine('after the reload');
  assert.equal(await ana.lineMatching(/^bob: /), 'bob: after the reload');
});
