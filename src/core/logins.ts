import { checkPassword, loginMessage, type AccountRecord, type Accounts, type Done } from './accounts.js';
import type { Clock } from './clock.js';
import type { Directory } from './directory.js';
import type { ErrorCode } from './errors.js';
import type { ClientAction, ErrorDetail, Ref, ServerEvent } from './events.js';
import { LoginThrottle, type SharedCounts, type ThrottlePolicy } from './login-throttle.js';
import { nameKey } from './names.js';
import type { Session } from './session.js';
import { skeleton } from './skeleton.js';

/** What the hub tells the login desk about accounts (HubOptions.logins). */
export interface LoginOptions {
  /** Registered names; none: every name is free, as before accounts. */
  accounts?: Accounts;
  /** Runs `fn` after `ms` (the server's timer): throttled logins wait this way. */
  wait(ms: number, fn: () => void): void;
  /** Only registered names may join (`--require-account`). */
  requireAccount?: boolean;
  /** Whether newcomers may register (`--no-registration` turns it off). Default true. */
  registration?: boolean;
  /** Names nobody may take, nor their look-alikes (`--reserved-names`). */
  reserved?: Iterable<string>;
  throttle?: ThrottlePolicy;
  /** A cluster's failed-login counters, read before each verdict (none: this server's memory). */
  sharedThrottle?: SharedCounts;
  /** Told of each failed login (the server logs it; never the password). */
  onFailure?(failure: { name: string; address: string; reason: string }): void;
}

type Join = Extract<ClientAction, { type: 'join' }>;
type Admit = (account: string | null) => void;

/** A join waiting for its proof (after a `challenge`). */
interface Pending {
  name: string;
  key: string;
  nonce: string;
  server: string;
  /** The public key the client offered, if the account has it. */
  publicKey: string | null;
  hasPassword: boolean;
  /** The name is free but the server wants accounts: the password given registers it. */
  register: boolean;
  admit: Admit;
}

type Send = (session: Session, event: ServerEvent) => void;

/**
 * Accounts in the chat: who must prove a name before taking it, the proof (a password or a
 * signed challenge, throttled), look-alike and reserved names, and `register`, `password`,
 * `unregister`, `whois`. No I/O: the store answers through the `Accounts` port.
 */
export class Logins {
  private readonly accounts: Accounts | undefined;
  private readonly reserved: Set<string>;
  private readonly throttle: LoginThrottle;
  private readonly pending = new Map<Session, Pending>();
  /** Sessions whose login is being checked (one at a time each). */
  private readonly busy = new Set<Session>();

  constructor(
    private readonly options: LoginOptions,
    private readonly directory: Directory,
    private readonly clock: Clock,
    private readonly newToken: () => string,
    private readonly send: Send,
  ) {
    this.accounts = options.accounts;
    this.reserved = new Set(Array.from(options.reserved ?? [], skeleton));
    this.throttle = new LoginThrottle(options.throttle);
  }

  /** True when the session's next plain line is a password (it was asked for one). */
  awaitsPassword(session: Session): boolean {
    const p = this.pending.get(session);
    return p !== undefined && (p.hasPassword || p.register);
  }

  /** Forgets a session that left. */
  forget(session: Session): void {
    this.pending.delete(session);
    this.busy.delete(session);
  }

  /** A name's look-alike or reserved problem, checked without the store; null when it may be used. */
  private nameProblem(session: Session, name: string): { code: ErrorCode; detail: ErrorDetail } | null {
    if (this.reserved.has(skeleton(name)))
      return { code: 'NAME_RESERVED', detail: { kind: 'name_taken', name } };
    const other = this.directory.lookAlike(name, session);
    if (other) return { code: 'NAME_CONFUSABLE', detail: { kind: 'confusable', name: other.name as string } };
    return null;
  }

  /** Joins under `name` (already valid and free) once it is proven, or says why not. */
  join(session: Session, name: string, action: Join, admit: Admit): void {
    const { ref } = action;
    if (this.busy.has(session))
      return this.fail(session, 'LOGIN_THROTTLED', { kind: 'seconds', seconds: 1 }, ref);
    this.pending.delete(session);
    const problem = this.nameProblem(session, name);
    if (problem) return this.fail(session, problem.code, problem.detail, ref);
    const accounts = this.accounts;
    if (!accounts) return admit(null);
    const key = nameKey(name);
    accounts.lookup(
      key,
      this.answer(session, ref, (account) => {
        if (account) return this.prove(session, name, account, action, admit);
        accounts.lookAlike(
          skeleton(name),
          key,
          this.answer(session, ref, (other) => {
            if (other !== null)
              return this.fail(session, 'NAME_CONFUSABLE', { kind: 'confusable', name: other }, ref);
            if (!this.options.requireAccount) return admit(null);
            if (this.options.registration === false)
              return this.fail(session, 'ACCOUNT_REQUIRED', { kind: 'none' }, ref);
            const pending = this.challenge(session, name, key, false, null, true, admit, ref);
            if (action.password !== undefined)
              this.auth(session, { type: 'auth', password: action.password, ref }, pending);
          }),
        );
      }),
    );
  }

