import { test } from 'node:test';
import { join as joinPath } from 'node:path';
import assert from 'node:assert/strict';
import { Moderation } from '../../src/core/moderation/index.js';
import { LineClient } from '../helpers/line-client.js';
import { SqliteAccounts } from '../../src/store/sqlite-accounts.js';
import { TEST_SCRYPT } from '../helpers/accounts.js';
import { joinFrom, loginFrom, registerFrom } from '../helpers/moderation.js';
import { tempDir } from '../helpers/temp.js';
import { clusterFixture, FAST, SKIP, startNode, type TestNode } from './harness.js';

/** A node whose moderation is in memory, `boss` a server operator (as `--ops boss` would make it). */
function moderated() {
  return { moderation: new Moderation({ clock: Date, operators: { has: (key) => key === 'boss' } }) };
}

const BANNED = /^!! You are banned from this server/;
const MUTED = /^!! Not sent: you are muted/;

test(
  'an operator on one node kicks, bans and mutes users of another; a node started later knows the bans and mutes',
  { skip: SKIP },
  async (t) => {
    const { redis, nodes, clients } = await clusterFixture(t);
    // boss's account lives on n1, where it logs in (an operator must be logged in).
    const accounts = new SqliteAccounts(joinPath(tempDir(t, 'papo-accounts-'), 'accounts.db'), TEST_SCRYPT);
    t.after(() => accounts.close());
    const node = async (name: string) => {
      const extra = name === 'n1' ? { accounts } : {};
      const n = await startNode(redis.url, name, FAST, false, { ...moderated(), ...extra });
      nodes.push(n);
      return n;
    };
    const join = async (n: TestNode, name: string, from: string) => {
      const c = await joinFrom(n.port, name, from);
      clients.push(c);
      return c;
    };
    const connect = async (n: TestNode, from: string) => {
      const c = await LineClient.connect(n.port, '127.0.0.1', from);
      clients.push(c);
      return c;
    };
    const n1 = await node('n1');
    const n2 = await node('n2');
    await registerFrom(n1.port, 'boss', 'boss-password-1', '127.0.0.1');
    const boss = await loginFrom(n1.port, 'boss', 'boss-password-1', '127.0.0.1');
    clients.push(boss);
    const ana = await join(n1, 'ana', '127.0.0.1');

    // Kick out of a room: the user stays online on its node, out of the room everywhere.
    const bob = await join(n2, 'bob', '127.0.0.2');
    await ana.lineMatching('*** bob joined the chat.');
    bob.sendLine('/join #rust');
    await bob.lineMatching(/You are in #rust now/);
    boss.sendLine('/join #rust');
    await boss.lineMatching(/You are in #rust now/);
    boss.sendLine('/kick bob flooding');
    await bob.lineMatching(/bob was kicked out of #rust by boss \(flooding\)/);
    await bob.lineMatching(/You are in #geral now/);
    await boss.lineMatching(/bob was kicked out of #rust by boss/);
    boss.sendLine('/who #rust');
    await boss.lineMatching('*** Online now (1): boss');

    // Kick off the server: cut by its own node, and its leave reaches everyone once.
    boss.sendLine('/kick --server bob enough');
    await bob.lineMatching('*** bob was kicked off the server by boss (enough).');
    await bob.closedByServer();
    await ana.lineMatching('*** bob left the chat (kicked).');
    boss.sendLine('/who #geral');
    await boss.lineMatching('*** In #geral (2): boss, ana');

    // Ban: cut on its node; refused by name on the other node, and by address on both.
    const troll = await join(n2, 'troll', '127.0.0.3');
    await ana.lineMatching('*** troll joined the chat.');
    boss.sendLine('/ban troll 2h rude');
    await troll.lineMatching(BANNED);
    await troll.closedByServer();
    await ana.lineMatching('*** troll left the chat (banned).');
    const byName = await connect(n1, '127.0.0.4');
    await byName.prompt();
    byName.sendLine('TROLL');
    await byName.lineMatching(BANNED);
    await byName.closedByServer();
    for (const n of [n1, n2]) {
      const byAddress = await connect(n, '127.0.0.3');
      await byAddress.lineMatching(BANNED);
      await byAddress.closedByServer();
    }

    // Mute: its own node refuses its posts; everyone still reads it nothing.
    const eve = await join(n2, 'eve', '127.0.0.5');
    await ana.lineMatching('*** eve joined the chat.');
    boss.sendLine('/mute eve 10m');
    await eve.lineMatching(/eve was muted by boss/);
    eve.sendLine('hello?');
    await eve.lineMatching(MUTED);
    ana.sendLine('/ping');
    await ana.lineMatching('*** pong');
    assert.deepEqual(
      ana.pending().filter((l) => l.includes('hello?')),
      [],
    );

    // A node started after all this takes the bans and mutes from Redis.
    const n3 = await node('n3');
    const late = await connect(n3, '127.0.0.3');
    await late.lineMatching(BANNED);
    const lateName = await connect(n3, '127.0.0.6');
    await lateName.prompt();
    lateName.sendLine('troll');
    await lateName.lineMatching(BANNED);
    eve.sendLine('/quit');
    await eve.closedByServer();
    await ana.lineMatching('*** eve left the chat.');
    const eve3 = await join(n3, 'eve', '127.0.0.5');
    eve3.sendLine('still muted?');
    await eve3.lineMatching(MUTED);

    // Lifted on one node: lifted everywhere, and Redis forgets it.
    boss.sendLine('/unban troll');
    await boss.lineMatching('*** boss lifted the ban on troll.');
    await join(n3, 'troll', '127.0.0.3');
    await ana.lineMatching('*** troll joined the chat.');
  },
);
