import type { ClientMessage, FileMessage, ServerMessage } from '../../src/protocol/json-messages.js';

export type { ClientMessage, FileMessage, ServerMessage };
export type ServerOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;
/** A stored or live public message. */
export type ChatLine = ServerOf<'message'> | ServerOf<'action'>;

/** The protocol version this app speaks (docs/PROTOCOL.md). */
export const PROTOCOL_VERSION = 2;

/**
 * Parses one WebSocket text frame into a server message, or null for anything that is not a
 * JSON object with a string `type` (then it is ignored, as clients must ignore what they do not
 * know). Fields are read through the types; all user data is rendered as text anyway.
 */
export function parseServerMessage(text: string): ServerMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  if (typeof (value as { type?: unknown }).type !== 'string') return null;
  return value as ServerMessage;
}
