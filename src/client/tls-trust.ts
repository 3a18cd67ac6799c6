/** What the client knows about a server's certificate once the handshake is done. */
export interface TrustInput {
  /** A CA in the trust store vouches for the certificate and it names the host we dialled. */
  caVerified: boolean;
  /** The leaf certificate's fingerprint (`SHA256:…`). */
  presented: string;
  /** The fingerprint known_hosts holds for this host:port, or null. */
  known: string | null;
  /** The fingerprint given with `--fingerprint`, or null. */
  expected: string | null;
}

/**
 * Whether to go on with a server, as OpenSSH decides for host keys:
 * - `accept`: `remember` says whether to write the fingerprint to known_hosts;
 * - `ask`: never seen, nobody vouches: a person must confirm the fingerprint (pipe mode refuses);
 * - `changed`: known_hosts trusts another certificate for this server (a man in the middle?);
 * - `mismatch`: the certificate is not the one `--fingerprint` named.
 */
export type TrustDecision =
  | { kind: 'accept'; via: 'ca' | 'known_hosts' | 'fingerprint'; remember: boolean }
  | { kind: 'ask' }
  | { kind: 'changed'; known: string; presented: string }
  | { kind: 'mismatch'; expected: string; presented: string };

/** Decides, with no I/O, whether a server's certificate is trusted. */
export function decideTrust(input: TrustInput): TrustDecision {
  const { caVerified, presented, known, expected } = input;
  // An explicit --fingerprint is the strongest statement: it must match, CA or not, and it is
  // how a person accepts a changed certificate on purpose.
  if (expected !== null) {
    if (expected !== presented) return { kind: 'mismatch', expected, presented };
    return { kind: 'accept', via: 'fingerprint', remember: !caVerified && known !== presented };
  }
  // Certificates a CA vouches for (e.g. Let's Encrypt, renewed every few months) are not pinned.
  if (caVerified) return { kind: 'accept', via: 'ca', remember: false };
  if (known === null) return { kind: 'ask' };
  if (known === presented) return { kind: 'accept', via: 'known_hosts', remember: false };
  return { kind: 'changed', known, presented };
}

/** What a person is shown before trusting a server for the first time. */
export function firstUseText(server: string, presented: string, caError: string | null): string {
  return [
    `The TLS certificate of ${server} is not signed by a certificate authority this computer trusts${
      caError ? ` (${caError})` : ''
    }.`,
    `Its fingerprint is ${presented}`,
    'Compare it with the "TLS certificate fingerprint" line the server printed when it started.',
  ].join('\n');
}

/** The question asked on a terminal after firstUseText. */
export const FIRST_USE_QUESTION = 'Trust this server and remember it? (yes/no) ';

/** Whether a person's answer to FIRST_USE_QUESTION is a yes (`yes`/`y`, `sim`/`s`, any case). */
export function isYes(answer: string): boolean {
  return /^(y|yes|s|sim)$/i.test(answer.trim());
}

/** Why a pipe-mode client (nobody to ask) refuses a server it has never seen. */
export function unknownInPipeText(server: string, presented: string, acceptCommand: string): string {
  return [
    `The TLS certificate of ${server} is not signed by a trusted certificate authority and this`,
    'server is not in known_hosts; with no terminal to ask, papo does not connect.',
    `It presented ${presented}`,
    'If that is the fingerprint the server printed when it started, connect with:',
    `  ${acceptCommand}`,
  ].join('\n');
}

/** The loud warning for a certificate that differs from the trusted one. */
export function changedText(
  server: string,
  known: string,
  presented: string,
  knownHostsPath: string,
  acceptCommand: string,
): string {
  const bar = '@'.repeat(66);
  return [
    bar,
    '@    WARNING: THE TLS CERTIFICATE OF THIS SERVER HAS CHANGED!     @',
    bar,
    `The certificate ${server} presented is not the one trusted before. Someone may be`,
    'intercepting this connection (a man-in-the-middle attack), or the server got a new certificate.',
    `Trusted (in ${knownHostsPath}): ${known}`,
    `Presented now: ${presented}`,
    'Not connecting. If the server owner confirms the new fingerprint, accept it on purpose with:',
    `  ${acceptCommand}`,
  ].join('\n');
}

/** Why the certificate is refused when it is not the one named by --fingerprint. */
export function mismatchText(server: string, expected: string, presented: string): string {
  return [
    `The TLS certificate of ${server} is not the one --fingerprint names; not connecting.`,
    `Expected: ${expected}`,
    `Presented: ${presented}`,
  ].join('\n');
}
