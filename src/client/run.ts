import type { Lang } from '../protocol/texts.js';
import type { BackoffOptions } from './backoff.js';
import type { Identity } from './identity.js';
import type { SessionOptions } from './session-events.js';
import type { Connector } from './transport.js';

/** Everything one run of `papo client` needs, after the command line is parsed. */
export interface ClientRun {
  connect: Connector;
  /** The server's address as the user wrote it, for messages. */
  address: string;
  name?: string;
  /** `--room`: the room to join first, where typed lines go (#12). */
  room?: string;
  lang: Lang;
  color: boolean;
  plain: boolean;
  /** Pipe mode: print the server's JSON lines instead of plain lines. */
  json: boolean;
  /** Pipe mode: print the replay of stored messages on joining (each line dated). */
  history?: boolean;
  clientId: string;
  /** The user's Ed25519 key (key logins, `/register`). */
  identity?: Identity;
  backoff?: BackoffOptions;
  greetingTimeoutMs?: number;
  /** See SessionOptions.probeTls. */
  probeTls?: () => Promise<boolean>;
  io: {
    input: NodeJS.ReadableStream;
    output: NodeJS.WritableStream;
    error: NodeJS.WritableStream;
  };
}

/** The session options a run asks for, the same in a terminal and in a pipe. */
export function sessionOptions(run: ClientRun): SessionOptions {
  return {
    connect: run.connect,
    name: run.name,
    lang: run.lang,
    plain: run.plain,
    clientId: run.clientId,
    backoff: run.backoff,
    greetingTimeoutMs: run.greetingTimeoutMs,
    probeTls: run.probeTls,
    identity: run.identity,
  };
}
