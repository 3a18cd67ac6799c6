import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Hub } from '../../src/core/hub.js';
import type { Session } from '../../src/core/hub.js';
import { nameKey } from '../../src/core/names.js';
import { manualClock, RecordingPeer } from '../helpers/recording-peer.js';

/** The model: who is online, by name key, in join order. */
interface Model {
  online: Map<string, string>;
}
interface Real {
  hub: Hub;
  sessions: Map<string, { session: Session; peer: RecordingPeer }>;
}

const NAMES = ['ana', 'Ana', 'bob', 'BOB', 'carol', 'zé', 'Zé', 'x.y', 'bad name', ''];
const nameArb = fc.constantFrom(...NAMES);

class Join implements fc.Command<Model, Real> {
  constructor(readonly name: string) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const peer = new RecordingPeer();
    const session = r.hub.attach(peer);
    r.hub.handle(session, { type: 'join', name: this.name });
    const [reply] = peer.take();
    const valid = this.name !== '' && !this.name.includes(' ');
    const free = !m.online.has(nameKey(this.name));
    if (valid && free) {
      assert.equal(reply?.type, 'welcome');
      m.online.set(nameKey(this.name), this.name);
      r.sessions.set(nameKey(this.name), { session, peer });
    } else {
      assert.ok(reply?.type === 'error');
      assert.equal(reply.code, valid ? 'NAME_TAKEN' : 'NAME_INVALID');
    }
  }
  toString = () => `join(${this.name})`;
}

class Say implements fc.Command<Model, Real> {
  constructor(
    readonly who: string,
    readonly text: string,
  ) {}
  check = (m: Readonly<Model>) => m.online.has(nameKey(this.who));
  run(m: Model, r: Real): void {
    const me = r.sessions.get(nameKey(this.who));
    assert.ok(me);
    for (const s of r.sessions.values()) s.peer.take();
    r.hub.handle(me.session, { type: 'say', text: this.text });
    for (const [key, s] of r.sessions) {
      const got = s.peer.take();
      if (s === me)
        assert.deepEqual(
          got.map((e) => e.type),
          this.text.trim() ? ['ack'] : ['error'],
        );
      else if (this.text.trim()) {
        assert.equal(got.length, 1, `${key} gets the message once`);
        const [e] = got;
        assert.ok(e?.type === 'message' && e.from === m.online.get(nameKey(this.who)));
      } else assert.deepEqual(got, []);
    }
  }
  toString = () => `say(${this.who}, ${JSON.stringify(this.text)})`;
}

class Nick implements fc.Command<Model, Real> {
  constructor(
    readonly who: string,
    readonly to: string,
  ) {}
  check = (m: Readonly<Model>) => m.online.has(nameKey(this.who));
  run(m: Model, r: Real): void {
    const key = nameKey(this.who);
    const me = r.sessions.get(key);
    assert.ok(me);
    r.hub.handle(me.session, { type: 'nick', name: this.to });
    const newKey = nameKey(this.to);
    const valid = this.to !== '' && !this.to.includes(' ');
    const holder = m.online.get(newKey);
    const ok = valid && (holder === undefined || (newKey === key && holder !== this.to));
    const [reply] = me.peer.take().slice(-1);
    if (ok) {
      assert.equal(reply?.type, 'ack');
      // Keep join order: rebuild the model map with the key replaced in place.
      const entries = [...m.online].map(([k, v]): [string, string] =>
        k === key ? [newKey, this.to] : [k, v],
      );
      m.online = new Map(entries);
      const sEntries = [...r.sessions].map(([k, v]): [string, typeof v] => [k === key ? newKey : k, v]);
      r.sessions = new Map(sEntries);
    } else assert.equal(reply?.type, 'error');
  }
  toString = () => `nick(${this.who} -> ${this.to})`;
}

class Quit implements fc.Command<Model, Real> {
  constructor(readonly who: string) {}
  check = (m: Readonly<Model>) => m.online.has(nameKey(this.who));
  run(m: Model, r: Real): void {
    const key = nameKey(this.who);
    const me = r.sessions.get(key);
    assert.ok(me);
    for (const s of r.sessions.values()) s.peer.take();
    r.hub.handle(me.session, { type: 'quit' });
    assert.equal(me.peer.closed, true);
    const name = m.online.get(key);
    m.online.delete(key);
    r.sessions.delete(key);
    for (const s of r.sessions.values()) {
      const [e] = s.peer.take();
      assert.ok(e?.type === 'leave' && e.name === name && e.reason === 'quit');
    }
  }
  toString = () => `quit(${this.who})`;
}

test('random join/say/nick/quit sequences agree with a tiny model', () => {
  const commands = [
    nameArb.map((n) => new Join(n)),
    fc.tuple(nameArb, fc.constantFrom('oi', '  ', 'tudo bem?')).map(([w, t]) => new Say(w, t)),
    fc.tuple(nameArb, nameArb).map(([w, t]) => new Nick(w, t)),
    nameArb.map((n) => new Quit(n)),
  ];
  fc.assert(
    fc.property(fc.commands(commands, { maxCommands: 60 }), (cmds) => {
      let n = 0;
      const real: Real = {
        hub: new Hub({ clock: manualClock(), newToken: () => `t${n++}` }),
        sessions: new Map(),
      };
      const model: Model = { online: new Map() };
      fc.modelRun(() => ({ model, real }), cmds);
      assert.deepEqual(real.hub.userNames(), [...model.online.values()]);
    }),
    { numRuns: 200 },
  );
});
