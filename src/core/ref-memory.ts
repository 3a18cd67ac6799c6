import type { AckEvent, ClientAction, Ref } from './events.js';
import { sanitizeText } from './text.js';

/** Acknowledged messages remembered per session token, by `ref` (PROTOCOL.md, "Sending twice"). */
export const REFS_PER_TOKEN = 64;
/** Tokens of ended sessions whose memory is kept, for a client that comes back with a fresh join. */
export const ENDED_TOKENS_KEPT = 1024;

/** The requests a repeat of which would post twice. */
type PostingAction = Extract<ClientAction, { type: 'say' | 'me' | 'msg' }>;
const ACK_OF = { say: 'message', me: 'action', msg: 'private' } as const;

interface Remembered {
  ack: AckEvent;
  /** The text as posted (trimmed, made safe): a reused `ref` with another text is a new message. */
  text: string;
}

type Memory = Map<Ref, Remembered>;

function isPosting(action: ClientAction): action is PostingAction {
  return action.type === 'say' || action.type === 'me' || action.type === 'msg';
}

/**
 * Which messages each session token has already posted, by the client's `ref`, so a client that
 * sends a line again after losing the connection (and its `ack`) gets the original `ack` back
 * instead of posting twice. The memory follows the user: to the new token a resume hands out,
 * and, for a while, past the session's end, to a fresh join that presents the old token.
 * Bounded: the last `perToken` refs per token, the last `endedKept` ended tokens.
 */
export class RefMemory {
  private readonly live = new Map<string, Memory>();
  /** Ended sessions' memories, oldest first. */
  private readonly ended = new Map<string, Memory>();

  constructor(
    private readonly perToken = REFS_PER_TOKEN,
    private readonly endedKept = ENDED_TOKENS_KEPT,
  ) {}

  /** The `ack` that already answered this very request (same ref, kind and text), if any. */
  repeatOf(token: string | null, action: ClientAction): AckEvent | undefined {
    if (token === null || !isPosting(action) || action.ref === undefined) return undefined;
    const seen = this.live.get(token)?.get(action.ref);
    if (seen === undefined || seen.ack.of !== ACK_OF[action.type]) return undefined;
    return seen.text === sanitizeText(action.text.trim()) ? seen.ack : undefined;
  }

  /** Notes the `ack` of a message (with a `ref`) the session with `token` posted. */
  remember(token: string | null, ack: AckEvent, text: string): void {
    if (token === null || ack.ref === undefined) return;
    let memory = this.live.get(token);
    if (memory === undefined) this.live.set(token, (memory = new Map()));
    memory.delete(ack.ref);
    memory.set(ack.ref, { ack, text });
    if (memory.size > this.perToken) memory.delete(memory.keys().next().value as Ref);
  }

  /** The session with `token` ended: its memory is kept among the last ended ones. */
  end(token: string | null): void {
    if (token === null) return;
    const memory = this.live.get(token);
    if (memory === undefined) return;
    this.live.delete(token);
    this.ended.set(token, memory);
    if (this.ended.size > this.endedKept) this.ended.delete(this.ended.keys().next().value as string);
  }

  /**
   * A client proved it held the ended session `from` (it presented that token) and now holds
   * `to`: the memory moves along. A token of a session still running moves nothing.
   */
  carry(from: string | null | undefined, to: string): void {
    if (from === null || from === undefined) return;
    const memory = this.ended.get(from);
    if (memory === undefined) return;
    this.ended.delete(from);
    this.live.set(to, memory);
  }

  /** Tokens with a memory (live, ended): for tests and metrics. */
  get sizes(): { live: number; ended: number } {
    return { live: this.live.size, ended: this.ended.size };
  }
}
