import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { fdBudget, fitToOpenFiles, parseFdLimits } from '../../src/server/fd-limit.js';
import { testOptions } from '../helpers/server.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max processes             63704                63704                processes
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

test('reads the open-file limits from /proc/self/limits text', () => {
  assert.deepEqual(parseFdLimits(LIMITS), { soft: 1024, hard: 524288 });
  assert.deepEqual(parseFdLimits(LIMITS.replace('524288', 'unlimited')), { soft: 1024, hard: Infinity });
  assert.equal(parseFdLimits('Max processes 1 1 processes\n'), null);
});

test('leaves 64 descriptors to the process and 64 to refusals', () => {
  assert.deepEqual(fdBudget(1024), { maxSockets: 960, maxClients: 896 });
  assert.deepEqual(fdBudget(256), { maxSockets: 192, maxClients: 128 });
  assert.deepEqual(fdBudget(100), { maxSockets: 36, maxClients: 1 });
});

test('caps --max-clients only when the limit is known and too low, with one warning', () => {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino(
    { level: 'info' },
    { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) },
  );
  const options = testOptions({ maxClients: 5000 });
  assert.equal(fitToOpenFiles(options, log, null).options, options);
  assert.equal(fitToOpenFiles(options, log, { soft: Infinity, hard: Infinity }).maxSockets, undefined);
  assert.deepEqual(fitToOpenFiles(options, log, { soft: 20000, hard: 20000 }).options, options);
  assert.equal(lines.length, 0);
  const capped = fitToOpenFiles(options, log, { soft: 1024, hard: 1024 });
  assert.equal(capped.options.maxClients, 896);
  assert.equal(capped.maxSockets, 960);
  assert.equal(options.maxClients, 5000, 'the given options are not changed');
  assert.equal(lines.length, 1);
  assert.deepEqual(
    [lines[0]?.level, lines[0]?.msg, lines[0]?.requested, lines[0]?.maxClients],
    [40, '--max-clients capped by the open-file limit', 5000, 896],
  );
});
