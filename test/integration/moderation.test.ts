import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import pino from 'pino';
import { openModeration } from '../../src/server/moderation-files.js';
import { PapoServer } from '../../src/server/server.js';
import { LineClient } from '../helpers/line-client.js';
import { SqliteAccounts } from '../../src/store/sqlite-accounts.js';
import { TEST_SCRYPT } from '../helpers/accounts.js';
import { joinFrom, loginFrom, registerFrom } from '../helpers/moderation.js';
import { serveChat, testOptions } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';

/**
 * A server on `dataDir` with moderation and accounts kept there, `boss` a server operator once
 * logged in to its account.
 */
const BOSS_PASSWORD = 'boss s3cret';

async function moderatedServer(t: TestContext, dataDir: string, ops = ['boss']) {
  const opened = openModeration(dataDir, ops);
  const accounts = new SqliteAccounts(join(dataDir, 'accounts.db'), TEST_SCRYPT);
  const options = testOptions({ dataDir, ops });
  const server = new PapoServer({
    options,
    log: pino({ level: 'silent' }),
    version: '0',
    moderation: opened.moderation,
    accounts,
  });
  const { port } = await server.listen();
  const clients: LineClient[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const c of clients) c.destroy();
    await server.stop(500);
    opened.close();
    accounts.close();
  };
  t.after(stop);
  const track = (c: LineClient) => (clients.push(c), c);
  return {
    server,
    port,
    stop,
    join: async (name: string, from = '127.0.0.1') => track(await joinFrom(port, name, from)),
    connect: async (from: string) => track(await LineClient.connect(port, '127.0.0.1', from)),
    /** `boss`, registered (on first use) and logged in with its password. */
    boss: async () => {
      if (!accounts.list().some((a) => a.key === 'boss'))
        await registerFrom(port, 'boss', BOSS_PASSWORD, '127.0.0.1');
      return track(await loginFrom(port, 'boss', BOSS_PASSWORD, '127.0.0.1'));
    },
  };
}

