import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ServerEvent } from '../../src/core/events.js';
import { Hub } from '../../src/core/hub.js';
import { Moderation, type AuditEntry } from '../../src/core/moderation/index.js';
import { SqliteModerationStore } from '../../src/store/index.js';
import { manualClock, RecordingPeer } from '../helpers/recording-peer.js';
import { tempDir } from '../helpers/temp.js';

function setup(ops: string[] = [], moderation?: Moderation) {
  const clock = manualClock();
  const audit: AuditEntry[] = [];
  const mod =
    moderation ??
    new Moderation({
      clock,
      operators: { has: (k) => ops.includes(k) },
      audit: { append: (e) => audit.push(e) },
    });
  let n = 0;
  const hub = new Hub({ clock, newToken: () => `t${++n}`, moderation: mod });
  const join = (name: string, address = '127.0.0.1') => {
    const peer = new RecordingPeer();
    const session = hub.attach(peer);
    session.address = address;
    hub.handle(session, { type: 'join', name });
    peer.take();
    return { peer, session };
  };
  return { clock, hub, join, audit, mod };
}

function errorCode(events: ServerEvent[]): string | undefined {
  const e = events.find((x) => x.type === 'error');
  return e?.type === 'error' ? e.code : undefined;
}

test("a new room's creator is its operator; the default room has none but server operators", () => {
  const { hub, join } = setup();
  const ana = join('ana');
  const bob = join('bob');
  hub.handle(ana.session, { type: 'join_room', room: '#Rust' });
  hub.handle(bob.session, { type: 'join_room', room: '#rust' });
  assert.equal(hub.moderation.state.isRoomOperator(ana.session, '#rust'), true);
  assert.equal(hub.moderation.state.isRoomOperator(bob.session, '#rust'), false);
  assert.equal(hub.moderation.state.isRoomOperator(ana.session, '#geral'), false);
});

test("a guest's room operator grant lasts for its connection only; an account's follows the account", () => {
  const { hub, join } = setup();
  const ana = join('ana');
  hub.handle(ana.session, { type: 'join_room', room: '#rust' });
  hub.handle(ana.session, { type: 'quit' });
  const impostor = join('ana');
  hub.handle(impostor.session, { type: 'join_room', room: '#rust' });
  assert.equal(hub.moderation.state.isRoomOperator(impostor.session, '#rust'), false);

  const { hub: hub2, join: join2 } = setup();
  const bea = join2('bea');
  bea.session.account = 'bea';
  hub2.handle(bea.session, { type: 'join_room', room: '#rust' });
  hub2.handle(bea.session, { type: 'quit' });
  const back = join2('bea');
  assert.equal(
    hub2.moderation.state.isRoomOperator(back.session, '#rust'),
    false,
    'a guest named bea is not the account',
  );
  back.session.account = 'bea';
  assert.equal(hub2.moderation.state.isRoomOperator(back.session, '#rust'), true);
});

test('a server operator is an account on the list, logged in', () => {
  const { hub, join } = setup(['boss']);
  const boss = join('boss');
  hub.handle(boss.session, { type: 'bans' });
  assert.equal(errorCode(boss.peer.take()), 'NOT_OPERATOR');
  boss.session.account = 'boss';
  hub.handle(boss.session, { type: 'bans' });
  assert.deepEqual(boss.peer.take(), [{ type: 'bans', bans: [], mutes: [], ref: undefined }]);
});

test('bans and mutes end when their time is up, and are pruned', () => {
  const { hub, join, clock, audit } = setup(['boss']);
  const boss = join('boss');
  boss.session.account = 'boss';
  const troll = join('troll', '10.0.0.7');
  hub.handle(boss.session, { type: 'mute', name: 'troll', duration: '10m' });
  hub.handle(troll.session, { type: 'say', text: 'hi' });
  assert.equal(errorCode(troll.peer.take()), 'MUTED');
  clock.t += 10 * 60_000;
  hub.handle(troll.session, { type: 'say', text: 'hi' });
  assert.equal(errorCode(troll.peer.take()), undefined);
  hub.handle(boss.session, { type: 'ban', target: 'troll', duration: '1h', reason: 'x' });
  assert.equal(troll.peer.closed, true);
  const again = join('troll', '10.0.0.8');
  assert.equal(again.peer.closed, true, 'refused by name');
  clock.t += 3_600_000;
  const later = join('troll', '10.0.0.7');
  assert.equal(later.peer.closed, false);
  assert.equal(hub.findUser('troll'), later.session);
  hub.handle(boss.session, { type: 'bans' });
  const list = boss.peer.take().find((e) => e.type === 'bans');
  assert.deepEqual(list && list.type === 'bans' ? [list.bans.length, list.mutes.length] : null, [0, 0]);
  assert.deepEqual(
    audit.map((e) => [e.action, e.target, e.address, e.duration]),
    [
      ['mute', 'troll', null, '10m'],
      ['ban', 'troll', '10.0.0.7/32', '1h'],
    ],
  );
});

