/**
 * How a name claim ended: `ok` (the name is this session's), `taken` (someone else holds it),
 * `down` (the claim could not be made: the cluster is unreachable).
 */
export type ClaimResult = 'ok' | 'taken' | 'down';

/**
 * The name-claims port: where names are made unique beyond this process. A single server needs
 * none (its Directory is the whole truth, synchronously); a cluster claims each name in a store
 * every node shares, so two users racing for one name on two nodes get exactly one winner.
 */
export interface NameClaims {
  /**
   * Claims `name` (its key `key`) for a session whose token will be `token`. `presented` is the
   * token the client gave back to take its name from a connection that died: it wins over a
   * holder whose stored token it matches. `done` is called once, later.
   */
  claim(
    name: string,
    key: string,
    token: string,
    presented: string | undefined,
    done: (result: ClaimResult) => void,
  ): void;
  /** Gives back a name claimed but never used (its session closed while the claim was under way). */
  release(key: string): void;
  /**
   * The session holding `key` here took it back with its token and was given a new one
   * (`token`): the claim keeps only the new one, so the old token takes nothing over elsewhere.
   */
  retoken?(key: string, token: string): void;
}
