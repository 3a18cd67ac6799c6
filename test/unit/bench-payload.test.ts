import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeToken, parseToken, scanTokens } from '../../src/bench/payload.js';
import { isLoopbackAddress, parseTarget, resolveTarget } from '../../src/bench/target.js';
import { fanoutSvg, niceTicks, ninesX } from '../../src/bench/svg.js';
import type { FanoutResult, TrialResult } from '../../src/bench/fanout.js';

function scanAll(text: string): { tokens: number[][]; malformed: number } {
  const tokens: number[][] = [];
  const buf = Buffer.from(text);
  const malformed = scanTokens(buf, 0, buf.length, (a, b, c) => tokens.push([a, b, c]));
  return { tokens, malformed };
}

test('a token round-trips and is padded to the requested size', () => {
  const text = makeToken(3, 42, 1_234_567.6, 64);
  assert.equal(Buffer.byteLength(text), 64);
  assert.deepEqual(parseToken(text), { sender: 3, seq: 42, dueUs: 1_234_568 });
  assert.equal(makeToken(1, 2, 3), 'PB:1:2:3');
});

test('finds tokens inside plain and JSON lines, several per chunk', () => {
  const chunk =
    'b1-2: PB:0:7:100\n' +
    '*** b1-9 joined the chat.\n' +
    '{"type":"message","id":9,"ts":1,"from":"b1-1","text":"PB:1:8:200 xxxx"}\n';
  assert.deepEqual(scanAll(chunk), {
    tokens: [
      [0, 7, 100],
      [1, 8, 200],
    ],
    malformed: 0,
  });
});

test('counts a token that lost its numbers as malformed', () => {
  assert.deepEqual(scanAll('a: PB:1:x:3\nb: PB:\nc: PB:1:2:\n'), { tokens: [], malformed: 3 });
});

test('scans only the given range of a buffer', () => {
  const buf = Buffer.from('x: PB:1:1:1\ny: PB:2:2:2\n');
  const seen: number[] = [];
  scanTokens(buf, 0, 12, (s) => seen.push(s));
  assert.deepEqual(seen, [1]);
});

test('parses targets: host, host:port, port, IPv6', () => {
  assert.deepEqual(parseTarget(undefined), { host: '127.0.0.1', port: 65432 });
  assert.deepEqual(parseTarget('localhost'), { host: 'localhost', port: 65432 });
  assert.deepEqual(parseTarget('127.0.0.2:7000'), { host: '127.0.0.2', port: 7000 });
  assert.deepEqual(parseTarget('7000'), { host: '127.0.0.1', port: 7000 });
  assert.deepEqual(parseTarget(':7000'), { host: '127.0.0.1', port: 7000 });
  assert.deepEqual(parseTarget('[::1]:7000'), { host: '::1', port: 7000 });
  assert.deepEqual(parseTarget('::1'), { host: '::1', port: 65432 });
  assert.match(parseTarget('host:99999') as string, /not a port/);
  assert.match(parseTarget('host:abc') as string, /not a port/);
});

test('tells loopback addresses from others', () => {
  for (const a of ['127.0.0.1', '127.9.8.7', '::1', '::ffff:127.0.0.1']) assert.ok(isLoopbackAddress(a), a);
  for (const a of ['10.0.0.1', '192.0.2.1', '::2', '0.0.0.0']) assert.ok(!isLoopbackAddress(a), a);
});

test('refuses a remote target unless --allow-remote is given', async () => {
  await assert.rejects(
    resolveTarget({ host: '192.0.2.1', port: 1 }, false),
    /not a loopback address.*--allow-remote/,
  );
  assert.equal(await resolveTarget({ host: '192.0.2.1', port: 1 }, true), '192.0.2.1');
  assert.equal(await resolveTarget({ host: '127.0.0.1', port: 1 }, false), '127.0.0.1');
});

test('picks round chart ticks that reach past the maximum', () => {
  assert.deepEqual(
    niceTicks(87).map((t) => t.value),
    [0, 20, 40, 60, 80, 100],
  );
  assert.deepEqual(
    niceTicks(5).map((t) => t.value),
    [0, 1, 2, 3, 4, 5],
  );
  assert.equal(ninesX(90).toFixed(6), '1.000000');
  assert.equal(ninesX(99.9).toFixed(6), '3.000000');
});

function trial(rate: number, pass: boolean): TrialResult {
  const curve = [50, 90, 99, 99.9, 100].map((p, i) => ({ p, us: 1000 * (i + 1) * (pass ? 1 : 50) }));
  return {
    rate,
    durationS: 1,
    planned: rate,
    sent: rate,
    expected: rate * 9,
    received: rate * 9,
    lost: 0,
    reordered: 0,
    duplicates: 0,
    echoes: 0,
    malformed: 0,
    misrouted: 0,
    deliveredPerS: rate * 9,
    p50Us: 1000,
    p90Us: 2000,
    p99Us: pass ? 3000 : 150_000,
    maxUs: 5000,
    meanUs: 1500,
    sendLagP99Us: 100,
    held: true,
    disconnects: 0,
    benchCpuPct: 10,
    serverCpuPct: null,
    serverCpuUsPerDelivery: null,
    pass,
    curve,
  };
}

test('draws an SVG with a latency curve, and rate and p99 panels for find-max', () => {
  const result: FanoutResult = {
    scenario: 'fanout',
    clients: 10,
    senders: 2,
    joinS: 0.1,
    trials: [trial(1000, true), trial(2000, false), trial(1500, true)],
    best: null,
  };
  const svg = fanoutSvg(result, 'test <run>');
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>\n$/);
  assert.match(svg, /test &lt;run&gt;/);
  assert.equal((svg.match(/<polyline /g) ?? []).length, 3 + 2 + 2);
  assert.match(svg, /p99 latency vs offered rate/);
  assert.doesNotMatch(svg, /NaN|undefined/);
  const single = fanoutSvg({ ...result, trials: [trial(1000, true)] }, 'one');
  assert.equal((single.match(/<polyline /g) ?? []).length, 1);
});
