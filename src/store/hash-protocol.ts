/** What the parent asks the hashing child (`hash-child.ts`): one scrypt derivation. */
export interface HashJob {
  id: number;
  /** Already NFC-normalised. */
  password: string;
  /** base64 */
  salt: string;
  keyBytes: number;
  N: number;
  r: number;
  p: number;
  maxmem: number;
}

/** The child's answer: the key in base64, or why scrypt refused (bad parameters). */
export type HashReply = { id: number; key: string } | { id: number; error: string };

/** The child's first message: it listens for jobs. */
export interface HashReady {
  ready: true;
}
