import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serveAccounts } from '../helpers/accounts.js';

const WELCOME = /^\*\*\* Type a message/;

test('a registered name asks for its password: a wrong one is refused and prompts again, the right one gets in', async (t) => {
  const chat = await serveAccounts(t);
  const ana = await chat.join('ana');
  ana.sendLine('/register s3cret pass');
  await ana.lineMatching('*** The name ana is now registered to you.');
  ana.sendLine('/quit');
  await ana.closedByServer();

  const other = await chat.connect();
  await other.prompt();
  other.sendLine('Ana');
  assert.match(await other.lineMatching(/registered/), /The name Ana is registered: type its password/);
  assert.equal(await other.prompt(), 'Password: ');
  other.sendLine('wrong');
  await other.lineMatching('!! Wrong password or key.');
  assert.equal(await other.prompt(), 'Your name: ');
  other.sendLine('ana');
  await other.prompt('Password: ');
  other.sendLine('s3cret pass');
  await other.lineMatching(/^\*\*\* Welcome, ana!/);
  await other.lineMatching(WELCOME);
});

test('JSON: join with the password, or answer the challenge; a wrong one is LOGIN_FAILED', async (t) => {
  const chat = await serveAccounts(t);
  const owner = await chat.json();
  owner.sendLine(JSON.stringify({ type: 'join', name: 'bia' }));
  await owner.jsonOfType('welcome');
  owner.sendLine(JSON.stringify({ type: 'register', password: 'pw-bia', ref: 1 }));
  assert.deepEqual(await owner.jsonOfType('account'), {
    type: 'account',
    of: 'register',
    name: 'bia',
    ref: 1,
  });
  owner.sendLine(JSON.stringify({ type: 'quit' }));
  await owner.closedByServer();

  const thief = await chat.json();
  thief.sendLine(JSON.stringify({ type: 'join', name: 'bia', password: 'guess', ref: 'j' }));
  const challenge = await thief.jsonOfType('challenge');
  assert.equal(challenge.password, true);
  assert.equal(challenge.register, false);
  const err = await thief.jsonOfType('error');
  assert.equal(err.code, 'LOGIN_FAILED');
  assert.equal(err.ref, 'j');

  const back = await chat.json();
  back.sendLine(JSON.stringify({ type: 'join', name: 'BIA' }));
  assert.equal((await back.jsonOfType('challenge')).name, 'BIA');
  back.sendLine(JSON.stringify({ type: 'auth', password: 'pw-bia' }));
  assert.equal((await back.jsonOfType('welcome')).name, 'BIA');
  back.sendLine(JSON.stringify({ type: 'whois', name: 'bia', ref: 'w' }));
  const whois = await back.jsonOfType('whois');
  assert.equal(whois.registered, true);
  assert.equal(whois.online, true);
  assert.equal(typeof whois.since, 'number');
  assert.equal(whois.idleSeconds, 0);
});

test('someone already using a name keeps it; /nick to a registered name that is not yours is refused', async (t) => {
  const chat = await serveAccounts(t);
  const ana = await chat.join('ana');
  ana.sendLine('/register pw-ana');
  await ana.lineMatching(/now registered/);
  ana.sendLine('/nick ana2');
  await ana.lineMatching('*** ana is now known as ana2.');
  const bob = await chat.join('bob');
  bob.sendLine('/nick ana');
  await bob.lineMatching('!! The name ana is registered and not yours; choose another.');
  // Its owner may take it back.
  ana.sendLine('/nick ana');
  await ana.lineMatching('*** ana2 is now known as ana.');
  bob.sendLine('/whois ana');
  await bob.lineMatching(/^\*\*\* ana: registered since \d{4}-\d\d-\d\d \d\d:\d\d$/);
  await bob.lineMatching(/^\*\*\* {3}online, idle \d+ s$/);
  bob.sendLine('/whois nobody');
  await bob.lineMatching('*** nobody: not registered');
  await bob.lineMatching('***   not online');
});

