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
  writeSync,
} from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { accelSite, startNginx, type Nginx } from './nginx.js';
import { freePort } from './ports.js';
import { formatTable } from './report.js';

/**
 * `papo bench --scenario files` (#14): a 1 GiB file up and down on loopback, beside sha256sum and
 * nginx, and downloaded from papo behind nginx with `--files-accel-redirect` (nginx sends it).
 */
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

/** Starts this papo as a server on free ports in `dir`; resolves with its ports. */
async function startPapo(
  dir: string,
  size: number,
  extra: string[] = [],
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
    ...extra,
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

/** Offers the file to the papo on chat port `port` and PATCHes it with curl; its time and URL. */
async function upload(port: number, path: string, size: number, digest: string) {
  const ana = await jsonUser(port, 'bench');
  ana.send({ type: 'file_offer', name: 'test.bin', size, sha256: digest });
  const slot = await ana.until('upload_slot');
  if (slot.type !== 'upload_slot') throw new Error(`offer refused: ${JSON.stringify(slot)}`);
  const headers = ['Content-Type: application/offset+octet-stream', 'Upload-Offset: 0', 'Expect:'];
  const args = ['-sS', '-f', '-X', 'PATCH', '-T', path, '-o', '/dev/null', '-D', '-'];
  const up = await timed('curl', [...args, ...headers.flatMap((h) => ['-H', h]), String(slot.url)]);
  const url = /^papo-file-url: (\S+)/im.exec(up.out)?.[1];
  if (!url) throw new Error(`the upload was not stored: ${up.out.slice(0, 300)}`);
  await ana.until('file');
  ana.close();
  return { ms: up.ms, url };
}

/** The internal location of the papo behind nginx (docs/SERVER.md, "Behind nginx"). */
const ACCEL_PREFIX = '/_papo_files/';

export async function runFilesBench(o: FilesBenchOptions): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'papo-bench-files-'));
  const children: ChildProcess[] = [];
  const owned = (name: string, mode: number) => {
    const sub = join(dir, name);
    mkdirSync(sub, { mode });
    chmodSync(sub, mode);
    return sub;
  };
  try {
    // nginx's workers run as another user when started by root: they must be able to read it,
    // and, behind nginx, papo's blobs as papo's group (its data directory: 0710).
    chmodSync(dir, 0o755);
    const webRoot = owned('www', 0o755);
    const path = join(webRoot, 'test.bin');
    o.log(`files: writing a ${o.size / MiB} MiB test file`);
    writeTestFile(path, o.size);
    chmodSync(path, 0o644);
    await timed('sha256sum', [path]); // warm the page cache for every reader alike
    const sum = await timed('sha256sum', [path]);
    const digest = sum.out.split(' ')[0] as string;

    o.log('files: starting nginx, papo, and papo behind nginx');
    const site = `  sendfile on; tcp_nopush on; types { application/octet-stream bin; }
  server { listen 127.0.0.1:PORT; root ${webRoot}; }`;
    const start = async (sub: string, http: (port: number) => string, port?: number): Promise<Nginx> => {
      const n = await startNginx(o.nginx, owned(sub, 0o755), http, port);
      children.push(n.child);
      return n;
    };
    const nginx = await start('nginx', (port) => site.replace('PORT', String(port)));
    const papo = await startPapo(join(dir, 'papo'), o.size);
    children.push(papo.child);
    const frontPort = await freePort();
    const accelDir = owned('papo-accel', 0o710);
    const accelArgs = [
      '--files-accel-redirect',
      ACCEL_PREFIX,
      '--public-url',
      `http://127.0.0.1:${frontPort}`,
    ];
    const accel = await startPapo(accelDir, o.size, accelArgs);
    children.push(accel.child);
    const accelWeb = Number(new URL(accel.web).port);
    await start(
      'front',
      (port) => accelSite(port, accelWeb, join(accelDir, 'files'), ACCEL_PREFIX),
      frontPort,
    );

    o.log('files: uploading to papo, and to papo through nginx');
    const up = await upload(papo.port, path, o.size, digest);
    const upAccel = await upload(accel.port, path, o.size, digest);

    o.log('files: downloading from nginx, papo, and papo behind nginx');
    const fetch = (u: string) => timed('curl', ['-sS', '-f', '-o', '/dev/null', u]);
    const nginxUrl = `http://127.0.0.1:${nginx.port}/test.bin`;
    for (const u of [nginxUrl, up.url, upAccel.url]) await fetch(u); // warm-up, all
    // Alternated rounds, medians: on a shared machine one fetch each swings by 2x.
    const ms = { nginx: [] as number[], papo: [] as number[], accel: [] as number[] };
    const cpu = { papo: 0, accel: 0 };
    for (let round = 0; round < DOWNLOAD_ROUNDS; round++) {
      ms.nginx.push((await fetch(nginxUrl)).ms);
      for (const [key, child, url] of [
        ['papo', papo.child, up.url],
        ['accel', accel.child, upAccel.url],
      ] as const) {
        const cpuBefore = cpuMs(child.pid);
        ms[key].push((await fetch(url)).ms);
        cpu[key] += cpuMs(child.pid) - cpuBefore;
      }
    }
    const peak = peakRssKiB(papo.child.pid);
    const perGiB = (spentMs: number) => spentMs / 1000 / ((o.size * DOWNLOAD_ROUNDS) / (1024 * MiB));

    const r = {
      scenario: 'files',
      bytes: o.size,
      sha256sumMiBs: rate(o.size, sum.ms),
      uploadMiBs: rate(o.size, up.ms),
      nginxMiBs: rate(o.size, median(ms.nginx)),
      downloadMiBs: rate(o.size, median(ms.papo)),
      serverPeakRssKiB: peak,
      serverCpuSecondsPerGiBDownloaded: perGiB(cpu.papo),
      accelUploadMiBs: rate(o.size, upAccel.ms),
      accelDownloadMiBs: rate(o.size, median(ms.accel)),
      accelServerCpuSecondsPerGiBDownloaded: perGiB(cpu.accel),
    };
    const upRatio = r.uploadMiBs / r.sha256sumMiBs;
    const downRatio = r.downloadMiBs / r.nginxMiBs;
    const accelRatio = r.accelDownloadMiBs / r.nginxMiBs;
    if (o.json)
      return JSON.stringify({
        tool: 'papo-bench',
        ...r,
        uploadVsSha256sum: upRatio,
        downloadVsNginx: downRatio,
        accelDownloadVsNginx: accelRatio,
      });
    const f = (n: number) => n.toFixed(0);
    return [
      formatTable([
        ['what', 'MiB/s', 'ratio', 'target'],
        ['sha256sum of the file', f(r.sha256sumMiBs), '', ''],
        ['papo upload (curl PATCH)', f(r.uploadMiBs), `${upRatio.toFixed(2)}x sha256sum`, '>= 0.70x'],
        ['nginx download (curl)', f(r.nginxMiBs), '', ''],
        ['papo download (curl)', f(r.downloadMiBs), `${downRatio.toFixed(2)}x nginx`, '>= 0.80x'],
        [
          'papo behind nginx, accel (curl)',
          f(r.accelDownloadMiBs),
          `${accelRatio.toFixed(2)}x nginx`,
          '>= 0.80x',
        ],
      ]),
      `file: ${o.size / MiB} MiB; downloads: median of ${DOWNLOAD_ROUNDS} alternated rounds; papo server CPU per GiB ` +
        `downloaded: ${r.serverCpuSecondsPerGiBDownloaded.toFixed(2)} s; peak RSS: ${peak === null ? '-' : `${(peak / 1024).toFixed(0)} MiB`}`,
      `behind nginx (--files-accel-redirect): upload through nginx ${f(r.accelUploadMiBs)} MiB/s; papo server CPU ` +
        `per GiB downloaded: ${r.accelServerCpuSecondsPerGiBDownloaded.toFixed(2)} s`,
    ].join('\n');
  } finally {
    for (const c of children) if (c.exitCode === null && c.pid !== undefined) process.kill(c.pid, 'SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? once(c, 'exit') : null)));
    rmSync(dir, { recursive: true, force: true });
  }
}
