import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeliveryTracker, Histogram } from '../../src/bench/stats.js';
import { findMax } from '../../src/bench/fanout.js';

test('keeps values under 128 µs exactly and knows the maximum', () => {
  const h = new Histogram();
  for (const v of [5, 1, 3, 2, 4]) h.record(v);
  assert.equal(h.count, 5);
  assert.equal(h.percentile(0), 1);
  assert.equal(h.percentile(50), 3);
  assert.equal(h.percentile(100), 5);
  assert.equal(h.max, 5);
  assert.equal(h.mean, 3);
});

test('gives percentiles within 1.6% of the exact ones over a wide range', () => {
  const h = new Histogram();
  const values: number[] = [];
  for (let i = 1; i <= 100_000; i++) {
    const v = Math.round(i ** 1.5); // 1 µs up to about 31.6 s
    values.push(v);
    h.record(v);
  }
  for (const p of [1, 10, 50, 90, 99, 99.9, 99.99]) {
    const exact = values[Math.ceil((p / 100) * values.length) - 1] as number;
    const got = h.percentile(p);
    assert.ok(Math.abs(got - exact) / exact <= 0.016, `p${p}: ${got} vs ${exact}`);
  }
  assert.equal(h.percentile(100), values.at(-1));
});

test('never reports a percentile above the maximum, and NaN when empty', () => {
  const h = new Histogram();
  assert.ok(Number.isNaN(h.percentile(50)));
  h.record(1_000_001);
  assert.equal(h.percentile(99), 1_000_001);
  h.record(-5);
  assert.equal(h.percentile(0), 0);
});

test('merges histograms as if every value had been recorded in one', () => {
  const a = new Histogram();
  const b = new Histogram();
  const all = new Histogram();
  for (let i = 0; i < 1000; i++) {
    (i % 2 ? a : b).record(i * 37);
    all.record(i * 37);
  }
  a.merge(b);
  for (const p of [50, 90, 99]) assert.equal(a.percentile(p), all.percentile(p));
  assert.equal(a.max, all.max);
  assert.equal(a.count, all.count);
});

test('draws a percentile curve that never goes down', () => {
  const h = new Histogram();
  for (let i = 0; i < 5000; i++) h.record((i * 7919) % 100_000);
  const curve = h.curve();
  assert.equal(curve.at(-1)?.p, 100);
  for (let i = 1; i < curve.length; i++) assert.ok(curve[i]!.us >= curve[i - 1]!.us);
});

test('counts in-order deliveries and takes gaps as loss', () => {
  const t = new DeliveryTracker(2, 1);
  t.startTrial([1]);
  for (const seq of [1, 2, 4, 5]) assert.equal(t.record(1, 0, seq), 'in_order');
  assert.equal(t.received, 4);
  assert.equal(t.reordered, 0);
  assert.equal(t.lost(5), 1);
  assert.equal(t.lost(3), 0);
});

test('detects reordering, duplicates, echoes and messages from an earlier trial', () => {
  const t = new DeliveryTracker(3, 2);
  t.startTrial([10, 1]);
  assert.equal(t.record(1, 0, 12), 'in_order');
  assert.equal(t.record(1, 0, 11), 'reordered');
  assert.equal(t.record(1, 0, 12), 'duplicate');
  assert.equal(t.record(1, 0, 9), 'stale');
  assert.equal(t.record(0, 0, 13, true), 'echo');
  // Each receiver and each sender has its own order.
  assert.equal(t.record(2, 0, 11), 'in_order');
  assert.equal(t.record(2, 1, 1), 'in_order');
  assert.deepEqual(
    {
      received: t.received,
      reordered: t.reordered,
      duplicates: t.duplicates,
      stale: t.stale,
      echoes: t.echoes,
    },
    { received: 4, reordered: 1, duplicates: 1, stale: 1, echoes: 1 },
  );
  t.startTrial([13, 2]);
  assert.equal(t.received, 0);
  assert.equal(t.record(1, 0, 12), 'stale');
  assert.equal(t.record(1, 0, 13), 'in_order');
});

function capacity(limit: number, disconnectAbove = Infinity) {
  const rates: number[] = [];
  const run = async (rate: number) => {
    rates.push(rate);
    return { rate, pass: rate <= limit, disconnects: rate > disconnectAbove ? 1 : 0 };
  };
  return { rates, run };
}

test('find-max doubles, then bisects to within 8% of the true limit', async () => {
  const { rates, run } = capacity(5000);
  const best = await findMax({ rate: 1000, maxRate: 1e6, maxTrials: 24 }, run);
  assert.ok(best && best.rate <= 5000 && best.rate >= 5000 / 1.08, `best ${best?.rate}`);
  assert.deepEqual(rates.slice(0, 4), [1000, 2000, 4000, 8000]);
});

test('find-max halves when the first rate fails, and stops at the trial limit or a disconnect', async () => {
  const low = capacity(300);
  const best = await findMax({ rate: 1000, maxRate: 1e6, maxTrials: 24 }, low.run);
  assert.ok(best && best.rate <= 300 && best.rate >= 300 / 1.08);
  assert.deepEqual(low.rates.slice(0, 3), [1000, 500, 250]);

  const bounded = capacity(1e9);
  assert.equal((await findMax({ rate: 1, maxRate: 1e12, maxTrials: 5 }, bounded.run))?.rate, 16);
  assert.equal(bounded.rates.length, 5);

  const cut = capacity(1e9, 3000);
  assert.equal((await findMax({ rate: 1000, maxRate: 1e6, maxTrials: 24 }, cut.run))?.rate, 2000);
  assert.deepEqual(cut.rates, [1000, 2000, 4000]);

  const never = capacity(0);
  assert.equal(await findMax({ rate: 8, maxRate: 1e6, maxTrials: 24 }, never.run), null);
});

test('find-max stops at the rate cap', async () => {
  const { rates, run } = capacity(1e9);
  assert.equal((await findMax({ rate: 1000, maxRate: 3000, maxTrials: 24 }, run))?.rate, 3000);
  assert.deepEqual(rates, [1000, 2000, 3000]);
});
