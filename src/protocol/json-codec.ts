import type { Ref } from '../core/events.js';
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

/** Builds the typed message for one `type`; returns an Error naming the first bad field. */
function build(type: string, o: Fields, ref: Ref | undefined): ClientMessage | Error {
  const withRef = <T extends object>(m: T): T => (ref === undefined ? m : { ...m, ref });
  switch (type) {
    case 'hello': {
      const version = o.version ?? 1;
      if (typeof version !== 'number' || !Number.isInteger(version))
        return new Error('"version" must be an integer');
      const name = str(o, 'name', false);
      const token = str(o, 'token', false);
      const lang = str(o, 'lang', false);
      const client = str(o, 'client', false);
      for (const v of [name, token, lang, client]) if (v instanceof Error) return v;
      const m: ClientMessage = { type: 'hello', version };
      if (typeof name === 'string') m.name = name;
      if (typeof token === 'string') m.token = token;
      if (typeof lang === 'string') m.lang = lang;
      if (typeof client === 'string') m.client = client;
      return m;
    }
    case 'join': {
      const name = str(o, 'name', true);
      const token = str(o, 'token', false);
      if (name instanceof Error) return name;
      if (token instanceof Error) return token;
      return withRef(token === undefined ? { type, name } : { type, name, token });
    }
    case 'say':
    case 'me': {
      const text = str(o, 'text', true);
      return text instanceof Error ? text : withRef({ type, text });
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
    case 'ping':
      return withRef({ type });
    case 'history': {
      const before = int(o, 'before', 1, Number.MAX_SAFE_INTEGER);
      const limit = int(o, 'limit', 1, MAX_HISTORY_PAGE);
      if (before instanceof Error) return before;
      if (limit instanceof Error) return limit;
      const m: ClientMessage = { type };
      if (before !== undefined) m.before = before;
      if (limit !== undefined) m.limit = limit;
      return withRef(m);
    }
    case 'search': {
      const query = str(o, 'query', true);
      const limit = int(o, 'limit', 1, MAX_SEARCH_RESULTS);
      if (query instanceof Error) return query;
      if (limit instanceof Error) return limit;
      if (query.trim().length === 0) return new Error('"query" must have at least one word');
      return withRef(limit === undefined ? { type, query } : { type, query, limit });
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
