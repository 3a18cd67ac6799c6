import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defaultKnownHostsPath } from './known-hosts.js';

/** The client's Ed25519 key, as logins use it (docs/CLIENT.md, "Keys"). */
export interface Identity {
  /** The public key: 32 raw bytes in base64, as `join` and `register` carry it. */
  publicKey: string;
  /** Signs a login challenge's text; the signature in base64. */
  sign(message: string): string;
}

/** Where the key lives: beside known_hosts (`~/.config/papo/id_ed25519`). */
export function defaultIdentityPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(dirname(defaultKnownHostsPath(env)), 'id_ed25519');
}

function fromPrivate(key: KeyObject): Identity {
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return {
    publicKey: spki.subarray(spki.length - 32).toString('base64'),
    sign: (message) => sign(null, Buffer.from(message, 'utf8'), key).toString('base64'),
  };
}

/**
 * The key at `path`, made on first use as ssh-keygen would: a PKCS#8 PEM file of mode 0600 in
 * a directory of mode 0700. A file that is not an Ed25519 key is an error, never overwritten.
 */
export function loadOrCreateIdentity(path: string = defaultIdentityPath()): Identity {
  let pem: string | null = null;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (pem !== null) {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${path} is not an Ed25519 key`);
    return fromPrivate(key);
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return fromPrivate(privateKey);
}
