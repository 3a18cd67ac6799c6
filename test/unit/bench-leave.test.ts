import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LeaveNoticeCounter, joinNoticeName } from '../../src/bench/leave-notices.js';
import { LeaveTally } from '../../src/bench/leave.js';
import { TEXTS } from '../../src/protocol/texts.js';

const counter = new LeaveNoticeCounter('b1a2b3');

test('counts papo plain leave notices about the bench users, in both languages', () => {
  for (const lang of ['en', 'pt'] as const) {
    assert.equal(counter.count(TEXTS[lang].left('b1a2b3-7', 'disconnect')), 1, lang);
    assert.equal(counter.count(TEXTS[lang].left('b1a2b3-7', 'quit')), 1, lang);
    // Someone else's leave, and a part from a room, are not the bench's leave storm.
    assert.equal(counter.count(TEXTS[lang].left('ana', 'disconnect')), 0, lang);
    assert.equal(counter.count(TEXTS[lang].parted('b1a2b3-7', '#r1', '')), 0, lang);
  }
});

test("counts a busy room's summary as the number it names, in both languages", () => {
  for (const lang of ['en', 'pt'] as const) {
    assert.equal(counter.count(TEXTS[lang].presenceLeft(1, ['b1a2b3-1'])), 1, lang);
    assert.equal(counter.count(TEXTS[lang].presenceLeft(1234, ['b1a2b3-1', 'b1a2b3-2'])), 1234, lang);
    assert.equal(counter.count(TEXTS[lang].presenceJoined(12, ['b1a2b3-1'])), 0, lang);
  }
  assert.equal(TEXTS.pt.presenceLeft(3, ['ana', 'bia']), '*** 3 pessoas saíram: ana, bia e mais 1.');
});

test('counts JSON leave and presence events, and ideal-c\'s "* NAME left"', () => {
  assert.equal(counter.count('{"type":"leave","id":3,"ts":1,"name":"b1a2b3-4","reason":"disconnect"}'), 1);
  assert.equal(counter.count('{"type":"leave","id":3,"ts":1,"name":"ana","reason":"disconnect"}'), 0);
  assert.equal(
    counter.count(
      '{"type":"presence","ts":1,"room":"#geral","joined":[],"joinedCount":0,"left":["x"],"leftCount":77}',
    ),
    77,
  );
  assert.equal(counter.count('{"type":"message","id":3,"ts":1,"from":"b1a2b3-4","text":"b1a2b3-4 left"}'), 0);
  assert.equal(counter.count('{"type":"leave", broken'), 0);
  assert.equal(counter.count('* b1a2b3-9 left'), 1);
  assert.equal(counter.count('* b1a2b3-9 left early'), 0);
  // A user's message that looks like a notice is relayed as `name: text`, never at the start.
  assert.equal(counter.count('mallory: * b1a2b3-9 left'), 0);
});

test('finds the name in join notices (ideal-c and papo in English)', () => {
  assert.equal(joinNoticeName('* b1-3 joined'), 'b1-3');
  assert.equal(joinNoticeName(TEXTS.en.joined('b1-4')), 'b1-4');
  assert.equal(joinNoticeName('b1-4: * b1-5 joined'), null);
});

test('no line makes the counter throw or count a negative or fractional number', () => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 200 }),
      fc.constantFrom('', '*** ', '* ', '{"type":"presence"'),
      (s, head) => {
        const n = counter.count(head + s);
        assert.ok(Number.isInteger(n) && n >= 0);
      },
    ),
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (s) => {
      if (!s.startsWith('*') && !s.startsWith('{')) assert.equal(counter.count(s), 0);
    }),
  );
});

test('the tally resolves once every observer has seen the expected leaves', async () => {
  const tally = new LeaveTally(2);
  tally.add(0, 1); // before the storm: not counted against it
  const done = tally.expect(3);
  let resolved = false;
  void done.then(() => (resolved = true));
  tally.add(0, 3);
  tally.add(1, 2);
  await Promise.resolve();
  assert.equal(resolved, false);
  assert.equal(tally.seen(), 2);
  tally.add(1, 1);
  assert.ok(Number.isFinite(await done));
  assert.deepEqual(tally.counts, [4, 3]);
  assert.equal(tally.seen(), 3);
});
