import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseClientMessage } from '../../src/protocol/json-codec.js';
import type { ClientMessage } from '../../src/protocol/json-messages.js';

const text = fc.string({ maxLength: 200 });
const ref = fc.option(fc.oneof(fc.string({ maxLength: 64 }), fc.integer()), { nil: undefined });
const withRef = <T extends object>(m: T, r: string | number | undefined) =>
  r === undefined ? m : { ...m, ref: r };

const clientMessage: fc.Arbitrary<ClientMessage> = fc.oneof(
  fc.record({ type: fc.constant('say' as const), text }).chain((m) => ref.map((r) => withRef(m, r))),
  fc.record({ type: fc.constant('me' as const), text }).chain((m) => ref.map((r) => withRef(m, r))),
  fc
    .record({ type: fc.constant('msg' as const), to: text, text })
    .chain((m) => ref.map((r) => withRef(m, r))),
  fc.record({ type: fc.constant('nick' as const), name: text }).chain((m) => ref.map((r) => withRef(m, r))),
  fc.record({ type: fc.constant('join' as const), name: text }),
  fc.record({ type: fc.constant('who' as const) }),
  fc.record({ type: fc.constant('ping' as const) }),
  fc.record({ type: fc.constant('pong' as const) }),
  fc.record({ type: fc.constant('quit' as const) }),
  fc.record({ type: fc.constant('hello' as const), version: fc.integer({ min: 0, max: 3 }), name: text }),
);

test('every client message survives a JSON round trip', () => {
  fc.assert(
    fc.property(clientMessage, (m) => {
      assert.deepEqual(parseClientMessage(JSON.stringify(m)), { ok: true, message: { ...m } });
    }),
  );
});

test('never throws on arbitrary input and explains every refusal', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.json(),
        fc.jsonValue().map((v) => JSON.stringify(v)),
      ),
      (line) => {
        const r = parseClientMessage(line);
        if (!r.ok) {
          assert.equal(r.code, 'BAD_REQUEST');
          assert.ok(r.reason.length > 0);
        }
      },
    ),
  );
});

test('names the field that is wrong', () => {
  assert.deepEqual(parseClientMessage('{"type":"say","text":5,"ref":"a"}'), {
    ok: false,
    code: 'BAD_REQUEST',
    reason: '"text" must be a string',
    ref: 'a',
  });
  assert.equal(parseClientMessage('[1]').ok, false);
  assert.equal(parseClientMessage('{"type":"dance"}').ok, false);
  assert.equal(parseClientMessage('nope').ok, false);
});
