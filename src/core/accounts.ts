import type { PasswordProblem } from './errors.js';
import { utf8Length } from './text.js';

/** Longest password, in UTF-8 bytes after NFC normalisation. */
export const MAX_PASSWORD_BYTES = 1024;

/** A registered name, as the accounts store gives it back (never the password or its hash). */
export interface AccountRecord {
  /** The name key (`nameKey`): what identifies the account. */
  key: string;
  /** The name as registered. */
  name: string;
  /** When it was registered, ms since the epoch. */
  created: number;
  hasPassword: boolean;
  /** The bound Ed25519 key's fingerprint (`SHA256:…`), if any. */
  fingerprint: string | null;
}

/** What to register: a password, a public key, or both (at least one). */
export interface Registration {
  key: string;
  name: string;
  /** The name's confusable skeleton: a registered name's look-alikes are refused. */
  skeleton: string;
  created: number;
  password?: string;
  publicKey?: string;
}

/** Called once with the answer, or with an Error when the store failed. */
export type Done<T> = (result: T | Error) => void;

/**
 * The accounts port: registered names and their proofs, kept outside the core (SQLite in the
 * server, `src/store/sqlite-accounts.ts`; Redis in a cluster, `src/cluster/redis-accounts.ts`). Every call answers through `done`, at once or later:
 * hashing a password takes a while, and runs off the event loop.
 */
export interface Accounts {
  lookup(key: string, done: Done<AccountRecord | null>): void;
  /** The registered name (display form) other than `exceptKey` whose skeleton is `skeleton`, if any. */
  lookAlike(skeleton: string, exceptKey: string | null, done: Done<string | null>): void;
  /** Whether `password` (already NFC) is the account's; false for an account without one. */
  verifyPassword(key: string, password: string, done: Done<boolean>): void;
  /**
   * Whether `publicKey` is the account's bound key (`check` only compares it) and `signature`
   * signs `message` with it.
   */
  verifyKey(
    key: string,
    publicKey: string,
    message: string,
    signature: string | null,
    done: Done<boolean>,
  ): void;
  /**
   * Registers a name: `taken` when it is registered already or a look-alike (same skeleton) is
   * — checked in the same atomic step as the write, so of two look-alikes registered at once
   * exactly one wins —, `bad_key` when the key is no Ed25519 public key.
   */
  register(registration: Registration, done: Done<'ok' | 'taken' | 'bad_key'>): void;
  setPassword(key: string, password: string, done: Done<boolean>): void;
  unregister(key: string, done: Done<boolean>): void;
}

export type PasswordCheck = { ok: true; password: string } | { ok: false; problem: PasswordProblem };

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/**
 * Validates a password: NFC-normalised (the same password typed on two keyboards that compose
 * accents differently is one password), 1 to 1024 UTF-8 bytes, no control characters.
 */
export function checkPassword(raw: string): PasswordCheck {
  const password = raw.normalize('NFC');
  if (password.length === 0) return { ok: false, problem: { kind: 'empty' } };
  const bytes = utf8Length(password);
  if (bytes > MAX_PASSWORD_BYTES)
    return { ok: false, problem: { kind: 'too_long', bytes, max: MAX_PASSWORD_BYTES } };
  const control = CONTROL.exec(password);
  if (control) return { ok: false, problem: { kind: 'control', codePoint: control[0].codePointAt(0) ?? 0 } };
  return { ok: true, password };
}

/**
 * What a key login signs: a fixed label, the server's nonce, the server as the client sees it
 * (its TLS fingerprint, or its id) and the name key, one per line, so a signature is good for
 * one login to one server under one name (docs/PROTOCOL.md, "Key login").
 */
export function loginMessage(nonce: string, server: string, key: string): string {
  return `papo-login-v1\n${nonce}\n${server}\n${key}`;
}
