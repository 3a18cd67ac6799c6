import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { KnownHostsFile } from '../../src/client/known-hosts.js';
import { prepareTlsConnector } from '../../src/client/tls-connector.js';
import { CLI, runCli } from '../helpers/cli.js';
import { LineClient } from '../helpers/line-client.js';
import { startServer } from '../helpers/server.js';
import { selfSigned, tempDir, testCa, writePair } from '../helpers/tls.js';

const SAFETY_MS = 10_000;

/** An in-process server with a TLS listener, a watcher on its plain port, and a config home. */
async function setup(t: TestContext, pair?: { cert: string; key: string }, tlsPort = 0) {
  const dir = tempDir(t);
  const files = writePair(dir, 'server', pair ?? (await selfSigned()));
  const srv = await startServer({ tlsPort });
  const port = (await srv.server.listenTls(files)).port;
  const watcher = await LineClient.join(srv.port, 'watcher');
  t.after(async () => {
    watcher.destroy();
    await srv.stop();
  });
  const config = join(dir, 'config');
  const knownHosts = join(config, 'papo', 'known_hosts');
  return { srv, port, watcher, config, knownHosts, fingerprint: srv.server.tlsFingerprint as string };
}

function spawnClient(args: string[], env: NodeJS.ProcessEnv): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [CLI, 'client', ...args], {
    env: { ...process.env, LANG: 'en_US.UTF-8', NO_COLOR: '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs `papo client ARGS` in pipe mode with `input` on stdin, to its exit. */
const runClient = (args: string[], input: string, env: NodeJS.ProcessEnv) =>
  runCli(['client', ...args], { LANG: 'en_US.UTF-8', NO_COLOR: '', ...env }, { input, timeoutMs: SAFETY_MS });

test('pipe mode: refused on first use, accepted with --fingerprint, then pinned', async (t) => {
  const { port, watcher, config, knownHosts, fingerprint } = await setup(t);
  const env = { XDG_CONFIG_HOME: config };
  const address = `127.0.0.1:${port}`;
  const r1 = await runClient(['--tls', address, '--name', 'bot'], 'never sent\n', env);
  assert.equal(r1.code, 1);
  assert.ok(r1.stderr.includes(`It presented ${fingerprint}`), r1.stderr);
  assert.ok(r1.stderr.includes(`papo client --tls ${address} --fingerprint ${fingerprint}`), r1.stderr);
  const r2 = await runClient(
    ['--tls', address, '--name', 'bot', '--fingerprint', fingerprint],
    'first\n',
    env,
  );
  assert.equal(r2.code, 0, r2.stderr);
  assert.equal(await watcher.lineMatching(/^bot: /), 'bot: first');
  assert.match(readFileSync(knownHosts, 'utf8'), new RegExp(`\\n127\\.0\\.0\\.1:${port} SHA256:\\S+\\n$`));
  const r3 = await runClient(['--tls', address, '--name', 'bot'], 'pinned\n', env);
  assert.equal(r3.code, 0, r3.stderr);
  assert.equal(await watcher.lineMatching(/^bot: /), 'bot: pinned');
});

test('a certificate other than the pinned one is refused with the loud warning', async (t) => {
  const { port, config, knownHosts, fingerprint } = await setup(t);
  const pinned = 'SHA256:' + 'p'.repeat(43); // what known_hosts trusted before the swap
  mkdirSync(join(config, 'papo'), { recursive: true });
  writeFileSync(knownHosts, `127.0.0.1:${port} ${pinned}\n`);
  const r = await runClient(['--tls', `127.0.0.1:${port}`, '--name', 'bot'], 'never sent\n', {
    XDG_CONFIG_HOME: config,
  });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^@+\n@ +WARNING: THE TLS CERTIFICATE OF THIS SERVER HAS CHANGED! +@\n/);
  assert.ok(r.stderr.includes(`: ${pinned}\n`) && r.stderr.includes(`Presented now: ${fingerprint}\n`));
  assert.ok(r.stderr.includes(`--fingerprint ${fingerprint}`));
  assert.equal(readFileSync(knownHosts, 'utf8'), `127.0.0.1:${port} ${pinned}\n`);
});

test('a certificate swapped while connected is refused at the reconnect', async (t) => {
  const first = await setup(t);
  const env = { XDG_CONFIG_HOME: first.config };
  const address = `127.0.0.1:${first.port}`;
  const pin = await runClient(
    ['--tls', address, '--name', 'bot', '--fingerprint', first.fingerprint],
    '',
    env,
  );
  assert.equal(pin.code, 0, pin.stderr);
  const child = spawnClient(['--tls', address, '--name', 'bot'], env);
  t.after(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = once(child, 'exit');
  child.stdin.write('before\n');
  assert.equal(await first.watcher.lineMatching(/^bot: /), 'bot: before');
  // The server goes away and something else answers on its port with another certificate.
  await first.srv.stop();
  const second = await setup(t, undefined, first.port);
  const timer = setTimeout(() => child.kill('SIGKILL'), SAFETY_MS);
  const [code] = (await exited) as [number | null];
  clearTimeout(timer);
  assert.equal(code, 1);
  assert.match(stderr, /WARNING: THE TLS CERTIFICATE OF THIS SERVER HAS CHANGED!/);
  assert.ok(stderr.includes(`Presented now: ${second.fingerprint}`), stderr);
});

test('a certificate from a CA the system trusts is accepted without a fingerprint', async (t) => {
  const dir = tempDir(t);
  const ca = await testCa(['localhost', '127.0.0.1']);
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, ca.caCert);
  const { port, watcher, config, knownHosts } = await setup(t, ca);
  const env = { XDG_CONFIG_HOME: config, NODE_EXTRA_CA_CERTS: caFile };
  const r = await runClient(['--tls', `localhost:${port}`, '--name', 'bot'], 'via a CA\n', env);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await watcher.lineMatching(/^bot: /), 'bot: via a CA');
  assert.throws(() => readFileSync(knownHosts), { code: 'ENOENT' });
});

test('a malformed --fingerprint is one clear error', async (t) => {
  const r = await runClient(['--fingerprint', 'ab:cd', '127.0.0.1:1'], '', { XDG_CONFIG_HOME: tempDir(t) });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^papo: --fingerprint ab:cd: expected SHA256: and 43 base64 characters/);
});

test('on a terminal, the fingerprint is shown and a yes trusts the server', async (t) => {
  const { srv, port, fingerprint } = await setup(t);
  const knownHosts = new KnownHostsFile(join(tempDir(t), 'known_hosts'));
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = '';
  output.setEncoding('utf8').on('data', (d: string) => {
    shown += d;
    if (shown.endsWith('(yes/no) ')) input.write('yes\n');
  });
  const connect = await prepareTlsConnector({
    address: { host: '127.0.0.1', port },
    fingerprint: null,
    knownHosts,
    terminal: { input, output },
  });
  assert.ok(shown.includes(`Its fingerprint is ${fingerprint}\n`), shown);
  assert.equal(knownHosts.lookup('127.0.0.1', port), fingerprint);
  const socket = await connect();
  t.after(() => socket.destroy());
  assert.equal(srv.server.tlsFingerprint, fingerprint);
  // Later connections never ask: the server is pinned now.
  const again = await connect();
  again.destroy();
  assert.equal(shown.match(/\(yes\/no\)/g)?.length, 1);
});
