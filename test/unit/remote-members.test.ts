import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bus, BusSink, Draft, Origin } from '../../src/core/bus.js';
import type { ClaimResult, NameClaims } from '../../src/core/claims.js';
import type { BusEvent } from '../../src/core/events.js';
import { Hub } from '../../src/core/hub.js';
import { Moderation } from '../../src/core/moderation/index.js';
import { manualClock, RecordingPeer } from '../helpers/recording-peer.js';

/** One sequencer shared by several hubs, in memory: what Redis is to a cluster. */
class SharedLog {
  private next = 1;
  readonly sinks: BusSink[] = [];
  readonly claims = new Map<string, string>();
  bus(): Bus {
    return {
      publish: (draft: Draft, origin?: Origin) => {
        const event = { ...draft, id: this.next++, ts: 0 } as BusEvent;
        if (event.type === 'leave') this.claims.delete(event.name.toLowerCase());
        if (event.type === 'nick') this.claims.delete(event.old.toLowerCase());
        for (const sink of this.sinks) sink(event, origin);
      },
      connect: (sink) => void this.sinks.push(sink),
      get nextId() {
        return 0;
      },
    };
  }
  nameClaims(node: string): NameClaims {
    return {
      claim: (_name, key, _token, _presented, done: (r: ClaimResult) => void) => {
        const holder = this.claims.get(key);
        if (holder === undefined) this.claims.set(key, node);
        done(holder === undefined ? 'ok' : 'taken');
      },
      release: (key) => void this.claims.delete(key),
    };
  }
}

function node(log: SharedLog, name: string, moderation?: Moderation): Hub {
  let n = 0;
  return new Hub({
    clock: manualClock(),
    newToken: () => `${name}-t${++n}`,
    bus: log.bus(),
    claims: log.nameClaims(name),
    node: name,
    ...(moderation ? { moderation } : {}),
  });
}

function join(hub: Hub, name: string): RecordingPeer {
  const peer = new RecordingPeer();
  hub.handle(hub.attach(peer), { type: 'join', name });
  return peer;
}

test('users of another node are listed, reachable and forgotten as the bus tells', () => {
  const log = new SharedLog();
  const a = node(log, 'a');
  const b = node(log, 'b');
  const ana = join(a, 'ana');
  const bia = join(b, 'bia');
  const welcome = bia.take().find((e) => e.type === 'welcome');
  assert.deepEqual(welcome && 'users' in welcome ? welcome.users : null, ['ana', 'bia']);
  assert.equal(join(a, 'BIA').take()[0]?.type, 'error', 'a name held on another node is taken');

  a.handle(a.findUser('ana') as never, { type: 'msg', to: 'bia', text: 'oi' });
  assert.deepEqual(
    bia.take().map((e) => e.type),
    ['private'],
  );
  b.handle(b.findUser('bia') as never, { type: 'join_room', room: '#x' });
  assert.deepEqual(a.rooms.list(), b.rooms.list());
  b.handle(b.findUser('bia') as never, { type: 'nick', name: 'bea' });
  assert.equal(a.findUser('bea')?.name, 'bea');
  assert.equal(a.findUser('bia'), undefined);
  b.handle(b.findUser('bea') as never, { type: 'part_room', room: '#x' });
  assert.deepEqual(a.rooms.list(), b.rooms.list());
  b.handle(b.findUser('bea') as never, { type: 'quit' });
  assert.equal(a.findUser('bea'), undefined);
  assert.equal(a.userCount, 1);
  assert.deepEqual(a.rooms.list(), [{ room: '#geral', users: 1, topic: '' }]);
  assert.ok(ana.take().some((e) => e.type === 'leave'));
});

test("another node's user is kicked or banned by its own node alone: one leave, its address banned too", () => {
  const log = new SharedLog();
  const ops = () => new Moderation({ operators: { has: (key) => key === 'boss' } });
  const a = node(log, 'a', ops());
  const b = node(log, 'b', ops());
  const leaves: string[] = [];
  log.sinks.push((e) => void (e.type === 'leave' && leaves.push(e.name)));
  join(a, 'boss');
  const boss = a.findUser('boss') as NonNullable<ReturnType<Hub['findUser']>>;
  boss.account = 'boss';
  const arrive = (name: string, address: string) => {
    const peer = new RecordingPeer();
    const session = b.attach(peer);
    session.address = address;
    b.handle(session, { type: 'join', name });
    return peer;
  };

  const bob = arrive('bob', '10.0.0.7');
  assert.equal(a.findUser('bob')?.address, '10.0.0.7', 'the address came with the join');
  a.handle(boss, { type: 'kick', name: 'bob', server: true });
  assert.deepEqual(leaves, ['bob']);
  assert.ok(bob.closed);
  assert.equal(a.findUser('bob'), undefined);

  const troll = arrive('troll', '10.0.0.8');
  a.handle(boss, { type: 'ban', target: 'troll' });
  assert.deepEqual(leaves, ['bob', 'troll']);
  assert.ok(troll.closed);
  for (const hub of [a, b]) {
    const again = hub.attach(new RecordingPeer());
    again.address = '10.0.0.8';
    assert.ok(hub.refuseBanned(again), 'the address is banned on every node');
  }
});
