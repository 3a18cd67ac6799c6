import { makeDataDir } from './data-dir.js';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Command, InvalidArgumentError, Option } from 'commander';
import { checkRoomName } from '../core/names.js';
import { intIn, seconds, fail } from '../cli-util.js';
import { accountOptions, accountSettings, openAccounts, openClusterAccounts } from './accounts-cli.js';
import { LANGS, TEXTS, langFromLocale, type Lang } from '../protocol/texts.js';
import { VERSION } from '../version.js';
import { ensureSelfSignedCertificate, type CertificateFiles } from './certificate.js';
import { fitToOpenFiles } from './fd-limit.js';
import { clusterOptions, clusterSettings, connectCluster, type ClusterSettings } from './cluster-cli.js';
import { historyOptions, historySettings, openHistory } from './history-cli.js';
import { openModerationOrFail } from './moderation-cli.js';
import { opsList } from './moderation-files.js';
import { createLogger, LOG_FORMATS, LOG_LEVELS, type LogFormat } from './log.js';
import { DEFAULTS, defaultDataDir, type ServerOptions } from './options.js';
import { PapoServer } from './server.js';
import { addFilesOptions, filesSettings, openFiles } from './files/index.js';
import { addWebOptions, webSettings } from './web/index.js';
import { startWebForCli } from './web/cli.js';

/** Parses `--default-room`: a valid room name, or a usage error naming the problem. */
function roomName(value: string): string {
  const check = checkRoomName(value);
  if (!check.ok)
    throw new InvalidArgumentError(
      TEXTS.en.error('ROOM_INVALID', { kind: 'room_name', problem: check.problem }),
    );
  return check.name;
}

