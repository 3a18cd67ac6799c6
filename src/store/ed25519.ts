import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';

/** DER prefix of an Ed25519 SubjectPublicKeyInfo: the 32 raw key bytes follow it. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * The 32 raw bytes of an Ed25519 public key given in base64, raw (32 bytes) or as a DER
 * SubjectPublicKeyInfo (44 bytes); null for anything else.
 */
export function rawPublicKey(base64: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length > 100) return null;
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length === 32) return bytes;
  if (bytes.length === 44 && bytes.subarray(0, 12).equals(SPKI_PREFIX)) return bytes.subarray(12);
  return null;
}

function keyObject(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** Whether `signature` (base64) signs `message` (UTF-8) with the raw Ed25519 key. */
export function verifySignature(raw: Buffer, message: string, signature: string): boolean {
  const sig = Buffer.from(signature, 'base64');
  if (sig.length !== 64) return false;
  try {
    return verify(null, Buffer.from(message, 'utf8'), keyObject(raw), sig);
  } catch {
    return false;
  }
}

/**
 * A key's fingerprint as OpenSSH prints it (`ssh-keygen -l`): `SHA256:` and the unpadded base64
 * of the SHA-256 of the key's SSH wire form (`ssh-ed25519` and the 32 bytes, length-prefixed).
 */
export function keyFingerprint(raw: Buffer): string {
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const type = Buffer.from('ssh-ed25519');
  const blob = Buffer.concat([u32(type.length), type, u32(raw.length), raw]);
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}