  /** A registered name: checks the proof the join carries, or asks for one. */
  private prove(session: Session, name: string, account: AccountRecord, action: Join, admit: Admit): void {
    const { ref } = action;
    const offered = action.key ?? null;
    if (offered !== null && account.fingerprint !== null) {
      // Only the bound key gets a challenge; checking it costs nothing secret (no guess counted).
      const accounts = this.accounts as Accounts;
      return accounts.verifyKey(
        account.key,
        offered,
        '',
        null,
        this.answer(session, ref, (bound) => {
          if (!bound && !account.hasPassword)
            return this.loginFailed(session, name, 'not the bound key', ref);
          this.challenge(
            session,
            name,
            account.key,
            account.hasPassword,
            bound ? offered : null,
            false,
            admit,
            ref,
          );
        }),
      );
    }
    const pending = this.challenge(session, name, account.key, account.hasPassword, null, false, admit, ref);
    if (action.password !== undefined)
      this.auth(session, { type: 'auth', password: action.password, ref }, pending);
  }

  private challenge(
    session: Session,
    name: string,
    key: string,
    hasPassword: boolean,
    publicKey: string | null,
    register: boolean,
    admit: Admit,
    ref: Ref | undefined,
  ): Pending {
    const server = session.peer.serverIdentity ?? 'papo';
    const pending: Pending = {
      name,
      key,
      nonce: this.newToken(),
      server,
      publicKey,
      hasPassword,
      register,
      admit,
    };
    this.pending.set(session, pending);
    this.send(session, {
      type: 'challenge',
      name,
      nonce: pending.nonce,
      server,
      password: hasPassword,
      key: publicKey !== null,
      register,
      ref,
    });
    return pending;
  }

  /** The answer to a challenge: a password or a signature. */
  auth(session: Session, action: Extract<ClientAction, { type: 'auth' }>, given?: Pending): void {
    const { ref } = action;
    const pending = given ?? this.pending.get(session);
    if (!pending || this.pending.get(session) !== pending)
      return this.fail(session, 'NOT_JOINED', { kind: 'none' }, ref);
    if (this.busy.has(session))
      return this.fail(session, 'LOGIN_THROTTLED', { kind: 'seconds', seconds: 1 }, ref);
    const accounts = this.accounts as Accounts;
    let proof: { password: string } | { signature: string };
    if (action.signature !== undefined && pending.publicKey !== null) proof = { signature: action.signature };
    else if (action.password !== undefined && (pending.hasPassword || pending.register)) {
      const check = checkPassword(action.password);
      if (!check.ok)
        return this.fail(session, 'PASSWORD_INVALID', { kind: 'password', problem: check.problem }, ref);
      proof = { password: check.password };
    } else return this.fail(session, 'LOGIN_FAILED', { kind: 'none' }, ref);
    if (pending.register)
      return this.registerNew(session, pending, (proof as { password: string }).password, ref);
    this.throttled(session, pending, ref, () => {
      const { key, nonce, server } = pending;
      const verify = (done: Done<boolean>) =>
        'password' in proof
          ? accounts.verifyPassword(key, proof.password, done)
          : accounts.verifyKey(
              key,
              pending.publicKey as string,
              loginMessage(nonce, server, key),
              proof.signature,
              done,
            );
      const address = session.address;
      // One check at a time per connection; every result counts, even for a connection that
      // left or asked again meanwhile (neither escapes the throttle).
      this.busy.add(session);
      const then = this.answer(session, ref, (ok: boolean) => {
        if (this.pending.get(session) !== pending) return;
        this.pending.delete(session);
        if (!ok)
          return this.loginFailed(
            session,
            pending.name,
            'password' in proof ? 'wrong password' : 'bad signature',
            ref,
          );
        pending.admit(key);
      });
      verify((result) => {
        this.busy.delete(session);
        if (result === true) this.succeeded(key, address);
        else if (result === false) this.failed(key, address);
        then(result);
      });
    });
  }

