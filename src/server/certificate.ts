import { webcrypto, X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { certificateFingerprint } from '../protocol/tls-fingerprint.js';

/**
 * The X.509 library, loaded only when a certificate is generated: a server that never does so
 * does not carry its megabytes of code.
 */
async function x509Library(): Promise<typeof import('@peculiar/x509')> {
  const x509 = await import('@peculiar/x509');
  // It defaults to globalThis.crypto; naming Node's WebCrypto makes the dependency explicit.
  x509.cryptoProvider.set(webcrypto);
  return x509;
}

/** How long a generated self-signed certificate is valid: clients pin it, so expiry only hurts. */
export const SELF_SIGNED_VALIDITY_DAYS = 3650;
const DAY_MS = 86_400_000;
const EC_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

/** Where a TLS listener reads its certificate chain and private key (PEM files). */
export interface CertificateFiles {
  certPath: string;
  keyPath: string;
}

/** A certificate chain and key read from disk, with the leaf certificate's fingerprint. */
export interface Credentials {
  cert: string;
  key: string;
  fingerprint: string;
}

/** Names a generated certificate covers: loopback in every form, plus the host papo listens on. */
export function certificateNames(listenHost: string): string[] {
  const names = ['localhost', '127.0.0.1', '::1'];
  const wildcard = listenHost === '' || listenHost === '0.0.0.0' || listenHost === '::';
  if (!wildcard && !names.includes(listenHost)) names.push(listenHost);
  return names;
}

/** Creates an ECDSA P-256 key and a self-signed server certificate for `names`, as PEM. */
export async function generateSelfSignedCertificate(
  names: string[],
  now: Date = new Date(),
): Promise<{ cert: string; key: string }> {
  const x509 = await x509Library();
  const keys = await webcrypto.subtle.generateKey(EC_ALGORITHM, true, ['sign', 'verify']);
  const altNames = names.map((value) => ({ type: isIP(value) ? ('ip' as const) : ('dns' as const), value }));
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${names.find((n) => !isIP(n)) ?? 'papo'}, O=papo self-signed`,
    keys,
    signingAlgorithm: EC_ALGORITHM,
    // Backdated an hour so a client whose clock lags a little still accepts it.
    notBefore: new Date(now.getTime() - 3_600_000),
    notAfter: new Date(now.getTime() + SELF_SIGNED_VALIDITY_DAYS * DAY_MS),
    extensions: [
      new x509.SubjectAlternativeNameExtension(altNames),
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { cert: certificate.toString('pem'), key: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

/** Writes through a temporary file and a rename, so a crash never leaves half a key. */
function writeFileAtomic(path: string, data: string, mode: number): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, data, { mode });
  chmodSync(temporary, mode); // the umask may have narrowed or the file may have existed
  renameSync(temporary, path);
}

/**
 * Returns the self-signed certificate kept in `dir` (`cert.pem`, `key.pem`), creating the
 * directory (mode 0700), key (mode 0600) and certificate on first use.
 */
export async function ensureSelfSignedCertificate(
  dir: string,
  listenHost: string,
): Promise<CertificateFiles & { created: boolean }> {
  const files = { certPath: join(dir, 'cert.pem'), keyPath: join(dir, 'key.pem') };
  try {
    readFileSync(files.certPath);
    readFileSync(files.keyPath);
    return { ...files, created: false };
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { cert, key } = await generateSelfSignedCertificate(certificateNames(listenHost));
  writeFileAtomic(files.keyPath, key, 0o600);
  writeFileAtomic(files.certPath, cert, 0o644);
  return { ...files, created: true };
}

/** The fingerprint of the first (leaf) certificate in a PEM chain. */
export function leafFingerprint(pemChain: string): string {
  return certificateFingerprint(new X509Certificate(pemChain).raw);
}

/** Reads a PEM chain and key; throws with a message naming the file that is missing or bad. */
export function readCredentials(files: CertificateFiles): Credentials {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new Error(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
    }
  };
  const cert = read(files.certPath);
  const key = read(files.keyPath);
  let fingerprint: string;
  try {
    fingerprint = leafFingerprint(cert);
  } catch (err) {
    throw new Error(`${files.certPath} holds no PEM certificate: ${(err as Error).message}`, { cause: err });
  }
  return { cert, key, fingerprint };
}