test('server operators cannot be kicked, banned or muted, and a kick of a last room disconnects', () => {
  const { hub, join } = setup(['boss', 'vice']);
  const boss = join('boss');
  boss.session.account = 'boss';
  const vice = join('vice');
  vice.session.account = 'vice';
  for (const action of [
    { type: 'kick', name: 'vice', room: '#geral' },
    { type: 'ban', target: 'vice' },
    { type: 'mute', name: 'vice' },
  ] as const) {
    hub.handle(boss.session, action);
    assert.equal(errorCode(boss.peer.take()), 'BAD_TARGET');
  }
  const guest = join('guest');
  hub.handle(boss.session, { type: 'kick', name: 'guest', room: '#geral', reason: 'bye' });
  assert.equal(guest.peer.closed, true);
  assert.deepEqual(
    guest.peer.take().map((e) => e.type),
    ['kick', 'bye'],
  );
});

test('bans, mutes and account room operators survive reopening the SQLite store', (t) => {
  const file = join(tempDir(t), 'moderation.db');
  const store = SqliteModerationStore.open(file);
  const clock = manualClock();
  const first = new Moderation({ store, clock });
  first.addBan({
    id: 7,
    target: 'troll',
    name: 'troll',
    masks: ['10.0.0.0/8'],
    by: 'boss',
    reason: 'r',
    ts: 1,
    until: null,
  });
  first.addBan({
    id: 8,
    target: 'old',
    name: 'old',
    masks: [],
    by: 'boss',
    reason: '',
    ts: 1,
    until: clock.t - 1,
  });
  first.mute({ name: 'Loud', by: 'boss', reason: '', ts: 2, until: clock.t + 1000 });
  first.grantRoomOp('#rust', { account: 'ana', session: null });
  store.close();
  const reopened = SqliteModerationStore.open(file);
  t.after(() => reopened.close());
  const second = new Moderation({ store: reopened, clock });
  assert.equal(second.addressBan('10.200.0.1', clock.t)?.id, 7);
  assert.equal(second.addressBan('::ffff:10.1.2.3', clock.t)?.id, 7);
  assert.equal(second.addressBan('11.0.0.1', clock.t), undefined);
  assert.equal(second.nameBan('old', null, clock.t), undefined);
  assert.deepEqual(
    reopened.load().bans.map((b) => b.id),
    [7],
    'the expired ban was pruned on load',
  );
  assert.equal(second.muteByKey('loud', clock.t)?.name, 'Loud');
  assert.deepEqual(reopened.load().roomOps, [{ roomKey: '#rust', account: 'ana' }]);
});

test('a guest room operator keeps the role across a rename and a resume with its token', () => {
  const { hub, join } = setup();
  const ana = join('ana');
  hub.handle(ana.session, { type: 'join_room', room: '#rust' });
  hub.handle(ana.session, { type: 'nick', name: 'ana2' });
  assert.equal(hub.moderation.state.isRoomOperator(ana.session, '#rust'), true);
  const token = ana.session.token as string;
  const peer = new RecordingPeer();
  const again = hub.attach(peer);
  hub.handle(again, { type: 'join', name: 'ana2', token });
  assert.equal(hub.findUser('ana2'), again);
  assert.equal(hub.moderation.state.isRoomOperator(again, '#rust'), true);
  assert.equal(hub.moderation.state.isRoomOperator(ana.session, '#rust'), false);
});

test('a name with dots is banned as a name; an offline operator account cannot be banned or muted', () => {
  const { hub, join } = setup(['boss', 'vice']);
  const boss = join('boss');
  boss.session.account = 'boss';
  hub.handle(boss.session, { type: 'ban', target: 'ba.be' });
  const ban = boss.peer.take().find((e) => e.type === 'ban');
  assert.equal(ban?.type === 'ban' ? ban.target : null, 'ba.be');
  assert.equal(join('BA.BE').peer.closed, true);
  for (const action of [
    { type: 'ban', target: 'Vice' },
    { type: 'mute', name: 'vice' },
  ] as const) {
    hub.handle(boss.session, action);
    assert.equal(errorCode(boss.peer.take()), 'BAD_TARGET');
  }
  hub.handle(boss.session, { type: 'ban', target: '300.1.2.3' });
  assert.equal(errorCode(boss.peer.take()), 'BAD_TARGET');
});
