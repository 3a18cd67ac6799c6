import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { certificateFingerprint } from '../protocol/tls-fingerprint.js';
import { ServerReader, type ReaderOutput } from './server-reader.js';

/** What a ServerLink reports to its session, in order. */
export interface LinkHandlers {
  /** What the server's bytes meant (the protocol decided, messages, plain lines …). */
  output(o: ReaderOutput): void;
  /** The connection closed; `heard` says whether the server ever sent a byte on it. */
  closed(heard: boolean): void;
  /** Bytes arrived (the heartbeat watchdog counts them as a sign of life). */
  heard(): void;
}

/**
 * One connection to the server, as the session sees it: the socket's bytes read into outputs
 * by a ServerReader, with the wait for a greeting (a server that says nothing first, because it
 * waits for a name, is not papo: plain text after `greetingTimeoutMs`). Once closed, or
 * dropped, it reports nothing more.
 */
export class ServerLink {
  private dropped = false;
  private heardAny = false;
  private readonly reader = new ServerReader();
  private readonly greetingTimer: NodeJS.Timeout;

  /** Over TLS: the fingerprint of the certificate the server presented (key logins sign it). */
  get tlsFingerprint(): string | null {
    if (!(this.socket instanceof TLSSocket)) return null;
    const raw = this.socket.getPeerCertificate().raw;
    return raw ? certificateFingerprint(raw) : null;
  }

  constructor(
    private readonly socket: Duplex,
    greetingTimeoutMs: number,
    private readonly on: LinkHandlers,
  ) {
    const reader = this.reader;
    const greetingTimer = setTimeout(
      () => this.report(reader.decide('plain', 'greeting')),
      greetingTimeoutMs,
    );
    this.greetingTimer = greetingTimer;
    socket.on('data', (chunk: Buffer) => {
      if (this.dropped) return;
      this.heardAny = true;
      this.on.heard();
      this.report(reader.push(chunk));
      if (reader.protocol !== null || reader.speaksTls) clearTimeout(greetingTimer);
    });
    socket.on('error', () => {
      // The close that follows is what counts; the reason is not worth a stack trace.
    });
    socket.on('close', () => {
      clearTimeout(greetingTimer);
      this.report(reader.end());
      if (!this.dropped) this.on.closed(this.heardAny);
      this.dropped = true;
    });
  }

  /** Speaks plain text at once, whatever the server's greeting (`--plain`). */
  decidePlain(): void {
    clearTimeout(this.greetingTimer);
    this.report(this.reader.decide('plain', 'flag'));
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** Half-closes: the plain protocol's way to leave. */
  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private report(outputs: ReaderOutput[]): void {
    for (const o of outputs) if (!this.dropped) this.on.output(o);
  }
}
