import { webcrypto } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import * as x509 from '@peculiar/x509';
import { LineClient } from './line-client.js';
import { generateSelfSignedCertificate, type CertificateFiles } from '../../src/server/certificate.js';

x509.cryptoProvider.set(webcrypto);
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY_MS = 86_400_000;

export { tempDir } from './temp.js';

/** Writes a PEM cert and key into `dir` under `name`; returns their paths. */
export function writePair(dir: string, name: string, pair: { cert: string; key: string }): CertificateFiles {
  const files = { certPath: join(dir, `${name}.crt`), keyPath: join(dir, `${name}.key`) };
  writeFileSync(files.certPath, pair.cert);
  writeFileSync(files.keyPath, pair.key, { mode: 0o600 });
  return files;
}

/** A fresh self-signed certificate for the loopback names, as papo makes on first start. */
export function selfSigned(): Promise<{ cert: string; key: string }> {
  return generateSelfSignedCertificate(['localhost', '127.0.0.1', '::1']);
}

async function pkcs8Pem(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** A test certificate authority, and a server certificate (chain: leaf + CA) it signed. */
export async function testCa(names: string[]): Promise<{ caCert: string; cert: string; key: string }> {
  const now = Date.now();
  const caKeys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=papo test CA',
    keys: caKeys,
    signingAlgorithm: EC,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + DAY_MS),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const leafKeys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const leaf = await x509.X509CertificateGenerator.create({
    subject: `CN=${names[0] ?? 'localhost'}`,
    issuer: ca.subject,
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: EC,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + DAY_MS),
    extensions: [
      new x509.SubjectAlternativeNameExtension(
        names.map((value) => ({ type: /^[\d.]+$|:/.test(value) ? 'ip' : 'dns', value })),
      ),
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const caCert = ca.toString('pem');
  return { caCert, cert: `${leaf.toString('pem')}\n${caCert}\n`, key: await pkcs8Pem(leafKeys.privateKey) };
}

/** Opens a TLS connection that accepts any certificate (tests check the fingerprint themselves). */
export async function tlsDial(port: number, host = '127.0.0.1'): Promise<TLSSocket> {
  const socket = connect({ host, port, rejectUnauthorized: false });
  await once(socket, 'secureConnect');
  return socket;
}

/** A LineClient over a TLS connection (LineClient's constructor takes any connected socket). */
export async function tlsLineClient(port: number): Promise<LineClient> {
  const socket = await tlsDial(port);
  return new (LineClient as unknown as new (socket: Socket) => LineClient)(socket);
}

/** Connects over TLS, answers the prompt with `name` and waits for the welcome. */
export async function tlsJoin(port: number, name: string): Promise<LineClient> {
  const c = await tlsLineClient(port);
  await c.prompt();
  c.sendLine(name);
  await c.lineMatching(/^\*\*\* Type a message/);
  return c;
}
