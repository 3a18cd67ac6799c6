import { Command, Option } from 'commander';
import { fail } from '../cli-util.js';
import { checkName, checkRoomName } from '../core/names.js';
import { parseFingerprint } from '../protocol/tls-fingerprint.js';
import { defaultIdentityPath, loadOrCreateIdentity } from './identity.js';
import { LANGS, langFromLocale, TEXTS, type Lang } from '../protocol/texts.js';
import { VERSION } from '../version.js';
import { DEFAULT_HOST, DEFAULT_PORT, formatAddress, parseAddress } from './address.js';
import { runPipe } from './pipe-ui.js';
import { KnownHostsFile } from './known-hosts.js';
import type { ClientRun } from './run.js';
import { CLIENT_TEXTS } from './texts.js';
import { DEFAULT_TLS_PORT, speaksTls } from './tls-connect.js';
import { prepareTlsConnector } from './tls-connector.js';
import { ConnectError, NOT_TLS, tcpConnector } from './transport.js';
import { runTty } from './tty-ui.js';

interface ClientFlags {
  name?: string;
  room?: string;
  lang: Lang;
  color: boolean;
  plain: boolean;
  json: boolean;
  history: boolean;
  tls: boolean;
  fingerprint?: string;
  debug?: boolean;
}

/** Colours are off with --no-color, a non-empty NO_COLOR (https://no-color.org) or TERM=dumb. */
export function colorWanted(flag: boolean, env: NodeJS.ProcessEnv): boolean {
  return flag && !env.NO_COLOR && env.TERM !== 'dumb';
}

/** `papo client`: a terminal chat client, and a line-oriented one for scripts and bots. */
export function clientCommand(): Command {
  return new Command('client')
    .description('chat in a terminal, or post from a script: each stdin line is a message')
    .argument(
      '[address]',
      `server as HOST[:PORT] or [IPV6]:PORT (default ${DEFAULT_HOST}:${DEFAULT_PORT}; with --tls, port ${DEFAULT_TLS_PORT})`,
    )
    .addOption(new Option('-n, --name <name>', 'your name (asked for when missing)').env('PAPO_NAME'))
    .addOption(
      new Option('--room <#room>', 'join this room first; what you type goes there').env('PAPO_ROOM'),
    )
    .addOption(
      new Option('--lang <lang>', 'language of the texts')
        .choices(LANGS)
        .env('PAPO_LANG')
        .default(
          langFromLocale(process.env.LC_ALL || process.env.LC_MESSAGES || process.env.LANG),
          'from LANG',
        ),
    )
    .option('--no-color', 'no colours (also when NO_COLOR is set); bold and italic stay')
    .option('--plain', 'speak the plain text protocol (for servers other than papo)', false)
    .option('--json', 'print the server events as JSON lines (for bots); implies no terminal UI', false)
    .option(
      '--history',
      'without a terminal: print the stored messages replayed on joining, each dated (--json: always, marked)',
      false,
    )
    .option(
      '--tls',
      `encrypt: connect to the server's TLS port (default ${DEFAULT_TLS_PORT}) and check its certificate`,
    )
    .addOption(
      new Option(
        '--fingerprint <SHA256:...>',
        'trust the server whose TLS certificate has this fingerprint (needed on first use in a pipe); implies --tls',
      ).env('PAPO_FINGERPRINT'),
    )
    .option('--debug', 'stack traces on failure')
    .addHelpText(
      'after',
      `
Without a terminal (stdin is a pipe or a file) each input line is sent as a message or a
command, events are printed as lines, and at the end of the input the client waits until its
messages are acknowledged, leaves and exits 0:
  echo 'deploy done :rocket:' | papo client --name ci-bot

In a terminal: /help lists the commands; Tab completes names, commands and :emoji:;
↑/↓ recall earlier lines; *bold* _italic_ ~strike~ \`code\`; sair or /quit leaves.

A server whose first line does not start with "*** papo " is spoken to in plain text, as with
--plain: lines are sent as typed and shown as they arrive.`,
    )
    .action(async (address: string | undefined, flags: ClientFlags) => {
      const tls = flags.tls || flags.fingerprint !== undefined;
      const parsed = parseAddress(address, tls ? DEFAULT_TLS_PORT : DEFAULT_PORT);
      if (parsed instanceof Error) fail(parsed.message);
      const fingerprint = flags.fingerprint === undefined ? null : parseFingerprint(flags.fingerprint);
      if (flags.fingerprint !== undefined && fingerprint === null) {
        fail(
          `--fingerprint ${flags.fingerprint}: expected SHA256: and 43 base64 characters, as papo server prints it`,
        );
      }
      let name: string | undefined;
      if (flags.name !== undefined) {
        const check = checkName(flags.name.trim());
        if (!check.ok)
          fail(TEXTS[flags.lang].error('NAME_INVALID', { kind: 'name', problem: check.problem }));
        name = check.name;
      }
      const tty = Boolean(process.stdin.isTTY && process.stdout.isTTY) && !flags.json;
      let connect = tcpConnector(parsed);
      if (tls) {
        try {
          connect = await prepareTlsConnector({
            address: parsed,
            fingerprint,
            knownHosts: new KnownHostsFile(),
            terminal: tty ? { input: process.stdin, output: process.stdout } : null,
          });
        } catch (err) {
          // A refused certificate: its warning is several lines, shown as they are.
          const plain = err instanceof ConnectError && err.code === NOT_TLS;
          const text = plain
            ? `papo: ${CLIENT_TEXTS[flags.lang].notTls(formatAddress(parsed))}`
            : (err as Error).message;
          process.stderr.write(`${text}\n`);
          process.exit(1);
        }
      }
      const run: ClientRun = {
        connect,
        address: formatAddress(parsed),
        lang: flags.lang,
        color: colorWanted(flags.color, process.env),
        plain: flags.plain,
        json: flags.json,
        history: flags.history,
        clientId: `papo-client/${VERSION}`,
        io: { input: process.stdin, output: process.stdout, error: process.stderr },
      };
      if (name !== undefined) run.name = name;
      if (!flags.plain) {
        // The key is made on first use; a client that cannot keep one still chats, with passwords only.
        try {
          run.identity = loadOrCreateIdentity();
        } catch (err) {
          process.stderr.write(`papo: ${defaultIdentityPath()}: ${(err as Error).message}; no key login\n`);
        }
      }
      if (flags.room !== undefined) {
        const check = checkRoomName(flags.room.trim());
        if (!check.ok) {
          fail(TEXTS[flags.lang].error('ROOM_INVALID', { kind: 'room_name', problem: check.problem }));
        }
        run.room = check.name;
      }
      // Without --tls, a port that closes on us without a word is asked whether it is TLS.
      if (!tls) run.probeTls = () => speaksTls(parsed.host, parsed.port);
      let code: number;
      try {
        code = await (tty ? runTty(run) : runPipe(run));
      } catch (err) {
        fail(err instanceof Error ? err.message : String(err), err);
      }
      // Let piped output drain before leaving; open handles must not keep a finished client alive.
      process.stdout.write('', () => process.exit(code));
    });
}
