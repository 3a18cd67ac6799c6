import type { ServerMessage } from '../protocol/json-messages.js';

type Fields = Record<string, unknown>;

const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStrs = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);

// Fields each message type needs, checked before the UI trusts a line (PROTOCOL.md,
// "Server → client"). Unknown fields are ignored, as the protocol asks of clients.
// File messages (`file`, `upload_slot`) are parsed apart, in files/messages.ts (issue #14).
type Checked = Exclude<ServerMessage['type'], 'file' | 'upload_slot'>;
const REQUIRED: Record<Checked, Record<string, (v: unknown) => boolean>> = {
  hello: { version: isNum, server: isStr, heartbeatSeconds: isNum },
  welcome: { name: isStr, token: isStr, users: isStrs },
  message: { id: isNum, ts: isNum, from: isStr, text: isStr },
  action: { id: isNum, ts: isNum, from: isStr, text: isStr },
  private: { id: isNum, ts: isNum, from: isStr, to: isStr, text: isStr },
  join: { id: isNum, ts: isNum, name: isStr },
  leave: { id: isNum, ts: isNum, name: isStr, reason: isStr },
  nick: { id: isNum, ts: isNum, old: isStr, new: isStr },
  part: { id: isNum, ts: isNum, room: isStr, name: isStr },
  topic: { id: isNum, ts: isNum, room: isStr, by: isStr, text: isStr },
  room: { room: isStr, topic: isStr, users: isStrs },
  presence: { room: isStr, joined: isStrs, joinedCount: isNum, left: isStrs, leftCount: isNum },
  rooms: { rooms: Array.isArray },
  topic_info: { room: isStr, text: isStr },
  ack: { id: isNum, ts: isNum },
  users: { users: isStrs },
  error: { code: isStr, message: isStr },
  notice: { code: isStr, message: isStr },
  history: { kind: isStr, count: isNum },
  ping: {},
  pong: {},
  bye: { reason: isStr },
  challenge: { name: isStr, nonce: isStr, server: isStr },
  account: { of: isStr, name: isStr },
  whois: { name: isStr },
  kick: { id: isNum, ts: isNum, name: isStr, by: isStr },
  ban: { id: isNum, ts: isNum, target: isStr, by: isStr },
  unban: { id: isNum, ts: isNum, target: isStr, by: isStr },
  mute: { id: isNum, ts: isNum, name: isStr, by: isStr },
  unmute: { id: isNum, ts: isNum, name: isStr, by: isStr },
  op: { id: isNum, ts: isNum, room: isStr, name: isStr, by: isStr },
  deop: { id: isNum, ts: isNum, room: isStr, name: isStr, by: isStr },
  bans: { bans: Array.isArray, mutes: Array.isArray },
};

/**
 * Parses one line from a papo server into a typed message; null for anything else (not JSON,
 * an unknown type, a missing field), which a client of version 1 skips.
 */
export function parseServerMessage(line: string): ServerMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const o = value as Fields;
  if (!isStr(o.type) || !Object.hasOwn(REQUIRED, o.type)) return null;
  const fields = REQUIRED[o.type as Checked];
  for (const [key, ok] of Object.entries(fields)) if (!ok(o[key])) return null;
  if (o.ref !== undefined && !isStr(o.ref) && !isNum(o.ref)) return null;
  return o as unknown as ServerMessage;
}
