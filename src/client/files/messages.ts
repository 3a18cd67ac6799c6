/**
 * The file-transfer messages of the JSON protocol (docs/PROTOCOL.md, "Files"; issue #14), as
 * the client reads and writes them. Parsed here, at the boundary, before the UI trusts them.
 */
import type { ClientAction } from '../../core/events.js';
import type { FileMessage as ProtocolFileMessage } from '../../protocol/json-messages.js';

/** Client → server: declares a file and asks for an upload slot (no room or `to`: the current room). */
export type FileOfferRequest = Omit<Extract<ClientAction, { type: 'file_offer' }>, 'ref'>;

/** Server → client: where to upload the file just offered. */
export type UploadSlotMessage = Extract<ProtocolFileMessage, { type: 'upload_slot' }>;

/** Server → client: a file was sent to a room or to one user; fetch it at `url`. */
export type FileMessage = Extract<ProtocolFileMessage, { type: 'file' }> & { history?: true };

export type FileServerMessage = UploadSlotMessage | FileMessage;

const SHA256 = /^[0-9a-f]{64}$/;
const isStr = (v: unknown): v is string => typeof v === 'string';
const isSize = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isHttp = (v: unknown): v is string => {
  if (!isStr(v)) return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
};

/** A `file` or `upload_slot` line, checked; null for anything else. */
export function parseFileMessage(line: string): FileServerMessage | null {
  let o: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(line);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
    o = v as Record<string, unknown>;
  } catch {
    return null;
  }
  if (o.type === 'upload_slot') {
    if (!isHttp(o.url) || !isSize(o.size) || !isSize(o.offset) || o.offset > o.size) return null;
    if (o.ref !== undefined && !isStr(o.ref) && typeof o.ref !== 'number') return null;
    return o as unknown as UploadSlotMessage;
  }
  if (o.type === 'file') {
    const ok =
      isSize(o.id) &&
      typeof o.ts === 'number' &&
      isStr(o.from) &&
      isStr(o.name) &&
      isSize(o.size) &&
      isStr(o.mime) &&
      isStr(o.sha256) &&
      SHA256.test(o.sha256) &&
      isHttp(o.url) &&
      (o.room === undefined || isStr(o.room)) &&
      (o.to === undefined || isStr(o.to));
    return ok ? (o as unknown as FileMessage) : null;
  }
  return null;
}
