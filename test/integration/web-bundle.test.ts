import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { defaultWebRoot } from '../../src/server/web/static-files.js';

/** The browser UI's budget: script and stylesheet together, gzipped (docs/WEB.md, "Size"). */
const BUDGET_GZIP_BYTES = 60 * 1024;

test('the built app (JS + CSS) stays within 60 KB gzipped', () => {
  const root = defaultWebRoot();
  assert.ok(root, 'dist/web is built');
  const assets = readdirSync(root).filter((n) => /\.(js|css)$/.test(n));
  assert.ok(assets.some((n) => n.endsWith('.js')) && assets.some((n) => n.endsWith('.css')), assets.join());
  const total = assets.reduce(
    (sum, n) => sum + gzipSync(readFileSync(join(root, n)), { level: 9 }).length,
    0,
  );
  assert.ok(total <= BUDGET_GZIP_BYTES, `${total} bytes gzipped, the budget is ${BUDGET_GZIP_BYTES}`);
});

test('the built app never parses HTML from strings', () => {
  const root = defaultWebRoot();
  assert.ok(root);
  for (const name of readdirSync(root).filter((n) => n.endsWith('.js'))) {
    const code = readFileSync(join(root, name), 'utf8');
    assert.doesNotMatch(code, /\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write/, name);
  }
});
