import { checkPassword, type Accounts } from './accounts.js';
import type { Clock } from './clock.js';
import type { Directory } from './directory.js';
import type { ClientAction } from './events.js';
import type { Logins } from './logins.js';
import { checkName, nameKey } from './names.js';
import type { Session } from './session.js';
import { skeleton } from './skeleton.js';
import { sanitizeText } from './text.js';

type AccountAction = Extract<ClientAction, { type: 'register' | 'password' | 'unregister' | 'whois' }>;

/**
 * `register`, `password`, `unregister` and `whois` for a joined user (docs/PROTOCOL.md,
 * "Accounts"). `session.account` says which account the session is logged in to.
 */
export function accountCommand(
  logins: Logins,
  directory: Directory,
  clock: Clock,
  session: Session,
  action: AccountAction,
): void {
  const { ref } = action;
  const accounts = logins.store;
  if (!accounts) return logins.fail(session, 'ACCOUNTS_UNAVAILABLE', { kind: 'none' }, ref);
  switch (action.type) {
    case 'register':
      if (!logins.registrationOpen) return logins.fail(session, 'REGISTRATION_CLOSED', { kind: 'none' }, ref);
      return register(logins, accounts, clock, session, action);
    case 'password': {
      const account = session.account;
      if (account === null) return logins.fail(session, 'NOT_REGISTERED', { kind: 'none' }, ref);
      const check = checkPassword(action.password);
      if (!check.ok)
        return logins.fail(session, 'PASSWORD_INVALID', { kind: 'password', problem: check.problem }, ref);
      return accounts.setPassword(
        account,
        check.password,
        logins.answer(session, ref, (ok) => {
          if (!ok) return logins.fail(session, 'NOT_REGISTERED', { kind: 'none' }, ref);
          session.peer.send({ type: 'account', of: 'password', name: session.name as string, ref });
        }),
      );
    }
    case 'unregister': {
      const account = session.account;
      if (account === null) return logins.fail(session, 'NOT_REGISTERED', { kind: 'none' }, ref);
      return accounts.unregister(
        account,
        logins.answer(session, ref, () => {
          session.account = null;
          session.peer.send({ type: 'account', of: 'unregister', name: session.name as string, ref });
        }),
      );
    }
    case 'whois': {
      const check = checkName(action.name);
      const name = check.ok ? check.name : sanitizeText(action.name).slice(0, 40);
      const online = check.ok ? directory.find(check.name) : undefined;
      const answer = {
        type: 'whois',
        name: online?.name ?? name,
        online: online !== undefined,
        ref,
      } as const;
      const idle = online
        ? { idleSeconds: Math.max(0, Math.floor((clock.now() - online.lastActive) / 1000)) }
        : {};
      if (!check.ok) return session.peer.send({ ...answer, registered: false });
      return accounts.lookup(
        nameKey(check.name),
        logins.answer(session, ref, (account) => {
          if (!account) return session.peer.send({ ...answer, ...idle, registered: false });
          const key = account.fingerprint === null ? {} : { fingerprint: account.fingerprint };
          session.peer.send({
            ...answer,
            name: account.name,
            ...idle,
            registered: true,
            since: account.created,
            ...key,
          });
        }),
      );
    }
  }
}

function register(
  logins: Logins,
  accounts: Accounts,
  clock: Clock,
  session: Session,
  action: Extract<ClientAction, { type: 'register' }>,
): void {
  const { ref } = action;
  const name = session.name as string;
  const key = session.key as string;
  let password: string | undefined;
  if (action.password !== undefined) {
    const check = checkPassword(action.password);
    if (!check.ok)
      return logins.fail(session, 'PASSWORD_INVALID', { kind: 'password', problem: check.problem }, ref);
    password = check.password;
  }
  if (password === undefined && action.key === undefined)
    return logins.fail(session, 'USAGE', { kind: 'usage', command: '/register PASSWORD' }, ref);
  accounts.lookAlike(
    skeleton(name),
    key,
    logins.answer(session, ref, (other) => {
      if (other !== null)
        return logins.fail(session, 'NAME_CONFUSABLE', { kind: 'confusable', name: other }, ref);
      const registration = {
        key,
        name,
        skeleton: skeleton(name),
        created: clock.now(),
        password,
        publicKey: action.key,
      };
      accounts.register(
        registration,
        logins.answer(session, ref, (result) => {
          if (result === 'bad_key') {
            const text = '"key" must be an Ed25519 public key (32 bytes, base64, raw or SPKI)';
            return logins.fail(session, 'BAD_REQUEST', { kind: 'text', text }, ref);
          }
          if (result === 'taken')
            return logins.fail(session, 'NAME_REGISTERED', { kind: 'name_taken', name }, ref);
          // The name may have changed while the password was hashed: the account is the one registered.
          session.account = key;
          accounts.lookup(
            key,
            logins.answer(session, ref, (account) => {
              const fingerprint = account?.fingerprint ?? undefined;
              session.peer.send({
                type: 'account',
                of: 'register',
                name,
                ...(fingerprint ? { fingerprint } : {}),
                ref,
              });
            }),
          );
        }),
      );
    }),
  );
}
