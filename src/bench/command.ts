import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { fail, intIn, seconds } from '../cli-util.js';
import { VERSION } from '../version.js';
import type { BenchProto, BenchTransport } from './bench-client.js';
import { runChurn } from './churn.js';
import type { Endpoint } from './clients.js';
import { runFanout } from './fanout.js';
import { runFilesBench } from './files.js';
import { runIdle } from './idle.js';
import { inUseText, probeServer, type ServerUse } from './probe.js';
import { Progress } from './progress.js';
import { formatJson, formatReport, type BenchResult } from './report.js';
import { fanoutSvg } from './svg.js';
import { parseTarget, resolveTarget } from './target.js';

const SCENARIOS = ['fanout', 'idle', 'churn', 'files'] as const;
type Scenario = (typeof SCENARIOS)[number];

/** Commander parser for a positive number (fractions allowed) up to `max`. */
function positive(max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || n > max)
      throw new Error(`expected a number above 0, at most ${max}`);
    return n;
  };
}

/** Commander parser for a number of seconds from 0 to `max`. */
function nonNegative(max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0 || n > max) throw new Error(`expected seconds from 0 to ${max}`);
    return n;
  };
}

interface BenchFlags {
  scenario: Scenario;
  /** Unset: plain on TCP, JSON on a WebSocket. */
  proto?: BenchProto;
  transport: BenchTransport;
  tls?: boolean;
  clients: number;
  senders: number;
  rate: number;
  duration: number;
  size: number;
  rooms: number;
  findMax?: boolean;
  maxRate: number;
  p99Limit: number;
  maxTrials: number;
  drain: number;
  warmup: number;
  connections: number;
  workers: number;
  joinWindow: number;
  joinTimeout: number;
  leaveObservers: number;
  serverPid?: number;
  json?: boolean;
  svg?: string;
  allowRemote?: boolean;
  force?: boolean;
  quiet?: boolean;
}

/** `papo bench`: a load generator for any papo server (fanout, idle and churn scenarios). */
export function benchCommand(): Command {
  return new Command('bench')
    .description('load-test a papo server: fan-out throughput and latency, idle connections, churn')
    .argument('[target]', 'HOST[:PORT] of the server (default 127.0.0.1:65432); loopback only')
    .addOption(new Option('--scenario <name>', 'what to measure').choices(SCENARIOS).default('fanout'))
    .addOption(
      new Option(
        '--proto <proto>',
        'protocol the clients speak (default: plain; json with --transport ws)',
      ).choices(['plain', 'json']),
    )
    .addOption(
      new Option(
        '--transport <transport>',
        'tcp: lines on the TCP port; ws: JSON over a WebSocket on the web port (TARGET is the web port)',
      )
        .choices(['tcp', 'ws'])
        .default('tcp'),
    )
    .option('--tls', 'connect with TLS (to the TLS port; the certificate is not checked)')
    .option('-n, --clients <n>', 'fanout: clients, senders included', intIn(2, 20_000), 100)
    .option('-s, --senders <n>', 'fanout: clients that send', intIn(1, 20_000), 4)
    .option(
      '-r, --rate <msgs/s>',
      'fanout: total messages per second (find-max: the first step)',
      positive(1e7),
      1000,
    )
    .option('-d, --duration <seconds>', 'fanout: seconds per trial; churn: seconds in all', seconds(3600), 10)
    .option('--size <bytes>', 'fanout: message size (the token padded)', intIn(0, 1000), 0)
    .option(
      '--rooms <n>',
      'fanout: spread the clients over N rooms, one sender each, messages to random rooms (0: one room)',
      intIn(0, 10_000),
      0,
    )
    .option(
      '--find-max',
      'fanout: raise the rate until p99 passes the limit, a loss, or the rate is not held',
    )
    .option('--max-rate <msgs/s>', 'fanout: highest rate find-max tries', positive(1e7), 1_000_000)
    .option('--p99-limit <ms>', 'fanout: a trial with a higher p99 latency fails', positive(60_000), 100)
    .option('--max-trials <n>', 'fanout: most trials find-max runs', intIn(1, 64), 24)
    .option('--drain <seconds>', 'fanout: wait for late deliveries after each trial', seconds(600), 5)
    .option(
      '--warmup <seconds>',
      'fanout: send at the first rate this long first, unreported (0: none)',
      nonNegative(600),
      1,
    )
    .option('-c, --connections <n>', 'idle: clients that join and stay', intIn(2, 60_000), 1000)
    .option('-w, --workers <n>', 'churn: concurrent sessions', intIn(1, 1000), 8)
    .option('--join-window <n>', 'clients joining at once', intIn(1, 10_000), 16)
    .option('--join-timeout <seconds>', 'time one client may take to join', seconds(3600), 60)
    .option(
      '--leave-observers <n>',
      'idle: clients that stay when the others leave at once, counting the leave notices (0: no leave storm)',
      intIn(0, 100),
      2,
    )
    .option('--server-pid <pid>', 'a local server process, to report its RSS and CPU', intIn(1, 1 << 30))
    .option('--json', 'print one JSON object instead of the table')
    .option('--svg <file>', 'fanout: write the latency curve (and find-max rate and p99) as SVG')
    .option('--allow-remote', 'allow a target that is not this machine (test only servers you run)')
    .option('--force', 'test a server even when users are online or it has stored messages')
    .option('-q, --quiet', 'no progress line')
    .addHelpText(
      'after',
      '\nExamples (against a throwaway server; one with users or history is refused):\n' +
        '  papo server --port 7000 --no-history --data-dir "$(mktemp -d)" \\\n' +
        '    --flood-rate 1000000 --flood-burst 1000000 &\n' +
        '  papo bench 127.0.0.1:7000 --find-max -n 100 -s 4 -d 5   fan-out capacity\n' +
        '  papo bench :7000 --find-max -n 1000 --rooms 100 -d 5   100 rooms of 10, messages to random rooms\n' +
        '  papo bench :7000 --scenario idle -c 5000 --server-pid $!   joins, a broadcast, then a leave storm\n' +
        '  papo bench :7001 --scenario idle -c 2000 --server-pid PID --force   beside ideal-c (../shared/bench)\n' +
        '  papo bench :8080 --transport ws --find-max -n 100   the same over WebSocket (web port)\n' +
        '  papo bench :7000 --scenario churn -w 8 -d 10 --json\n' +
        '  papo bench --scenario files   1 GiB up and down on loopback: papo, nginx, papo behind nginx\n',
    )
    .action(async (target: string | undefined, flags: BenchFlags) => {
      await runBench(target, flags);
    });
}

