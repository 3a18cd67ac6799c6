import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bus, BusSink, Draft, Origin } from '../../src/core/bus.js';
import type { ClaimResult, NameClaims } from '../../src/core/claims.js';
import type { BusEvent } from '../../src/core/events.js';
import { Hub } from '../../src/core/hub.js';
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

function node(log: SharedLog, name: string): Hub {
  let n = 0;
  return new Hub({
    clock: manualClock(),
    newToken: () => `${name}-t${++n}`,
    bus: log.bus(),
    claims: log.nameClaims(name),
    node: name,
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