function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** `papo server`: flags, each also readable from a PAPO_* environment variable. */
export function serverCommand(): Command {
  const d = DEFAULTS;
  const opt = (flags: string, description: string, env: string) => new Option(flags, description).env(env);
  const [noHistory, historyReplay, historyMaxMessages, historyMaxDays] = historyOptions();
  const [requireAccount, noRegistration, reservedNames] = accountOptions() as [Option, Option, Option];
  const [cluster, nodeName] = clusterOptions();
  return addFilesOptions(
    addWebOptions(
      new Command('server').description(
        'run the chat server (plain text for nc/telnet, JSON lines for programs)',
      ),
    ),
  )
    .addOption(opt('--host <host>', 'address to listen on', 'PAPO_HOST').default(d.host))
    .addOption(
      opt('--port <port>', 'TCP port (0 picks a free one)', 'PAPO_PORT')
        .default(d.port)
        .argParser(intIn(0, 65535)),
    )
    .addOption(
      opt('--data-dir <dir>', 'where papo keeps its state', 'PAPO_DATA_DIR').default(
        defaultDataDir(),
        '~/.local/share/papo',
      ),
    )
    .addOption(
      opt('--lang <lang>', 'language of server texts', 'PAPO_LANG')
        .choices(LANGS)
        .default(
          langFromLocale(process.env.LC_ALL || process.env.LC_MESSAGES || process.env.LANG),
          'from LANG',
        ),
    )
    .addOption(
      opt('--log-level <level>', 'log detail on stderr', 'PAPO_LOG_LEVEL')
        .choices(LOG_LEVELS)
        .default(d.logLevel),
    )
    .addOption(
      opt('--log-format <format>', 'logs as json lines or pretty lines', 'PAPO_LOG_FORMAT')
        .choices(LOG_FORMATS)
        .default(undefined, 'pretty on a terminal, else json'),
    )
    .addOption(
      opt(
        '--max-clients <n>',
        'most connections at once (lowered to fit the open-file limit)',
        'PAPO_MAX_CLIENTS',
      )
        .default(d.maxClients)
        .argParser(intIn(1, 1_000_000)),
    )
    .addOption(
      opt('--max-per-ip <n>', 'most connections from one address (0: no limit)', 'PAPO_MAX_PER_IP')
        .default(d.maxPerIp)
        .argParser(intIn(0, 1_000_000)),
    )
    .addOption(
      opt('--limit-loopback', 'apply --max-per-ip to loopback addresses too', 'PAPO_LIMIT_LOOPBACK').default(
        d.limitLoopback,
      ),
    )
    .addOption(
      opt('--name-timeout <seconds>', 'close connections that give no name in time', 'PAPO_NAME_TIMEOUT')
        .default(d.nameTimeoutSeconds)
        .argParser(seconds(86_400)),
    )
    .addOption(
      opt('--heartbeat <seconds>', 'ping quiet JSON clients; drop them after twice this', 'PAPO_HEARTBEAT')
        .default(d.heartbeatSeconds)
        .argParser(seconds(3600)),
    )
    .addOption(
      opt('--keepalive <seconds>', 'idle time before TCP keepalive probes', 'PAPO_KEEPALIVE')
        .default(d.keepaliveSeconds)
        .argParser(seconds(7200)),
    )
    .addOption(
      opt(
        '--send-queue <bytes>',
        'unsent output that disconnects a client that stopped reading',
        'PAPO_SEND_QUEUE',
      )
        .default(d.sendQueueBytes)
        .argParser(intIn(4096, 1 << 30)),
    )
    .addOption(
      opt('--flood-rate <lines>', 'flood control: lines per second sustained (0: off)', 'PAPO_FLOOD_RATE')
        .default(d.floodRate)
        .argParser(intIn(0, 1_000_000_000)),
    )
    .addOption(
      opt('--flood-burst <lines>', 'flood control: lines allowed in a burst', 'PAPO_FLOOD_BURST')
        .default(d.floodBurst)
        .argParser(intIn(1, 1_000_000_000)),
    )
    .addOption(
      opt('--flood-disconnect <seconds>', 'flood control: backlog that disconnects', 'PAPO_FLOOD_DISCONNECT')
        .default(d.floodDisconnectSeconds)
        .argParser(seconds(3600)),
    )
    .addOption(opt('--tls', 'also listen for TLS (a self-signed certificate unless --tls-cert)', 'PAPO_TLS'))
    .addOption(
      opt('--tls-port <port>', 'TLS port (0 picks a free one)', 'PAPO_TLS_PORT')
        .default(d.tlsPort)
        .argParser(intIn(0, 65535)),
    )
    .addOption(
      opt(
        '--tls-cert <file>',
        'PEM certificate chain to serve (turns on --tls); reread on SIGHUP',
        'PAPO_TLS_CERT',
      ),
    )
    .addOption(opt('--tls-key <file>', 'PEM private key for --tls-cert', 'PAPO_TLS_KEY'))
    .addOption(
      opt(
        '--tls-handshake-timeout <seconds>',
        'cut clients that take longer to finish the TLS handshake',
        'PAPO_TLS_HANDSHAKE_TIMEOUT',
      )
        .default(d.tlsHandshakeTimeoutSeconds)
        .argParser(seconds(600)),
    )
    .addOption(opt('--no-plain', 'no plain-text listener: TLS only (needs --tls)', 'PAPO_NO_PLAIN'))
    .addOption(
      opt(
        '--idle-timeout <seconds>',
        'disconnect users who send no line for this long (0: never)',
        'PAPO_IDLE_TIMEOUT',
      )
        .default(d.idleTimeoutSeconds)
        .argParser(intIn(0, 30 * 86_400)),
    )
    .addOption(
      opt('--default-room <#room>', 'the room everyone starts in', 'PAPO_DEFAULT_ROOM')
        .default(d.defaultRoom)
        .argParser(roomName),
    )
    .addOption(
      opt('--max-rooms <n>', 'most rooms at once', 'PAPO_MAX_ROOMS')
        .default(d.maxRooms)
        .argParser(intIn(1, 1_000_000)),
    )
    .addOption(
      opt('--max-rooms-per-user <n>', 'most rooms one user may be in', 'PAPO_MAX_ROOMS_PER_USER')
        .default(d.maxRoomsPerUser)
        .argParser(intIn(1, 10_000)),
    )
    .addOption(
      opt(
        '--busy-room <n>',
        "members past which a room's joins and leaves are summarised once a second (0: never)",
        'PAPO_BUSY_ROOM',
      )
        .default(d.busyRoom)
        .argParser(intIn(0, 1_000_000)),
    )
    .addOption(
      opt(
        '--ops <names>',
        'server operators: comma-separated account names (more with `papo admin ops add`)',
        'PAPO_OPS',
      )
        .default([], 'none')
        .argParser(opsList),
    )
    .addOption(noHistory)
    .addOption(historyReplay)
    .addOption(historyMaxMessages)
    .addOption(historyMaxDays)
    .addOption(requireAccount)
    .addOption(noRegistration)
    .addOption(reservedNames)
    .addOption(cluster)
    .addOption(nodeName)
    .addOption(new Option('--debug', 'show stack traces on errors'))
    .action(async (o: Record<string, unknown>) => {
      const options: ServerOptions = {
        host: o.host as string,
        port: o.port as number,
        dataDir: o.dataDir as string,
        lang: o.lang as Lang,
        logLevel: o.logLevel as string,
        maxClients: o.maxClients as number,
        maxPerIp: o.maxPerIp as number,
        limitLoopback: Boolean(o.limitLoopback),
        nameTimeoutSeconds: o.nameTimeout as number,
        heartbeatSeconds: o.heartbeat as number,
        keepaliveSeconds: o.keepalive as number,
        sendQueueBytes: o.sendQueue as number,
        floodRate: o.floodRate as number,
        floodBurst: o.floodBurst as number,
        floodDisconnectSeconds: o.floodDisconnect as number,
        ...historySettings(o),
        ...webSettings(o),
        ...accountSettings(o),
        ...filesSettings(o),
        plain: o.plain !== false,
        tls: Boolean(o.tls) || o.tlsCert !== undefined || o.tlsKey !== undefined,
        tlsPort: o.tlsPort as number,
        tlsCert: (o.tlsCert as string | undefined) ?? null,
        tlsKey: (o.tlsKey as string | undefined) ?? null,
        tlsHandshakeTimeoutSeconds: o.tlsHandshakeTimeout as number,
        idleTimeoutSeconds: o.idleTimeout as number,
        defaultRoom: o.defaultRoom as string,
        maxRooms: o.maxRooms as number,
        maxRoomsPerUser: o.maxRoomsPerUser as number,
        busyRoom: o.busyRoom as number,
        ops: o.ops as string[],
      };
      await runServer(options, o.logFormat as LogFormat | undefined, clusterSettings(o));
    });
}