test('look-alikes of online and registered names are refused, and so are reserved names and look-alike rooms', async (t) => {
  const chat = await serveAccounts(t);
  const ana = await chat.join('ana');
  const c = await chat.connect();
  await c.prompt();
  c.sendLine('\u0430na'); // Cyrillic а
  await c.lineMatching('!! That name looks too much like ana; choose another.');
  const paypal = await chat.join('paypal');
  paypal.sendLine('/register pp-secret');
  await paypal.lineMatching(/now registered/);
  paypal.sendLine('/quit');
  await paypal.closedByServer();
  await c.prompt();
  c.sendLine('PAYPA1');
  await c.lineMatching('!! That name looks too much like paypal; choose another.');
  const d = await chat.connect();
  await d.prompt();
  d.sendLine('\u0430dmin');
  await d.lineMatching('!! The name \u0430dmin is reserved; choose another.');
  await d.prompt();
  d.sendLine('root');
  await d.lineMatching('!! The name root is reserved; choose another.');
  ana.sendLine('/join #rust');
  await ana.lineMatching(/You are in #rust now/);
  ana.sendLine('/join #ru\u0455t'); // Cyrillic ѕ
  await ana.lineMatching('!! That name looks too much like #rust; choose another.');
});

test('a registered look-alike is refused even while its owner is away', async (t) => {
  const chat = await serveAccounts(t);
  const owner = await chat.join('joao');
  owner.sendLine('/register pw-joao');
  await owner.lineMatching(/now registered/);
  owner.sendLine('/quit');
  await owner.closedByServer();
  const c = await chat.connect();
  await c.prompt();
  c.sendLine('j\u043eao'); // Cyrillic о
  await c.lineMatching('!! That name looks too much like joao; choose another.');
});

test('hostile passwords: too long, control characters and empty are refused with a reason; NFC and NFD forms are one password', async (t) => {
  const chat = await serveAccounts(t);
  const c = await chat.json();
  c.sendLine(JSON.stringify({ type: 'join', name: 'zoe' }));
  await c.jsonOfType('welcome');
  const ask = async (m: Record<string, unknown>) => {
    c.sendLine(JSON.stringify(m));
    for (;;) {
      const r = await c.nextJson();
      if (r.type === 'error' || r.type === 'account') return r;
    }
  };
  const long = await ask({ type: 'register', password: 'x'.repeat(1025) });
  assert.equal(long.code, 'PASSWORD_INVALID');
  assert.match(String(long.message), /1025 bytes, the limit is 1024/);
  const control = await ask({ type: 'register', password: 'a\u0007b' });
  assert.equal(control.code, 'PASSWORD_INVALID');
  assert.match(String(control.message), /control character U\+0007/);
  assert.equal((await ask({ type: 'register', password: '' })).code, 'PASSWORD_INVALID');
  assert.equal((await ask({ type: 'register', password: 'ç'.repeat(512) })).type, 'account'); // 1024 bytes: fits
  assert.equal((await ask({ type: 'password', password: 'Jos\u00e9' })).type, 'account'); // NFC é
  c.sendLine(JSON.stringify({ type: 'quit' }));
  await c.closedByServer();
  const again = await chat.json();
  again.sendLine(JSON.stringify({ type: 'join', name: 'zoe', password: 'Jose\u0301' })); // NFD é
  assert.equal((await again.jsonOfType('welcome')).name, 'zoe');
});

test('50 wrong passwords from one address are slowed, then refused, while the owner logs in from another address', async (t) => {
  const chat = await serveAccounts(t, { host: '::' });
  const owner = await chat.json('::1');
  owner.sendLine(JSON.stringify({ type: 'join', name: 'mia' }));
  await owner.jsonOfType('welcome');
  owner.sendLine(JSON.stringify({ type: 'register', password: 'right-one' }));
  await owner.jsonOfType('account');
  owner.sendLine(JSON.stringify({ type: 'quit' }));
  await owner.closedByServer();

  const attacker = await chat.json('127.0.0.1');
  const outcomes: string[] = [];
  const times: number[] = [];
  for (let i = 0; i < 50; i++) {
    const started = Date.now();
    attacker.sendLine(JSON.stringify({ type: 'join', name: 'mia', password: `guess-${i}` }));
    const err = await attacker.jsonOfType('error', 5000);
    outcomes.push(String(err.code));
    times.push(Date.now() - started);
  }
  assert.equal(outcomes.filter((c) => c === 'LOGIN_FAILED').length, 20);
  assert.deepEqual(outcomes.slice(20), Array(30).fill('LOGIN_THROTTLED'));
  // Tries 6 to 20 waited (10 ms doubling up to 80 ms in this test's policy).
  assert.ok(
    times.slice(12, 20).every((ms) => ms >= 60),
    `waits: ${times.join(',')}`,
  );

  const back = await chat.json('::1');
  back.sendLine(JSON.stringify({ type: 'join', name: 'mia', password: 'right-one' }));
  assert.equal((await back.jsonOfType('welcome', 5000)).name, 'mia');
});

test('--require-account: a new name registers at the door; with --no-registration it is refused', async (t) => {
  const chat = await serveAccounts(t, { requireAccount: true });
  const c = await chat.connect();
  await c.prompt();
  c.sendLine('nina');
  await c.lineMatching('*** This server only admits registered names: choose a password for nina.');
  await c.prompt('Password: ');
  c.sendLine('pw-nina');
  await c.lineMatching(/^\*\*\* Welcome, nina!/);
  const rows = chat.accounts.list();
  assert.deepEqual(
    rows.map((r) => [r.name, r.hasPassword]),
    [['nina', true]],
  );

  const closed = await serveAccounts(t, { requireAccount: true, registration: false });
  const d = await closed.json();
  d.sendLine(JSON.stringify({ type: 'join', name: 'otto' }));
  assert.equal((await d.jsonOfType('error')).code, 'ACCOUNT_REQUIRED');
});
