import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import pino from 'pino';
import { Hub } from '../../src/core/hub.js';
import { Encoder } from '../../src/protocol/encoder.js';
import { Connection, type ConnectionContext } from '../../src/server/connection.js';
import { Flusher } from '../../src/server/flusher.js';
import { SharedFanout } from '../../src/server/shared-fanout.js';
import { MemoryTransport } from '../helpers/memory-transport.js';
import { manualClock } from '../helpers/recording-peer.js';
import { testOptions } from '../helpers/server.js';

/**
 * The shared fanout is an optimisation only: every connection must get exactly the bytes, in
 * exactly the order, that one send per member gives. Two servers in memory, one with each, are
 * fed the same lines in the same turns, and every client's output is compared.
 */

const USERS = 4;
/** Users 0 and 1 speak plain text (one in Portuguese), 2 and 3 JSON lines. */
const HELLOS = [
  'ana',
  'bia',
  '{"type":"hello","version":2,"name":"cris"}',
  '{"type":"hello","version":2,"name":"davi","lang":"pt"}',
];

function world(shared: boolean) {
  const clock = manualClock();
  const options = testOptions({ lang: 'en', busyRoom: 2 });
  const encoder = new Encoder();
  const flusher = new Flusher();
  const fanout = shared ? new SharedFanout(encoder) : undefined;
  if (fanout) flusher.setTurnLog(fanout);
  let tokens = 0;
  const hub = new Hub({ clock, newToken: () => `tok${++tokens}`, fanout, busyRoom: 3 });
  const ctx: ConnectionContext = {
    hub,
    flusher,
    encoder,
    fanout,
    options,
    floodLimits: { linesPerSecond: 1e6, burstLines: 1e6, disconnectAfterSeconds: 60 },
    log: pino({ level: 'silent' }),
    version: '0.0.0-test',
    now: () => clock.now(),
    onClosed: () => {},
  };
  const clients = Array.from({ length: USERS }, (_, i) => {
    const tr = new MemoryTransport();
    new Connection(i + 1, tr, ctx);
    return tr;
  });
  return { hub, clients, clock, fanout };
}

const plainLine = fc.oneof(
  fc.constantFrom(
    'hello',
    'olá 👋',
    '/me waves',
    '/join #a',
    '/join #b',
    '/join #geral',
    '/part',
    '/part #a bye',
    '/rooms',
    '/who',
    '/who #a',
    '/topic new topic',
    '/msg bia psst',
    '/msg cris hi',
    '/nick ana2',
    '/nick bia',
  ),
);
const jsonLine = fc.constantFrom(
  '{"type":"say","text":"hi"}',
  '{"type":"say","text":"to a","room":"#a"}',
  '{"type":"me","text":"nods","room":"#b"}',
  '{"type":"join_room","room":"#a"}',
  '{"type":"join_room","room":"#b"}',
  '{"type":"part_room","room":"#a"}',
  '{"type":"part_room"}',
  '{"type":"topic","room":"#b","text":"b topic"}',
  '{"type":"msg","to":"ana","text":"hey"}',
  '{"type":"who","room":"#geral"}',
);
/** One turn: some users each send one or a few lines, all before the turn's writes. */
const turn = fc.array(
  fc.oneof(
    fc.tuple(fc.constantFrom(0, 1), plainLine),
    fc.tuple(fc.constantFrom(2, 3), jsonLine),
    fc.tuple(fc.integer({ min: 0, max: USERS - 1 }), fc.constant('sair')),
  ),
  { minLength: 1, maxLength: 6 },
);

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

test('the shared fanout gives every connection the same bytes as one send per member', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(turn, { minLength: 1, maxLength: 25 }), async (turns) => {
      const a = world(false);
      const b = world(true);
      for (let i = 0; i < USERS; i++) {
        a.clients[i]?.pushLine(HELLOS[i] as string);
        b.clients[i]?.pushLine(HELLOS[i] as string);
      }
      await nextTurn();
      for (const lines of turns) {
        for (const [user, line] of lines) {
          a.clients[user]?.pushLine(line);
          b.clients[user]?.pushLine(line);
        }
        a.clock.t += 1000;
        b.clock.t += 1000;
        // Busy rooms' summaries go out in the same turn in both.
        a.hub.flushPresence();
        b.hub.flushPresence();
        await nextTurn();
      }
      // Joins, parts and leaves may wait a little to share a write: let them out.
      await new Promise<void>((resolve) => {
        const check = () => (b.fanout?.holding ? setTimeout(check, 5) : setImmediate(resolve));
        check();
      });
      await nextTurn();
      for (let i = 0; i < USERS; i++) {
        assert.equal(b.clients[i]?.text(), a.clients[i]?.text(), `client ${i}'s output`);
      }
      a.hub.shutdown();
      b.hub.shutdown();
    }),
    { numRuns: 150 },
  );
});
