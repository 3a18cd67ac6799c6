import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Orderer, type Entry } from '../../src/cluster/orderer.js';

/** An orderer over a log holding ids 1..n (minus `trimmed`), recording what it hands on. */
function harness(n: number, trimmed: Set<number> = new Set()) {
  const log: Entry[] = [];
  for (let id = 1; id <= n; id++) if (!trimmed.has(id)) log.push({ id, payload: `p${id}` });
  const delivered: number[] = [];
  const lost: Array<[number, number]> = [];
  const orderer = new Orderer(
    0,
    (e) => delivered.push(e.id),
    async (from, to) => log.filter((e) => e.id >= from && e.id <= to),
    (from, to) => lost.push([from, to]),
    (err) => assert.fail(err),
  );
  return { orderer, delivered, lost };
}

const settle = () => new Promise((r) => setImmediate(r));

test('hands events on in id order, once each, whatever the channel dropped or repeated', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc
        .integer({ min: 1, max: 60 })
        .chain((n) =>
          fc.tuple(fc.constant(n), fc.array(fc.integer({ min: 1, max: n }), { maxLength: 3 * n })),
        ),
      async ([n, arrivals]) => {
        const { orderer, delivered, lost } = harness(n);
        // The channel delivers in order but may drop some (a reconnection) and repeat others.
        for (const id of [...arrivals].sort((a, b) => a - b)) orderer.push(id, `p${id}`);
        await settle();
        await orderer.catchUp();
        assert.deepEqual(
          delivered,
          Array.from({ length: n }, (_, i) => i + 1),
        );
        assert.deepEqual(lost, []);
      },
    ),
  );
});

test('says which events the log no longer had, and goes on after them', async () => {
  const { orderer, delivered, lost } = harness(10, new Set([3, 4, 5]));
  orderer.push(1, 'p1');
  orderer.push(8, 'p8');
  await settle();
  await settle();
  assert.deepEqual(delivered, [1, 2, 6, 7, 8]);
  assert.deepEqual(lost, [[3, 5]]);
});

test('ignores ids it has already handed on', () => {
  const { orderer, delivered } = harness(3);
  orderer.push(1, 'p1');
  orderer.push(1, 'p1');
  orderer.push(2, 'p2');
  assert.deepEqual(delivered, [1, 2]);
});
