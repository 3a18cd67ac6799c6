import { createHash } from 'node:crypto';

/** The one prefix every papo certificate fingerprint carries (as OpenSSH prints key fingerprints). */
export const FINGERPRINT_PREFIX = 'SHA256:';

/**
 * A certificate's fingerprint as papo prints, stores and accepts it: `SHA256:` followed by the
 * unpadded standard base64 of the SHA-256 of the certificate's DER bytes (43 characters), the
 * form OpenSSH uses for keys (docs/PROTOCOL.md, "TLS").
 */
export function certificateFingerprint(der: Uint8Array): string {
  const digest = createHash('sha256').update(der).digest('base64');
  return FINGERPRINT_PREFIX + digest.replace(/=+$/, '');
}

/**
 * Parses a fingerprint typed by a person or read from known_hosts; returns it in the canonical
 * form, or null if it is not `SHA256:` + 43 base64 characters (the prefix in any letter case;
 * one trailing `=` of padding is tolerated).
 */
export function parseFingerprint(text: string): string | null {
  const match = /^sha256:([A-Za-z0-9+/]{43})=?$/i.exec(text.trim());
  if (!match) return null;
  return FINGERPRINT_PREFIX + (match[1] as string);
}