  /** Runs `go` when the throttle lets this try through: at once, after a wait, or never (refused). */
  private throttled(
    session: Session,
    pending: Pending,
    ref: Ref | undefined,
    go: () => void,
    waited = false,
    read = false,
  ): void {
    const address = session.address;
    const shared = this.options.sharedThrottle;
    if (shared && !read) {
      // Every node's failures count: the counters are read first (this node's own if unreachable).
      const keys = this.throttle.keysFor(pending.key, address);
      this.busy.add(session);
      return shared.read(keys, (counts) => {
        this.busy.delete(session);
        if (counts) this.throttle.adopt(keys, counts);
        if (session.closed || this.pending.get(session) !== pending) return;
        this.throttled(session, pending, ref, go, waited, true);
      });
    }
    const verdict = this.throttle.verdict(pending.key, address, this.clock.now());
    // After its wait a try goes ahead, unless failures meanwhile got it refused.
    if (verdict.kind === 'go' || (waited && verdict.kind === 'wait')) return go();
    if (verdict.kind === 'refused') {
      this.pending.delete(session);
      this.options.onFailure?.({ name: pending.name, address, reason: 'throttled' });
      return this.fail(session, 'LOGIN_THROTTLED', { kind: 'seconds', seconds: verdict.seconds }, ref);
    }
    this.busy.add(session);
    this.options.wait(verdict.ms, () => {
      this.busy.delete(session);
      if (session.closed || this.pending.get(session) !== pending) return;
      this.throttled(session, pending, ref, go, true);
    });
  }

  private failed(key: string, address: string): void {
    const now = this.clock.now();
    this.throttle.fail(key, address, now);
    this.options.sharedThrottle?.add(this.throttle.keysFor(key, address), now, this.throttle.policy.windowMs);
  }

  private succeeded(key: string, address: string): void {
    this.throttle.succeed(key, address);
    this.options.sharedThrottle?.remove(this.throttle.keysFor(key, address)[0] as string);
  }

  private registerNew(session: Session, pending: Pending, password: string, ref: Ref | undefined): void {
    const accounts = this.accounts as Accounts;
    const { key, name } = pending;
    const registration = { key, name, skeleton: skeleton(name), created: this.clock.now(), password };
    accounts.register(
      registration,
      this.answer(session, ref, (result) => {
        if (this.pending.get(session) !== pending) return;
        this.pending.delete(session);
        if (result !== 'ok') return this.fail(session, 'NAME_REGISTERED', { kind: 'name_taken', name }, ref);
        pending.admit(key);
      }),
    );
  }

  private loginFailed(session: Session, name: string, reason: string, ref: Ref | undefined): void {
    this.options.onFailure?.({ name, address: session.address, reason });
    this.fail(session, 'LOGIN_FAILED', { kind: 'none' }, ref);
  }

  /**
   * Checks a rename to `name` (valid, not held by another): reserved, look-alike, and registered
   * to another account are refused; `proceed` runs otherwise.
   */
  checkNick(session: Session, name: string, ref: Ref | undefined, proceed: () => void): void {
    const problem = this.nameProblem(session, name);
    if (problem) return this.fail(session, problem.code, problem.detail, ref);
    const accounts = this.accounts;
    if (!accounts) return proceed();
    const key = nameKey(name);
    accounts.lookup(
      key,
      this.answer(session, ref, (account) => {
        if (account && account.key !== session.account)
          return this.fail(session, 'NAME_REGISTERED', { kind: 'name_taken', name: account.name }, ref);
        accounts.lookAlike(
          skeleton(name),
          key,
          this.answer(session, ref, (other) => {
            if (other !== null && nameKey(other) !== session.account)
              return this.fail(session, 'NAME_CONFUSABLE', { kind: 'confusable', name: other }, ref);
            proceed();
          }),
        );
      }),
    );
  }

  /**
   * The store's answer goes to `then`, unless the session left meanwhile; a failed store is
   * answered with ACCOUNTS_UNAVAILABLE.
   */
  answer<T>(session: Session, ref: Ref | undefined, then: (value: T) => void): Done<T> {
    return (result) => {
      if (session.closed) return;
      if (result instanceof Error) {
        this.pending.delete(session);
        return this.fail(session, 'ACCOUNTS_UNAVAILABLE', { kind: 'none' }, ref);
      }
      then(result);
    };
  }

  fail(session: Session, code: ErrorCode, detail: ErrorDetail, ref: Ref | undefined): void {
    this.send(session, { type: 'error', code, detail, ref });
  }

  /** Whether `register` is open (`--no-registration` closes it). */
  get registrationOpen(): boolean {
    return this.options.registration !== false;
  }

  get store(): Accounts | undefined {
    return this.accounts;
  }
}