/**
 * A load test joins hundreds of fake users and stores thousands of `PB:` lines: never in a chat
 * people use, or its history, unless --force says so (issue #17).
 */
async function refuseInUse(endpoint: Endpoint, target: string): Promise<void> {
  let use: ServerUse;
  try {
    use = await probeServer(endpoint);
  } catch (err) {
    fail(`cannot look at ${target} before testing it: ${(err as Error).message}`, err);
  }
  const refusal = inUseText(target, use);
  if (refusal !== null) fail(refusal);
}

async function runBench(spec: string | undefined, f: BenchFlags): Promise<void> {
  if (f.scenario === 'files') return runFiles(f);
  const target = parseTarget(spec);
  if (typeof target === 'string') fail(target);
  if (f.scenario === 'fanout' && f.senders > f.clients) fail('--senders cannot exceed --clients');
  if (f.rooms > 0 && (f.clients % f.rooms !== 0 || f.clients / f.rooms < 2)) {
    fail('--rooms must divide --clients, with at least two clients per room');
  }
  if (f.svg !== undefined && f.scenario !== 'fanout') fail('--svg draws fanout runs only');
  if (f.transport === 'ws' && f.proto === 'plain') fail('a WebSocket speaks JSON only: drop --proto plain');
  const proto: BenchProto = f.proto ?? (f.transport === 'ws' ? 'json' : 'plain');
  let address: string;
  try {
    address = await resolveTarget(target, Boolean(f.allowRemote));
  } catch (err) {
    fail((err as Error).message, err);
  }
  const endpoint: Endpoint = {
    address,
    port: target.port,
    proto,
    transport: f.transport,
    tls: Boolean(f.tls),
  };
  if (!f.force) await refuseInUse(endpoint, `${target.host}:${target.port}`);
  const progress = new Progress(process.stderr, Boolean(f.quiet));
  const joinTimeoutMs = f.joinTimeout * 1000;
  let result: BenchResult;
  try {
    switch (f.scenario) {
      case 'fanout':
        result = await runFanout(
          endpoint,
          {
            clients: f.clients,
            // With rooms, one sender per room (the first client of each).
            senders: f.rooms > 0 ? f.rooms : f.senders,
            rooms: f.rooms,
            rate: f.rate,
            durationS: f.duration,
            size: f.size,
            drainS: f.drain,
            findMax: Boolean(f.findMax),
            maxRate: f.maxRate,
            p99LimitMs: f.p99Limit,
            maxTrials: f.maxTrials,
            warmupS: f.warmup,
            joinWindow: f.joinWindow,
            joinTimeoutMs,
            serverPid: f.serverPid,
          },
          progress,
        );
        break;
      case 'idle':
        result = await runIdle(
          endpoint,
          {
            clients: f.connections,
            joinWindow: f.joinWindow,
            joinTimeoutMs,
            broadcastTimeoutS: 60,
            leaveObservers: f.leaveObservers,
            // The notices of thousands of leaves may take as long as their joins did.
            leaveTimeoutS: Math.max(60, f.joinTimeout),
            serverPid: f.serverPid,
          },
          progress,
        );
        break;
      case 'churn':
        result = await runChurn(
          endpoint,
          { workers: f.workers, durationS: f.duration, sessionTimeoutMs: joinTimeoutMs },
          progress,
        );
        break;
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const hint = /EMFILE/.test(e.message) ? ' (too many open files: raise `ulimit -n`)' : '';
    fail(`bench failed: ${e.message}${hint}`, err);
  }
  const label = `${target.host}:${target.port} ${proto}${f.transport === 'ws' ? ' WebSocket' : ''}${f.tls ? ' TLS' : ''}`;
  if (f.svg !== undefined && result.scenario === 'fanout') {
    try {
      writeFileSync(f.svg, fanoutSvg(result, label));
    } catch (err) {
      fail(`cannot write ${f.svg}: ${(err as Error).message}`, err);
    }
  }
  const meta = {
    version: VERSION,
    target: `${target.host}:${target.port}`,
    proto,
    transport: f.transport,
    tls: Boolean(f.tls),
  };
  process.stdout.write(f.json ? `${formatJson(result, meta)}\n` : `${formatReport(result)}\n`);
}

/** `--scenario files` runs its own papo server and nginx on this machine: no target. */
async function runFiles(f: BenchFlags): Promise<void> {
  const log = (line: string) => {
    if (!f.quiet) process.stderr.write(`${line}\n`);
  };
  try {
    const out = await runFilesBench({
      size: 1024 * 1024 * 1024,
      nginx: '/usr/sbin/nginx',
      json: Boolean(f.json),
      log,
    });
    process.stdout.write(`${out}\n`);
  } catch (err) {
    fail(`bench failed: ${(err as Error).message}`, err);
  }
}
