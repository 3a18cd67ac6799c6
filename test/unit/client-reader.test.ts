import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { splitAt } from '../helpers/split.js';
import { PlainLineSplitter } from '../../src/client/plain-lines.js';
import { RequestQueue } from '../../src/client/request-queue.js';
import { ServerReader, type ReaderOutput } from '../../src/client/server-reader.js';

function readAll(chunks: Buffer[]): ReaderOutput[] {
  const reader = new ServerReader();
  return [...chunks.flatMap((c) => reader.push(c)), ...reader.end()];
}

const PAPO =
  '*** papo 0.1.0: chat server\nYour name: \n' +
  '{"type":"hello","version":1,"server":"papo/0.1.0","heartbeatSeconds":30}\n' +
  '{"type":"message","id":1,"ts":2,"from":"zé","text":"olá 😄"}\n';

describe('server reader', () => {
  it('recognises papo by its greeting and reads JSON lines after it', () => {
    const out = readAll([Buffer.from(PAPO)]);
    assert.deepEqual(
      out.map((o) => o.kind),
      ['decided', 'preamble', 'preamble', 'message', 'message'],
    );
    assert.deepEqual(out[0], { kind: 'decided', protocol: 'json', why: 'greeting' });
  });

  it('speaks plain text to any other greeting', () => {
    const out = readAll([Buffer.from('Welcome to pychat\nName: ')]);
    assert.deepEqual(out, [
      { kind: 'decided', protocol: 'plain', why: 'greeting' },
      { kind: 'plain', line: 'Welcome to pychat' },
      { kind: 'plain', line: 'Name: ' },
    ]);
  });

  it('recognises a TLS alert or handshake record, even split after its first byte', () => {
    const alert = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46]);
    assert.deepEqual(readAll([alert.subarray(0, 1), alert.subarray(1)]), [{ kind: 'tls' }]);
    assert.deepEqual(readAll([Buffer.from([0x16, 0x03, 0x01, 0x00])]), [{ kind: 'tls' }]);
    // After --plain (or a silent server) decided plain text, the bytes are still checked.
    const reader = new ServerReader();
    reader.decide('plain', 'flag');
    assert.deepEqual(reader.push(alert), [{ kind: 'tls' }]);
    assert.equal(reader.speaksTls, true);
  });

  it('reads a one-byte greeting at the close', () => {
    assert.deepEqual(readAll([Buffer.from('x')]), [
      { kind: 'decided', protocol: 'plain', why: 'greeting' },
      { kind: 'plain', line: 'x' },
    ]);
  });

  it('waits while the bytes could still be the papo greeting', () => {
    const reader = new ServerReader();
    assert.deepEqual(reader.push(Buffer.from('*** pa')), []);
    assert.equal(reader.protocol, null);
    assert.equal(reader.push(Buffer.from('x'))[0]?.kind, 'decided');
    assert.equal(reader.protocol, 'plain');
  });

  it('holds a connect-time refusal until the close instead of taking it for a greeting', () => {
    const reader = new ServerReader();
    assert.deepEqual(
      reader.push(Buffer.from('!! The server is full (5 connections). Try again later.\n')),
      [],
    );
    assert.deepEqual(reader.end(), [
      { kind: 'preamble', line: '!! The server is full (5 connections). Try again later.' },
    ]);
  });

  it('gives the same outputs however the bytes are split', () => {
    const bytes = Buffer.from(PAPO + 'not json\n{"type":"frob"}\n{"type":"ping"}\n');
    const whole = readAll([bytes]);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), (cuts) => {
        assert.deepEqual(readAll(splitAt(bytes, cuts)), whole);
      }),
    );
  });

  it('never throws on arbitrary bytes, and every plain line is whole UTF-8', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(fc.nat(), { maxLength: 6 }), (data, cuts) => {
        const out = readAll(splitAt(Buffer.from(data), cuts));
        for (const o of out) if (o.kind === 'plain') assert.ok(o.line.isWellFormed());
      }),
    );
  });
});

describe('plain line splitter', () => {
  it('keeps a character split across chunks whole', () => {
    const s = new PlainLineSplitter();
    const bytes = Buffer.from('olá 😄\n');
    assert.deepEqual(
      [...bytes].flatMap((b) => s.push(Buffer.from([b]))),
      ['olá 😄'],
    );
  });

  it('shows a prompt without a newline at once', () => {
    assert.deepEqual(new PlainLineSplitter().push(Buffer.from('line\r\nYour name: ')), [
      'line',
      'Your name: ',
    ]);
  });
});

describe('request queue', () => {
  it('keeps at most the window unanswered and matches answers by ref', () => {
    const q = new RequestQueue(2);
    for (const text of ['a', 'b', 'c']) q.push({ type: 'say', text });
    const first = q.takeSendable();
    assert.deepEqual(
      first.map((s) => s.ref),
      [1, 2],
    );
    assert.deepEqual(q.takeSendable(), []);
    assert.deepEqual(q.answer(1), { type: 'say', text: 'a' });
    assert.equal(q.answer(1), undefined);
    assert.equal(q.answer('1'), undefined);
    assert.deepEqual(q.takeSendable(), [{ ref: 3, request: { type: 'say', text: 'c' } }]);
  });

  it('sends unanswered requests again first after a lost connection', () => {
    const q = new RequestQueue(8);
    q.push({ type: 'say', text: 'a' });
    q.takeSendable();
    q.push({ type: 'say', text: 'b' });
    q.requeue();
    assert.deepEqual(
      q.takeSendable().map((s) => s.request),
      [
        { type: 'say', text: 'a' },
        { type: 'say', text: 'b' },
      ],
    );
    assert.equal(q.isEmpty, false);
  });
});
