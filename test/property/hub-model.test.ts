import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Hub } from '../../src/core/hub.js';
import type { Session } from '../../src/core/hub.js';
import type { ServerEvent } from '../../src/core/events.js';
import { nameKey, roomKey } from '../../src/core/names.js';
import { manualClock, RecordingPeer } from '../helpers/recording-peer.js';

const NAMES = ['ana', 'Ana', 'bob', 'BOB', 'carol', 'zé', 'Zé', 'x.y', 'bad name', ''];
const nameArb = fc.constantFrom(...NAMES);
const isValidName = (name: string) => name !== '' && !name.includes(' ');

// ---- One room: join, say, nick, quit ----------------------------------------------------------

/** The model: who is online, by name key, in join order. */
interface Model {
  online: Map<string, string>;
}
interface Real {
  hub: Hub;
  sessions: Map<string, { session: Session; peer: RecordingPeer }>;
}

class Join implements fc.Command<Model, Real> {
  constructor(readonly name: string) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const peer = new RecordingPeer();
    const session = r.hub.attach(peer);
    r.hub.handle(session, { type: 'join', name: this.name });
    const [reply] = peer.take();
    const valid = isValidName(this.name);
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
    for (const s of r.sessions.values()) s.peer.take();
    r.hub.handle(me.session, { type: 'nick', name: this.to });
    const newKey = nameKey(this.to);
    const holder = m.online.get(newKey);
    const ok = isValidName(this.to) && (holder === undefined || (newKey === key && holder !== this.to));
    const old = m.online.get(key);
    const told = (got: ServerEvent[]) => got.map((e) => (e.type === 'nick' ? `${e.old}>${e.new}` : e.type));
    if (ok) {
      assert.deepEqual(told(me.peer.take()), [`${old}>${this.to}`, 'ack'], 'the renamed user is told once');
      for (const s of r.sessions.values())
        if (s !== me) assert.deepEqual(told(s.peer.take()), [`${old}>${this.to}`]);
      // Keep join order: rebuild the model map with the key replaced in place.
      const entries = [...m.online].map(([k, v]): [string, string] =>
        k === key ? [newKey, this.to] : [k, v],
      );
      m.online = new Map(entries);
      const sEntries = [...r.sessions].map(([k, v]): [string, typeof v] => [k === key ? newKey : k, v]);
      r.sessions = new Map(sEntries);
    } else {
      assert.deepEqual(told(me.peer.take()), ['error']);
      for (const s of r.sessions.values()) assert.deepEqual(s.peer.take(), []);
    }
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
      const got = s.peer.take();
      assert.equal(got.length, 1);
      const [e] = got;
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

// ---- Rooms (#12): join, join_room, part_room, say, nick, quit ---------------------------------

const DEFAULT = '#geral';
/** Four rooms, two of them also named in another letter case. */
const ROOMS = ['#geral', '#a', '#A', '#b', '#c', '#C'];
const roomArb = fc.constantFrom(...ROOMS);
/** Fewer names than above, so that the same users meet in several rooms more often. */
const userArb = fc.constantFrom('ana', 'Ana', 'bob', 'carol', 'zé', 'bad name');

interface UserModel {
  name: string;
  /** Room keys, in the order joined. */
  rooms: string[];
  current: string;
}
interface RoomsModel {
  /** Online users by name key, in join order. */
  users: Map<string, UserModel>;
  /** Each room's members (name keys) in the order they entered; a room without members is absent. */
  members: Map<string, string[]>;
  /** A room's spelling, from its first creation on (kept after it empties). */
  spelling: Map<string, string>;
  /** Numbers the messages, so each one is told apart. */
  said: number;
}
interface RoomsReal {
  hub: Hub;
  /** By name key, as in the model. */
  peers: Map<string, { session: Session; peer: RecordingPeer }>;
  /** Connections that left: they must hear nothing more. */
  gone: RecordingPeer[];
}

/** What one user received, one short line per event, to compare with the model's expectation. */
function seen(events: ServerEvent[]): string[] {
  return events.map((e) => {
    switch (e.type) {
      case 'message':
        return `${e.room} ${e.from}: ${e.text}`;
      case 'join':
        return `join ${e.room} ${e.name}${e.connected ? ' connected' : ''}`;
      case 'part':
        return `part ${e.room} ${e.name}`;
      case 'leave':
        return `leave ${e.name}`;
      case 'nick':
        return `nick ${e.old} ${e.new}`;
      case 'ack':
        return `ack ${e.of}${e.room ? ` ${e.room}` : ''}`;
      case 'room':
        return `room ${e.room} ${e.users.join(',')}`;
      case 'welcome':
        return `welcome ${e.room} ${e.users.join(',')}`;
      case 'error':
        return `error ${e.code}`;
      default:
        return e.type;
    }
  });
}

/** The expected events per user key for one step; users not named expect nothing. */
class Expect {
  readonly byUser = new Map<string, string[]>();
  add(key: string, line: string): void {
    const lines = this.byUser.get(key) ?? [];
    lines.push(line);
    this.byUser.set(key, lines);
  }
  /** Checks what every connection received against the expectation, then the rooms against the model. */
  check(m: RoomsModel, r: RoomsReal, step: string): void {
    for (const [key, { peer }] of r.peers) {
      assert.deepEqual(seen(peer.take()), this.byUser.get(key) ?? [], `${step}: what ${key} received`);
    }
    for (const peer of r.gone)
      assert.deepEqual(peer.take(), [], `${step}: a closed connection hears nothing`);
    checkRooms(m, r);
  }
}

const names = (m: RoomsModel, keys: string[]) => keys.map((k) => (m.users.get(k) as UserModel).name);
const display = (m: RoomsModel, key: string) => m.spelling.get(key) as string;

/** Keys of the users who share a room with `key` (not `key` itself), each once. */
function sharers(m: RoomsModel, key: string): string[] {
  const me = m.users.get(key) as UserModel;
  return [...m.users.keys()].filter((k) => k !== key && me.rooms.some((r) => m.members.get(r)?.includes(k)));
}

function enterRoom(m: RoomsModel, key: string, room: string, spelled: string): void {
  if (!m.spelling.has(room)) m.spelling.set(room, spelled);
  const members = m.members.get(room) ?? [];
  members.push(key);
  m.members.set(room, members);
  const u = m.users.get(key) as UserModel;
  u.rooms.push(room);
  u.current = room;
}

function leaveRoom(m: RoomsModel, key: string, room: string): void {
  const members = (m.members.get(room) ?? []).filter((k) => k !== key);
  if (members.length === 0) m.members.delete(room);
  else m.members.set(room, members);
}

function userOf(r: RoomsReal, who: string) {
  const me = r.peers.get(nameKey(who));
  assert.ok(me);
  return me;
}

class RJoin implements fc.Command<RoomsModel, RoomsReal> {
  constructor(readonly name: string) {}
  check = () => true;
  run(m: RoomsModel, r: RoomsReal): void {
    const peer = new RecordingPeer();
    const session = r.hub.attach(peer);
    r.hub.handle(session, { type: 'join', name: this.name });
    const key = nameKey(this.name);
    const valid = isValidName(this.name);
    if (!valid || m.users.has(key)) {
      assert.deepEqual(seen(peer.take()), [`error ${valid ? 'NAME_TAKEN' : 'NAME_INVALID'}`]);
      return new Expect().check(m, r, this.toString());
    }
    const expect = new Expect();
    const room = roomKey(DEFAULT);
    for (const k of m.members.get(room) ?? []) expect.add(k, `join ${DEFAULT} ${this.name} connected`);
    m.users.set(key, { name: this.name, rooms: [], current: room });
    enterRoom(m, key, room, DEFAULT);
    assert.deepEqual(seen(peer.take()), [
      `welcome ${DEFAULT} ${names(m, m.members.get(room) ?? []).join(',')}`,
    ]);
    r.peers.set(key, { session, peer });
    expect.check(m, r, this.toString());
  }
  toString = () => `join(${this.name})`;
}

class RJoinRoom implements fc.Command<RoomsModel, RoomsReal> {
  constructor(
    readonly who: string,
    readonly room: string,
  ) {}
  check = (m: Readonly<RoomsModel>) => m.users.has(nameKey(this.who));
  run(m: RoomsModel, r: RoomsReal): void {
    const key = nameKey(this.who);
    const me = m.users.get(key) as UserModel;
    const room = roomKey(this.room);
    r.hub.handle(userOf(r, this.who).session, { type: 'join_room', room: this.room });
    const expect = new Expect();
    if (!me.rooms.includes(room)) {
      // A room keeps the spelling it was first created with, even after it empties.
      if (!m.spelling.has(room)) m.spelling.set(room, this.room);
      for (const k of m.members.get(room) ?? []) expect.add(k, `join ${display(m, room)} ${me.name}`);
      enterRoom(m, key, room, this.room);
    }
    me.current = room;
    expect.add(key, `room ${display(m, room)} ${names(m, m.members.get(room) ?? []).join(',')}`);
    expect.check(m, r, this.toString());
  }
  toString = () => `join_room(${this.who}, ${this.room})`;
}

class RPartRoom implements fc.Command<RoomsModel, RoomsReal> {
  constructor(
    readonly who: string,
    readonly room: string,
  ) {}
  check = (m: Readonly<RoomsModel>) => m.users.has(nameKey(this.who));
  run(m: RoomsModel, r: RoomsReal): void {
    const key = nameKey(this.who);
    const me = m.users.get(key) as UserModel;
    const room = roomKey(this.room);
    r.hub.handle(userOf(r, this.who).session, { type: 'part_room', room: this.room });
    const expect = new Expect();
    if (!me.rooms.includes(room)) {
      expect.add(key, `error ${m.members.has(room) ? 'NOT_IN_ROOM' : 'NO_SUCH_ROOM'}`);
    } else if (me.rooms.length === 1 && room === roomKey(DEFAULT)) {
      expect.add(key, 'error LAST_ROOM');
    } else {
      const name = display(m, room);
      for (const k of m.members.get(room) ?? []) expect.add(k, `part ${name} ${me.name}`);
      expect.add(key, `ack part_room ${name}`);
      leaveRoom(m, key, room);
      const at = me.rooms.indexOf(room);
      me.rooms.splice(at, 1);
      if (me.rooms.length === 0) {
        const home = roomKey(DEFAULT);
        for (const k of m.members.get(home) ?? []) expect.add(k, `join ${DEFAULT} ${me.name}`);
        enterRoom(m, key, home, DEFAULT);
        expect.add(key, `room ${DEFAULT} ${names(m, m.members.get(home) ?? []).join(',')}`);
      } else if (me.current === room) {
        me.current = (me.rooms[at] ?? me.rooms[at - 1]) as string;
        expect.add(
          key,
          `room ${display(m, me.current)} ${names(m, m.members.get(me.current) ?? []).join(',')}`,
        );
      }
    }
    expect.check(m, r, this.toString());
  }
  toString = () => `part_room(${this.who}, ${this.room})`;
}

/** `count` messages in a row from one user to one room (its default room when `room` is absent). */
class RSay implements fc.Command<RoomsModel, RoomsReal> {
  constructor(
    readonly who: string,
    readonly room: string | undefined,
    readonly count: number,
  ) {}
  check = (m: Readonly<RoomsModel>) => m.users.has(nameKey(this.who));
  run(m: RoomsModel, r: RoomsReal): void {
    const key = nameKey(this.who);
    const me = m.users.get(key) as UserModel;
    const room = roomKey(this.room ?? DEFAULT);
    const expect = new Expect();
    for (let i = 0; i < this.count; i++) {
      const text = `m${++m.said}`;
      r.hub.handle(userOf(r, this.who).session, { type: 'say', text, room: this.room });
      if (!me.rooms.includes(room)) {
        const exists = m.members.has(room) || this.room === undefined;
        expect.add(key, `error ${exists ? 'NOT_IN_ROOM' : 'NO_SUCH_ROOM'}`);
        continue;
      }
      const name = display(m, room);
      for (const k of m.members.get(room) ?? []) {
        expect.add(k, k === key ? `ack message ${name}` : `${name} ${me.name}: ${text}`);
      }
    }
    expect.check(m, r, this.toString());
  }
  toString = () => `say(${this.who}, ${this.room ?? '-'}, ×${this.count})`;
}

class RNick implements fc.Command<RoomsModel, RoomsReal> {
  constructor(
    readonly who: string,
    readonly to: string,
  ) {}
  check = (m: Readonly<RoomsModel>) => m.users.has(nameKey(this.who));
  run(m: RoomsModel, r: RoomsReal): void {
    const key = nameKey(this.who);
    const me = m.users.get(key) as UserModel;
    const newKey = nameKey(this.to);
    const holder = m.users.get(newKey);
    const ok = isValidName(this.to) && (holder === undefined || (newKey === key && holder.name !== this.to));
    r.hub.handle(userOf(r, this.who).session, { type: 'nick', name: this.to });
    const expect = new Expect();
    if (!ok) {
      expect.add(key, `error ${isValidName(this.to) ? 'NAME_TAKEN' : 'NAME_INVALID'}`);
      return expect.check(m, r, this.toString());
    }
    const line = `nick ${me.name} ${this.to}`;
    for (const k of sharers(m, key)) expect.add(k, line);
    expect.add(key, line);
    expect.add(key, 'ack nick');
    // Rename in place: every map keeps its order.
    me.name = this.to;
    const rekey = (k: string) => (k === key ? newKey : k);
    m.users = new Map([...m.users].map(([k, v]) => [rekey(k), v]));
    for (const [room, members] of m.members) m.members.set(room, members.map(rekey));
    r.peers = new Map([...r.peers].map(([k, v]) => [rekey(k), v]));
    const told = new Expect();
    for (const [k, lines] of expect.byUser) told.byUser.set(rekey(k), lines);
    told.check(m, r, this.toString());
  }
  toString = () => `nick(${this.who} -> ${this.to})`;
}

class RQuit implements fc.Command<RoomsModel, RoomsReal> {
  constructor(readonly who: string) {}
  check = (m: Readonly<RoomsModel>) => m.users.has(nameKey(this.who));
  run(m: RoomsModel, r: RoomsReal): void {
    const key = nameKey(this.who);
    const me = m.users.get(key) as UserModel;
    const { peer, session } = userOf(r, this.who);
    r.hub.handle(session, { type: 'quit' });
    assert.deepEqual(seen(peer.take()), ['bye']);
    assert.equal(peer.closed, true);
    r.peers.delete(key);
    r.gone.push(peer);
    const expect = new Expect();
    for (const k of sharers(m, key)) expect.add(k, `leave ${me.name}`);
    for (const room of me.rooms) leaveRoom(m, key, room);
    m.users.delete(key);
    expect.check(m, r, this.toString());
  }
  toString = () => `quit(${this.who})`;
}

/** A new connection takes the user's name back with its session token (the old one is dead). */
class RResume implements fc.Command<RoomsModel, RoomsReal> {
  constructor(readonly who: string) {}
  check = (m: Readonly<RoomsModel>) => m.users.has(nameKey(this.who));
  run(m: RoomsModel, r: RoomsReal): void {
    const key = nameKey(this.who);
    const me = m.users.get(key) as UserModel;
    const old = userOf(r, this.who);
    const peer = new RecordingPeer();
    const session = r.hub.attach(peer);
    r.hub.handle(session, { type: 'join', name: this.who, token: old.session.token as string });
    assert.deepEqual(seen(old.peer.take()), ['bye']);
    r.gone.push(old.peer);
    r.peers.set(key, { session, peer });
    // The same rooms, the same current room; in each room the user now comes last.
    for (const room of me.rooms) {
      leaveRoom(m, key, room);
      m.members.set(room, [...(m.members.get(room) ?? []), key]);
    }
    const room = (k: string) => `${display(m, k)} ${names(m, m.members.get(k) ?? []).join(',')}`;
    const expect = new Expect();
    expect.add(key, `welcome ${room(me.current)}`);
    for (const k of me.rooms) if (k !== me.current) expect.add(key, `room ${room(k)}`);
    expect.check(m, r, this.toString());
  }
  toString = () => `resume(${this.who})`;
}

/** The hub's rooms, members and current rooms are the model's. */
function checkRooms(m: RoomsModel, r: RoomsReal): void {
  const expected = [...m.members].map(([room, members]) => ({
    room: display(m, room),
    users: members.length,
    topic: '',
  }));
  expected.sort((a, b) => b.users - a.users || a.room.localeCompare(b.room));
  assert.deepEqual(r.hub.rooms.list(), expected);
  for (const [room, members] of m.members) {
    assert.deepEqual(r.hub.rooms.get(room)?.memberNames(), names(m, members), room);
  }
  for (const [key, u] of m.users) {
    const { session } = r.peers.get(key) as { session: Session };
    assert.equal(session.currentRoom, display(m, u.current), `${u.name}'s current room`);
    assert.deepEqual(
      session.rooms.map((room) => room.key),
      u.rooms,
      `${u.name}'s rooms`,
    );
  }
}

test('random room sequences (join, join_room, part_room, say, nick, quit, resume) agree with a model: each message reaches its room’s members but the sender, in order, once', () => {
  const commands = [
    userArb.map((n) => new RJoin(n)),
    fc.tuple(userArb, roomArb).map(([w, room]) => new RJoinRoom(w, room)),
    fc.tuple(userArb, roomArb).map(([w, room]) => new RPartRoom(w, room)),
    fc
      .tuple(userArb, fc.option(roomArb, { nil: undefined }), fc.integer({ min: 1, max: 3 }))
      .map(([w, room, count]) => new RSay(w, room, count)),
    fc.tuple(userArb, userArb).map(([w, t]) => new RNick(w, t)),
    userArb.map((n) => new RQuit(n)),
    userArb.map((n) => new RResume(n)),
  ];
  fc.assert(
    fc.property(fc.commands(commands, { size: 'large' }), (cmds) => {
      let n = 0;
      const real: RoomsReal = {
        hub: new Hub({ clock: manualClock(), newToken: () => `t${n++}` }),
        peers: new Map(),
        gone: [],
      };
      const model: RoomsModel = { users: new Map(), members: new Map(), spelling: new Map(), said: 0 };
      const setup = () => {
        // Three users online from the start, so most commands find their user.
        for (const name of ['ana', 'bob', 'carol']) new RJoin(name).run(model, real);
        return { model, real };
      };
      fc.modelRun(setup, cmds);
    }),
    { numRuns: 200 },
  );
});
