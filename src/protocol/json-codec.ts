import type { Ref } from '../core/events.js';
import { isSha256Hex } from '../core/files.js';
import { MAX_HISTORY_PAGE, MAX_SEARCH_RESULTS } from '../core/history.js';
import type { ClientMessage } from './json-messages.js';

export type ParsedClientMessage =
  { ok: true; message: ClientMessage } | { ok: false; code: 'BAD_REQUEST'; reason: string; ref?: Ref };

const MAX_REF_CHARS = 64;
const MAX_FIELD_CHARS = 16_384;

type Fields = Record<string, unknown>;

function str(o: Fields, key: string, required: true): string | Error;
function str(o: Fields, key: string, required: false): string | undefined | Error;
function str(o: Fields, key: string, required: boolean): string | undefined | Error {
  const v = o[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string') return new Error(`"${key}" must be a string`);
  if (v.length > MAX_FIELD_CHARS) return new Error(`"${key}" is too long`);
  return v;
}

/** An optional whole number in [min, max]. */
function int(o: Fields, key: string, min: number, max: number): number | undefined | Error {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max)
    return new Error(`"${key}" must be a whole number from ${min} to ${max}`);
  return v;
}

function refOf(o: Fields): Ref | undefined | Error {
  const v = o.ref;
  if (v === undefined) return undefined;
  if (typeof v === 'string' && v.length <= MAX_REF_CHARS) return v;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  return new Error(`"ref" must be a string of at most ${MAX_REF_CHARS} characters or a number`);
}

/** An optional boolean. */
function bool(o: Fields, key: string): boolean | undefined | Error {
  const v = o[key];
  if (v === undefined || typeof v === 'boolean') return v;
  return new Error(`"${key}" must be true or false`);
}

/** Copies the optional fields that are set; the first Error among them is returned instead. */
function withOptional<T extends object>(m: T, fields: Record<string, unknown>): T | Error {
  const out = { ...m } as Record<string, unknown>;
  for (const [k, v] of Object.entries(fields)) {
    if (v instanceof Error) return v;
    if (v !== undefined) out[k] = v;
  }
  return out as T;
}

