import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import {
  chmodSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { formatTable } from './report.js';

/** `papo bench --scenario files` (#14): a 1 GiB file up and down on loopback, beside sha256sum and nginx. */
export interface FilesBenchOptions {
  /** Bytes in the test file (default 1 GiB). */
  size: number;
  nginx: string;
  json: boolean;
  log: (line: string) => void;
}

const MiB = 1024 * 1024;

function rate(bytes: number, ms: number): number {
  return bytes / MiB / (ms / 1000);
}

/** Runs a command to its end; resolves with its stdout and the wall time in ms, or rejects. */
async function timed(cmd: string, args: string[]): Promise<{ out: string; ms: number }> {
  const started = performance.now();
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const [code] = (await once(child, 'close')) as [number];
  if (code !== 0) throw new Error(`${cmd} exited ${code}: ${err.trim().slice(0, 300)}`);
  return { out, ms: performance.now() - started };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ port, host: '127.0.0.1' });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts Debian's nginx serving `root` on a free port, with its own config; stopped by PID. */
async function startNginx(
  nginx: string,
  dir: string,
  root: string,
): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  const t = (name: string) => join(dir, name);
  writeFileSync(
    conf,
    `daemon off; worker_processes 1; pid ${t('nginx.pid')}; error_log ${t('nginx-error.log')};
events { worker_connections 64; }
http {
  access_log off; sendfile on; tcp_nopush on;
  client_body_temp_path ${t('nb')}; proxy_temp_path ${t('np')}; fastcgi_temp_path ${t('nf')};
  uwsgi_temp_path ${t('nu')}; scgi_temp_path ${t('ns')};
  types { application/octet-stream bin; }
  server { listen 127.0.0.1:${port}; root ${root}; }
}
`,
  );
  const child = spawn(nginx, ['-e', t('nginx-error.log'), '-p', dir, '-c', conf], { stdio: 'ignore' });
  await waitForPort(port, 5000);
  return { child, port };
}

/** Starts this papo as a server on free ports in `dir`; resolves with its ports. */
async function startPapo(
  dir: string,
  size: number,
): Promise<{ child: ChildProcess; port: number; web: string }> {
  const args = [
    ...process.execArgv,
    process.argv[1] as string,
    'server',
    '--port',
    '0',
    '--web-port',
    '0',
    '--data-dir',
    dir,
    '--no-history',
    '--max-file-size',
    String(size),
    '--files-max-bytes',
    '0',
    '--log-level',
    'warn',
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let port = 0;
  let web = '';
  for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
    const chat = /^listening on .*:(\d+)$/.exec(line);
    if (chat) port = Number(chat[1]);
    const w = /^web listening on (\S+)$/.exec(line);
    if (w) web = w[1] as string;
    if (port && web) break;
  }
  if (!port || !web) throw new Error('the papo server did not start');
  return { child, port, web };
}

/** A JSON-lines user: sends lines, waits for one matching a test. */
async function jsonUser(port: number, name: string) {
  const socket: Socket = connect({ port, host: '127.0.0.1' });
  await once(socket, 'connect');
  const lines = createInterface({ input: socket });
  const seen: Array<Record<string, unknown>> = [];
  let wake: (() => void) | null = null;
  lines.on('line', (l) => {
    if (!l.startsWith('{')) return;
    seen.push(JSON.parse(l) as Record<string, unknown>);
    wake?.();
  });
  const until = async (type: string) => {
    for (;;) {
      const i = seen.findIndex((m) => m.type === type || m.type === 'error');
      if (i !== -1) return seen.splice(i, 1)[0] as Record<string, unknown>;
      await new Promise<void>((r) => (wake = r));
    }
  };
  const send = (m: object) => socket.write(`${JSON.stringify(m)}\n`);
  send({ type: 'hello', version: 2, name });
  await until('welcome');
  return { send, until, close: () => socket.destroy() };
}

function writeTestFile(path: string, size: number): void {
  const fd = openSync(path, 'w');
  const block = randomBytes(MiB);
  try {
    for (let at = 0; at < size; at += MiB) {
      block.writeUInt32LE(at / MiB, 0);
      writeSync(fd, block, 0, Math.min(MiB, size - at));
    }
  } finally {
    closeSync(fd);
  }
}

const DOWNLOAD_ROUNDS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** User + system CPU time of a process (all its threads) so far, in ms; 0 when unreadable. */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // After "pid (comm) ", utime and stime are fields 11 and 12 (0-based), in USER_HZ (100/s on Linux) ticks.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