/** The certificate to serve: the given files, or the self-signed one in `<data-dir>/tls/`. */
async function tlsFiles(options: ServerOptions, log: Logger): Promise<CertificateFiles> {
  if (options.tlsCert !== null && options.tlsKey !== null) {
    return { certPath: options.tlsCert, keyPath: options.tlsKey };
  }
  const dir = join(options.dataDir, 'tls');
  try {
    const files = await ensureSelfSignedCertificate(dir, options.host);
    if (files.created) log.info({ cert: files.certPath }, 'created a self-signed TLS certificate');
    return files;
  } catch (err) {
    fail(`cannot create a self-signed certificate in ${dir}: ${(err as Error).message}`, err);
  }
}

/** Binds a listener; a port in use or a bad certificate is one clear line and exit 1. */
async function bindOrFail(
  bind: () => Promise<AddressInfo>,
  host: string,
  port: number,
): Promise<AddressInfo> {
  try {
    return await bind();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.syscall === undefined) fail(`TLS: ${e.message}`, err);
    const why = e.code === 'EADDRINUSE' ? 'the address is already in use' : e.message;
    fail(`cannot listen on ${formatAddress(host, port)}: ${why}`, err);
  }
}

async function runServer(
  requested: ServerOptions,
  logFormat?: LogFormat,
  clustered: ClusterSettings | null = null,
): Promise<void> {
  const log = createLogger(requested.logLevel, logFormat);
  const { options, maxSockets } = fitToOpenFiles(requested, log);
  if (!options.plain && !options.tls) fail('--no-plain leaves nothing to listen on: add --tls');
  if ((options.tlsCert === null) !== (options.tlsKey === null)) {
    fail('--tls-cert and --tls-key go together: give both, or neither for a self-signed certificate');
  }
  try {
    makeDataDir(options.dataDir);
  } catch (err) {
    fail(`cannot create the data directory ${options.dataDir}: ${(err as Error).message}`, err);
  }
  const history = openHistory(options);
  const cluster = clustered ? await connectCluster(clustered, log) : null;
  // A cluster's accounts are one store in Redis: a name registered on one node is on every node.
  const accounts = cluster
    ? await openClusterAccounts(cluster, options.dataDir, log)
    : openAccounts(options.dataDir, log);
  const moderation = openModerationOrFail(options, log);
  const files = await openFiles(options, log).catch((err: Error) =>
    fail(`cannot keep files in ${join(options.dataDir, 'files')}: ${err.message}`, err),
  );
  // A download asked of this node for another node's file is redirected there (CLUSTER.md, "Files").
  if (files && cluster) files.locator = cluster.fileLocator;
  const server = new PapoServer({
    options,
    log,
    version: VERSION,
    history,
    accounts,
    maxSockets,
    moderation,
    files,
    cluster: cluster ?? undefined,
  });
  await cluster?.start(server.hub, (history?.nextEventId() ?? 1) - 1);
  // stdout: `listening on HOST:PORT` first (unless --no-plain), then the TLS lines (README).
  // TLS binds first, so a bad certificate stops the server before anything listens.
  const lines: string[] = [];
  if (options.tls) {
    const files = await tlsFiles(options, log);
    const address = await bindOrFail(() => server.listenTls(files), options.host, options.tlsPort);
    const fingerprint = server.tlsFingerprint;
    log.info({ host: address.address, port: address.port, fingerprint }, 'listening (TLS)');
    lines.push(`listening (TLS) on ${formatAddress(address.address, address.port)}`);
    lines.push(`TLS certificate fingerprint ${fingerprint}`);
  }
  if (options.plain) {
    const address = await bindOrFail(() => server.listen(), options.host, options.port);
    log.info({ host: address.address, port: address.port, version: VERSION }, 'listening');
    lines.unshift(`listening on ${formatAddress(address.address, address.port)}`);
  }
  const webLine = await startWebForCli(
    server,
    options,
    log,
    options.tls ? await tlsFiles(options, log) : null,
  );
  if (webLine !== null) lines.push(webLine);
  process.stdout.write(lines.join('\n') + '\n');
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(0); // a second signal: stop waiting
    signalled = true;
    log.info({ signal, connections: server.connectionCount }, 'shutting down');
    const hardStop = setTimeout(() => process.exit(0), 4500);
    hardStop.unref();
    void server
      .stop()
      .then(() => cluster?.stop())
      .then(() => accounts.close()) // its password-hashing processes with it
      .then(() => process.exit(0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  handleOtherSignals(server, log);
}

/**
 * SIGHUP (reload) and SIGUSR2 would otherwise end the process as Node's default does, without
 * a goodbye to anyone and leaving the history's WAL and journal behind (#18).
 */
function handleOtherSignals(server: PapoServer, log: Logger): void {
  process.on('SIGHUP', () => {
    if (server.tlsFingerprint === null) return log.info('SIGHUP: nothing to reload without --tls');
    log.info('SIGHUP: reloading the TLS certificate');
    server.reloadTls(); // logs what came of it
  });
  process.on('SIGUSR2', () => log.info('SIGUSR2: ignored'));
}