/** Builds the typed message for one `type`; returns an Error naming the first bad field. */
function build(type: string, o: Fields, ref: Ref | undefined): ClientMessage | Error {
  const withRef = <T extends object>(m: T | Error): T | Error =>
    m instanceof Error || ref === undefined ? m : { ...m, ref };
  const since = () => int(o, 'since', 0, Number.MAX_SAFE_INTEGER);
  const room = () => str(o, 'room', false);
  switch (type) {
    case 'hello': {
      const version = o.version ?? 1;
      if (typeof version !== 'number' || !Number.isInteger(version))
        return new Error('"version" must be an integer');
      return withOptional<ClientMessage>(
        { type: 'hello', version },
        {
          name: str(o, 'name', false),
          token: str(o, 'token', false),
          lang: str(o, 'lang', false),
          client: str(o, 'client', false),
          since: since(),
          password: str(o, 'password', false),
          key: str(o, 'key', false),
        },
      );
    }
    case 'join': {
      const name = str(o, 'name', true);
      if (name instanceof Error) return name;
      return withRef(
        withOptional(
          { type, name },
          {
            token: str(o, 'token', false),
            since: since(),
            password: str(o, 'password', false),
            key: str(o, 'key', false),
          },
        ),
      );
    }
    case 'auth':
      return withRef(
        withOptional(
          { type },
          { password: str(o, 'password', false), signature: str(o, 'signature', false) },
        ),
      );
    case 'register':
      return withRef(
        withOptional({ type }, { password: str(o, 'password', false), key: str(o, 'key', false) }),
      );
    case 'password': {
      const password = str(o, 'password', true);
      return password instanceof Error ? password : withRef({ type, password });
    }
    case 'whois': {
      const name = str(o, 'name', true);
      return name instanceof Error ? name : withRef({ type, name });
    }
    case 'unregister':
    case 'say':
    case 'me': {
      const text = str(o, 'text', true);
      if (text instanceof Error) return text;
      return withRef(withOptional({ type, text }, { room: room() }));
    }
    case 'msg': {
      const to = str(o, 'to', true);
      const text = str(o, 'text', true);
      if (to instanceof Error) return to;
      if (text instanceof Error) return text;
      return withRef({ type, to, text });
    }
    case 'nick': {
      const name = str(o, 'name', true);
      return name instanceof Error ? name : withRef({ type, name });
    }
    case 'who':
      return withRef(withOptional({ type }, { room: room() }));
    case 'join_room': {
      const name = str(o, 'room', true);
      if (name instanceof Error) return name;
      return withRef(withOptional({ type, room: name }, { since: since() }));
    }
    case 'part_room':
      return withRef(withOptional({ type }, { room: room(), reason: str(o, 'reason', false) }));
    case 'topic':
      return withRef(withOptional({ type }, { room: room(), text: str(o, 'text', false) }));
    case 'rooms':
    case 'ping':
      return withRef({ type });
    case 'history':
      return withRef(
        withOptional(
          { type },
          {
            room: room(),
            before: int(o, 'before', 1, Number.MAX_SAFE_INTEGER),
            limit: int(o, 'limit', 1, MAX_HISTORY_PAGE),
          },
        ),
      );
    case 'search': {
      const query = str(o, 'query', true);
      if (query instanceof Error) return query;
      if (query.trim().length === 0) return new Error('"query" must have at least one word');
      return withRef(
        withOptional(
          { type, query },
          { room: room(), all: bool(o, 'all'), limit: int(o, 'limit', 1, MAX_SEARCH_RESULTS) },
        ),
      );
    }
    case 'kick':
    case 'mute':
    case 'unmute':
    case 'op':
    case 'deop': {
      const name = str(o, 'name', true);
      if (name instanceof Error) return name;
      if (type === 'kick') {
        const fields = { room: room(), server: bool(o, 'server'), reason: str(o, 'reason', false) };
        return withRef(withOptional({ type, name }, fields));
      }
      if (type === 'mute') {
        const fields = { room: room(), duration: str(o, 'duration', false), reason: str(o, 'reason', false) };
        return withRef(withOptional({ type, name }, fields));
      }
      return withRef(withOptional({ type: type as 'unmute' | 'op' | 'deop', name }, { room: room() }));
    }
    case 'ban':
    case 'unban': {
      const target = str(o, 'target', true);
      if (target instanceof Error) return target;
      if (type === 'unban') return withRef(withOptional({ type, target }, { room: room() }));
      const fields = { room: room(), duration: str(o, 'duration', false), reason: str(o, 'reason', false) };
      return withRef(withOptional({ type, target }, fields));
    }
    case 'bans':
      return withRef({ type });
    case 'file_offer': {
      const name = str(o, 'name', true);
      if (name instanceof Error) return name;
      const sha256 = str(o, 'sha256', true);
      if (sha256 instanceof Error) return sha256;
      if (!isSha256Hex(sha256)) return new Error('"sha256" must be 64 lowercase hex digits');
      const size = int(o, 'size', 0, Number.MAX_SAFE_INTEGER);
      if (size === undefined) return new Error('"size" is required');
      if (size instanceof Error) return size;
      const to = str(o, 'to', false);
      if (to !== undefined && o.room !== undefined) return new Error('give "room" or "to", not both');
      return withRef(withOptional({ type, name, size, sha256 }, { room: room(), to }));
    }
    case 'file_lookup': {
      const id = int(o, 'id', 1, Number.MAX_SAFE_INTEGER);
      if (id === undefined) return new Error('"id" is required');
      if (id instanceof Error) return id;
      return withRef({ type, id });
    }
    case 'pong':
    case 'quit':
      return { type };
    default:
      return new Error(`unknown message type "${type.slice(0, 32)}"`);
  }
}

/** Parses one JSON line from a client into a typed message, or says precisely what is wrong. */
export function parseClientMessage(line: string): ParsedClientMessage {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, code: 'BAD_REQUEST', reason: 'the line is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'BAD_REQUEST', reason: 'each line must be a JSON object' };
  }
  const o = value as Fields;
  const ref = refOf(o);
  if (ref instanceof Error) return { ok: false, code: 'BAD_REQUEST', reason: ref.message };
  if (typeof o.type !== 'string')
    return { ok: false, code: 'BAD_REQUEST', reason: '"type" must be a string', ref };
  const message = build(o.type, o, ref);
  if (message instanceof Error) return { ok: false, code: 'BAD_REQUEST', reason: message.message, ref };
  return { ok: true, message };
}

/** True when a first line looks like the start of a JSON-lines session. */
export function looksLikeJsonHello(line: string): boolean {
  return line.trimStart().startsWith('{');
}