test('a room creator kicks a member out of the room, and everyone in the room sees it', async (t) => {
  const chat = await serveChat(t);
  const ana = await chat.join('ana');
  const bob = await chat.join('bob');
  const { c: carol } = await chat.bot('carol');
  ana.sendLine('/join #rust');
  await ana.lineMatching(/You are in #rust now/);
  bob.sendLine('/join #rust');
  await ana.lineMatching('*** bob joined #rust.');
  carol.sendLine(JSON.stringify({ type: 'join_room', room: '#rust' }));
  await ana.lineMatching('*** carol joined #rust.');
  ana.sendLine('/kick bob spamming \u001b[31mlinks');
  await ana.lineMatching('*** bob was kicked out of #rust by ana (spamming \uFFFD[31mlinks).');
  await bob.lineMatching(/^\*\*\* (\[#rust\] )?bob was kicked out of #rust by ana/);
  const kick = await carol.jsonOfType('kick');
  assert.deepEqual(
    { ...kick, id: 0, ts: 0 },
    { type: 'kick', id: 0, ts: 0, name: 'bob', by: 'ana', room: '#rust', reason: 'spamming \uFFFD[31mlinks' },
  );
  // Bob is back in the default room, still online; what is said in #rust no longer reaches him.
  await bob.lineMatching(/You are in #geral now/);
  bob.sendLine('/who #rust');
  await bob.lineMatching('*** In #rust (2): ana, carol');
});

test('non-operators are refused with a clear error, and nothing happens', async (t) => {
  const chat = await serveChat(t);
  const ana = await chat.join('ana');
  const bob = await chat.join('bob');
  ana.sendLine('/join #rust');
  await ana.lineMatching(/You are in #rust now/);
  bob.sendLine('/join #rust');
  await bob.lineMatching(/You are in #rust now/);
  bob.sendLine('/kick ana');
  await bob.lineMatching(
    '!! Only an operator of #rust can do that (its creator, a server operator, or someone they named with /op).',
  );
  for (const cmd of ['/ban ana', '/mute ana', '/unban ana', '/bans', '/kick --server ana']) {
    bob.sendLine(cmd);
    await bob.lineMatching('!! Only a server operator can do that (docs/SERVER.md, "Operators").');
  }
  // Nobody is room operator of the default room but server operators.
  ana.sendLine('/join #geral');
  await ana.lineMatching(/You are in #geral now/);
  ana.sendLine('/kick bob');
  await ana.lineMatching(/^!! Only an operator of #geral/);
  bob.sendLine('still here');
  await ana.lineMatching('[#rust] bob: still here');
});

test('/op names another room operator and /deop takes it back', async (t) => {
  const chat = await serveChat(t);
  const ana = await chat.join('ana');
  const bob = await chat.join('bob');
  const carol = await chat.join('carol');
  for (const c of [ana, bob, carol]) {
    c.sendLine('/join #rust');
    await c.lineMatching(/You are in #rust now/);
  }
  ana.sendLine('/op bob');
  await carol.lineMatching('*** ana made bob an operator of #rust.');
  bob.sendLine('/op carol');
  await ana.lineMatching('*** bob made carol an operator of #rust.');
  ana.sendLine('/deop carol');
  await carol.lineMatching('*** ana removed carol as an operator of #rust.');
  carol.sendLine('/kick bob');
  await carol.lineMatching(/^!! Only an operator of #rust/);
  carol.sendLine('/op nobody');
  await carol.lineMatching(/^!! Only an operator of #rust/);
  ana.sendLine('/op nobody');
  await ana.lineMatching('!! No user named nobody is online. /who lists who is.');
  ana.sendLine('/kick ana');
  await ana.lineMatching('!! Not done: you cannot do that to yourself.');
});

test('a ban is seen by everyone, cuts the user, and refuses them again by name and address, after a restart too', async (t) => {
  const dir = tempDir(t);
  let chat = await moderatedServer(t, dir);
  const boss = await chat.boss();
  const ana = await chat.join('ana');
  const troll = await chat.join('troll', '127.0.0.2');
  boss.sendLine('/ban troll 2h being \u0007rude');
  const notice =
    /^\*\*\* troll was banned by boss until \d{4}-\d\d-\d\d \d\d:\d\d UTC \(being \uFFFDrude\)\.$/;
  await ana.lineMatching(notice);
  await boss.lineMatching(notice);
  await troll.lineMatching(/^!! You are banned from this server until .* UTC \(being \uFFFDrude\)\.$/);
  await troll.closedByServer();
  await ana.lineMatching('*** troll left the chat (banned).');

  // The address: refused before any prompt, whatever the name.
  const again = await chat.connect('127.0.0.2');
  await again.lineMatching(/^!! You are banned from this server until/);
  await again.closedByServer();
  // The name, from another address.
  const other = await chat.connect('127.0.0.3');
  await other.prompt();
  other.sendLine('TROLL');
  await other.lineMatching(/^!! You are banned from this server until/);
  await other.closedByServer();

  boss.sendLine('/bans');
  await boss.lineMatching('*** Bans (1):');
  await boss.lineMatching(
    /^\*\*\* {3}troll \[127\.0\.0\.2\/32\]: by boss, until .* UTC \(being \uFFFDrude\)$/,
  );

  await chat.stop();
  chat = await moderatedServer(t, dir);
  const back = await chat.connect('127.0.0.2');
  await back.lineMatching(/^!! You are banned from this server until/);
  const named = await chat.connect('127.0.0.4');
  await named.prompt();
  named.sendLine('troll');
  await named.lineMatching(/^!! You are banned from this server until/);

  // Lifted: the name and the address are welcome again.
  const boss2 = await chat.boss();
  boss2.sendLine('/unban troll');
  await boss2.lineMatching('*** boss lifted the ban on troll.');
  await chat.join('troll', '127.0.0.2');

  const audit = readFileSync(join(dir, 'audit.log'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    audit.map((e) => [e.actor, e.action, e.target, e.address, e.duration, e.reason]),
    [
      ['boss', 'ban', 'troll', '127.0.0.2/32', '2h', 'being \uFFFDrude'],
      ['boss', 'unban', 'troll', null, null, ''],
    ],
  );
});

test('a banned address range refuses every address in it; a bad range or duration is refused', async (t) => {
  const chat = await moderatedServer(t, tempDir(t));
  const boss = await chat.boss();
  boss.sendLine('/ban 127.0.0.1/8');
  await boss.lineMatching('!! Not done: 127.0.0.0/8 covers your own address.');
  boss.sendLine('/ban 127.0.0.4/31 10m');
  await boss.lineMatching(/^\*\*\* 127\.0\.0\.4\/31 was banned by boss until/);
  const cut = await chat.connect('127.0.0.5');
  await cut.lineMatching(/^!! You are banned from this server until/);
  await chat.join('fine', '127.0.0.6');
  for (const [cmd, error] of [
    [
      '/ban 300.1.2.3',
      '!! Not done: 300.1.2.3 is not an IPv4 or IPv6 address or CIDR range (like 203.0.113.7 or 2001:db8::/32).',
    ],
    [
      '/ban 10.0.0.0/33',
      '!! Not done: 10.0.0.0/33 is not an IPv4 or IPv6 address or CIDR range (like 203.0.113.7 or 2001:db8::/32).',
    ],
    [
      '/ban x 99999999999999999999d',
      '!! Not done: the duration 99999999999999999999d is longer than the limit of 10 years (use none for a permanent one).',
    ],
    [
      '/mute x 5y',
      '!! Not done: 5y is not a duration: use a number and s, m, h, d or w (10m, 2h, 7d), or none.',
    ],
    ['/unban nobody', '!! Not done: nothing in force is banned under nobody; /bans lists the bans.'],
    ['/unmute nobody', '!! Not done: nobody is not muted.'],
    ['/kick --server nobody', '!! No user named nobody is online. /who lists who is.'],
    [
      '/ban bad\u0001name',
      '!! Name not accepted: the character U+0001 is not allowed (use letters, digits and _ - .).',
    ],
  ] as const) {
    boss.sendLine(cmd);
    await boss.lineMatching(error);
  }
});

test('a muted user cannot post anywhere and is told so, but still reads', async (t) => {
  const chat = await moderatedServer(t, tempDir(t));
  const boss = await chat.boss();
  const ana = await chat.join('ana');
  const troll = await chat.join('troll', '127.0.0.2');
  troll.sendLine('/join #rust');
  await troll.lineMatching(/You are in #rust now/);
  boss.sendLine('/mute troll 10m');
  await ana.lineMatching(/^\*\*\* troll was muted by boss until .* UTC: can read, cannot post\.$/);
  await troll.lineMatching(/troll was muted by boss/);
  const muted = /^!! Not sent: you are muted until .* UTC; you can read, but not post\.$/;
  for (const line of ['hello', '/me waves', '/msg ana psst', '/topic mine now', '/nick nottroll']) {
    troll.sendLine(line);
    await troll.lineMatching(muted);
  }
  ana.sendLine('can you read this?');
  await troll.lineMatching('[#geral] ana: can you read this?');
  // Nothing the muted user tried reached anyone.
  ana.sendLine('/ping');
  await ana.lineMatching('*** pong');
  assert.deepEqual(
    ana.pending().filter((l) => /troll|psst|waves|hello/.test(l)),
    [],
  );
  boss.sendLine('/unmute troll');
  await troll.lineMatching('*** boss unmuted troll.');
  troll.sendLine('/msg ana thanks');
  await ana.lineMatching('[private] troll: thanks');
});

test('JSON clients send moderation requests and get errors with codes', async (t) => {
  const chat = await moderatedServer(t, tempDir(t), ['boss', 'troll']);
  await chat.boss();
  const c = await LineClient.connect(chat.port);
  t.after(() => c.destroy());
  c.sendLine(JSON.stringify({ type: 'hello', version: 2, name: 'troll' }));
  await c.jsonOfType('welcome');
  c.sendLine(JSON.stringify({ type: 'ban', target: 'boss', ref: 1 })); // not logged in yet
  const err = await c.jsonOfType('error');
  assert.equal(err.code, 'NOT_OPERATOR');
  assert.equal(err.ref, 1);
  c.sendLine(JSON.stringify({ type: 'kick', ref: 2 }));
  const bad = await c.jsonOfType('error');
  assert.equal(bad.code, 'BAD_REQUEST');
  // troll registers, leaves, and logs in with its password: an operator too now, to show a
  // server operator is not a target.
  c.sendLine(JSON.stringify({ type: 'register', password: 'pw-troll', ref: 'r' }));
  assert.equal((await c.jsonOfType('account')).of, 'register');
  c.sendLine(JSON.stringify({ type: 'quit' }));
  await c.closedByServer();
  const op = await LineClient.connect(chat.port);
  t.after(() => op.destroy());
  op.sendLine(JSON.stringify({ type: 'hello', version: 2, name: 'troll', password: 'pw-troll' }));
  assert.equal((await op.jsonOfType('challenge')).password, true);
  assert.equal((await op.jsonOfType('welcome')).name, 'troll');
  op.sendLine(JSON.stringify({ type: 'mute', name: 'boss', duration: '1h', ref: 3 }));
  const refused = await op.jsonOfType('error');
  assert.equal(refused.code, 'BAD_TARGET');
  assert.equal(refused.message, 'Not done: boss is a server operator.');
});