function peakRssKiB(pid: number | undefined): number | null {
  try {
    return Number(/^VmHWM:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  } catch {
    return null;
  }
}

export async function runFilesBench(o: FilesBenchOptions): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'papo-bench-files-'));
  const children: ChildProcess[] = [];
  try {
    const webRoot = join(dir, 'www');
    const path = join(webRoot, 'test.bin');
    // nginx's workers run as another user when started by root: they must be able to read it.
    chmodSync(dir, 0o755);
    mkdirSync(webRoot, { mode: 0o755 });
    o.log(`files: writing a ${o.size / MiB} MiB test file`);
    writeTestFile(path, o.size);
    chmodSync(path, 0o644);
    await timed('sha256sum', [path]); // warm the page cache for every reader alike
    const sum = await timed('sha256sum', [path]);
    const digest = sum.out.split(' ')[0] as string;

    o.log('files: starting nginx and papo');
    const nginx = await startNginx(o.nginx, dir, webRoot);
    children.push(nginx.child);
    const papo = await startPapo(join(dir, 'papo'), o.size);
    children.push(papo.child);

    const ana = await jsonUser(papo.port, 'bench');
    ana.send({ type: 'file_offer', name: 'test.bin', size: o.size, sha256: digest });
    const slot = await ana.until('upload_slot');
    if (slot.type !== 'upload_slot') throw new Error(`offer refused: ${JSON.stringify(slot)}`);
    o.log('files: uploading to papo');
    const up = await timed('curl', [
      '-sS',
      '-f',
      '-X',
      'PATCH',
      '-T',
      path,
      '-o',
      '/dev/null',
      '-D',
      '-',
      '-H',
      'Content-Type: application/offset+octet-stream',
      '-H',
      'Upload-Offset: 0',
      '-H',
      'Expect:',
      String(slot.url),
    ]);
    const url = /^papo-file-url: (\S+)/im.exec(up.out)?.[1];
    if (!url) throw new Error(`the upload was not stored: ${up.out.slice(0, 300)}`);
    await ana.until('file');
    ana.close();

    o.log('files: downloading from nginx and papo');
    const fetch = (u: string) => timed('curl', ['-sS', '-f', '-o', '/dev/null', u]);
    const nginxUrl = `http://127.0.0.1:${nginx.port}/test.bin`;
    await fetch(nginxUrl); // warm-up, both
    await fetch(url);
    // Alternated rounds, medians: on a shared machine one fetch each swings by 2x.
    const nginxMs: number[] = [];
    const papoMs: number[] = [];
    let papoCpuMs = 0;
    for (let round = 0; round < DOWNLOAD_ROUNDS; round++) {
      nginxMs.push((await fetch(nginxUrl)).ms);
      const cpuBefore = cpuMs(papo.child.pid);
      papoMs.push((await fetch(url)).ms);
      papoCpuMs += cpuMs(papo.child.pid) - cpuBefore;
    }
    const fromNginx = { ms: median(nginxMs) };
    const fromPapo = { ms: median(papoMs) };
    const peak = peakRssKiB(papo.child.pid);

    const r = {
      scenario: 'files',
      bytes: o.size,
      sha256sumMiBs: rate(o.size, sum.ms),
      uploadMiBs: rate(o.size, up.ms),
      nginxMiBs: rate(o.size, fromNginx.ms),
      downloadMiBs: rate(o.size, fromPapo.ms),
      serverPeakRssKiB: peak,
      serverCpuSecondsPerGiBDownloaded: papoCpuMs / 1000 / ((o.size * DOWNLOAD_ROUNDS) / (1024 * MiB)),
    };
    const upRatio = r.uploadMiBs / r.sha256sumMiBs;
    const downRatio = r.downloadMiBs / r.nginxMiBs;
    if (o.json)
      return JSON.stringify({
        tool: 'papo-bench',
        ...r,
        uploadVsSha256sum: upRatio,
        downloadVsNginx: downRatio,
      });
    const f = (n: number) => n.toFixed(0);
    return [
      formatTable([
        ['what', 'MiB/s', 'ratio', 'target'],
        ['sha256sum of the file', f(r.sha256sumMiBs), '', ''],
        ['papo upload (curl PATCH)', f(r.uploadMiBs), `${upRatio.toFixed(2)}x sha256sum`, '>= 0.70x'],
        ['nginx download (curl)', f(r.nginxMiBs), '', ''],
        ['papo download (curl)', f(r.downloadMiBs), `${downRatio.toFixed(2)}x nginx`, '>= 0.80x'],
      ]),
      `file: ${o.size / MiB} MiB; downloads: median of ${DOWNLOAD_ROUNDS} alternated rounds; papo server CPU per GiB ` +
        `downloaded: ${r.serverCpuSecondsPerGiBDownloaded.toFixed(2)} s; peak RSS: ${peak === null ? '-' : `${(peak / 1024).toFixed(0)} MiB`}`,
    ].join('\n');
  } finally {
    for (const c of children) if (c.exitCode === null && c.pid !== undefined) process.kill(c.pid, 'SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? once(c, 'exit') : null)));
    rmSync(dir, { recursive: true, force: true });
  }
}
