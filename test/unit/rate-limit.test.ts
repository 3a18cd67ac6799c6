import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter, DEFAULT_RATE_LIMIT } from '../../src/core/rate-limit.js';

test('lets a paste of 20 lines through at once', () => {
  const r = new RateLimiter(DEFAULT_RATE_LIMIT, 0);
  for (let i = 0; i < 20; i++) assert.deepEqual(r.take(80, 0), { kind: 'ok' });
});

test('always allows a steady 4 lines per second, even of maximal lines', () => {
  const r = new RateLimiter(DEFAULT_RATE_LIMIT, 0);
  for (let i = 0; i < 4 * 600; i++) assert.equal(r.take(1024, i * 250).kind, 'ok', `line ${i}`);
});

test('throttles past the burst, then disconnects a sender far over the rate', () => {
  const r = new RateLimiter(DEFAULT_RATE_LIMIT, 0);
  const kinds = new Set<string>();
  let i = 0;
  let last;
  do {
    last = r.take(10, 0);
    kinds.add(last.kind);
    i++;
  } while (last.kind !== 'flood' && i < 10_000);
  assert.equal(last.kind, 'flood');
  assert.ok(kinds.has('throttle'));
  assert.ok(i > DEFAULT_RATE_LIMIT.burstLines);
});

test('weighs long lines more than short ones', () => {
  const short = new RateLimiter(DEFAULT_RATE_LIMIT, 0);
  const long = new RateLimiter(DEFAULT_RATE_LIMIT, 0);
  let nShort = 0;
  let nLong = 0;
  while (short.take(10, 0).kind === 'ok') nShort++;
  while (long.take(1024, 0).kind === 'ok') nLong++;
  assert.ok(nLong < nShort);
});

test('the throttle delay lets the bucket refill to zero', () => {
  const r = new RateLimiter({ linesPerSecond: 10, burstLines: 1, disconnectAfterSeconds: 10 }, 0);
  r.take(0, 0);
  const d = r.take(0, 0);
  assert.deepEqual(d, { kind: 'throttle', delayMs: 100 });
  assert.equal(r.take(0, 200).kind, 'ok');
});

test('a rate of 0 turns flood control off', () => {
  const r = new RateLimiter({ linesPerSecond: 0, burstLines: 1, disconnectAfterSeconds: 1 }, 0);
  for (let i = 0; i < 1000; i++) assert.equal(r.take(1024, 0).kind, 'ok');
});
