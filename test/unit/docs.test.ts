import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES } from '../../src/core/errors.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const protocolDoc = readFileSync(join(root, 'docs/PROTOCOL.md'), 'utf8');

test('every error code is documented in docs/PROTOCOL.md', () => {
  const missing = ERROR_CODES.filter((code) => !new RegExp(`\\|\\s*\`${code}\`\\s*\\|`).test(protocolDoc));
  assert.deepEqual(missing, []);
});

test('the chat core does no I/O: no node: modules, timers or Date.now in src/core', () => {
  const dir = join(root, 'src/core');
  for (const file of readdirSync(dir, { recursive: true }) as string[]) {
    if (!file.endsWith('.ts')) continue;
    const source = readFileSync(join(dir, file), 'utf8');
    assert.doesNotMatch(source, /from ['"](node:|fs|net|tls|\.\.\/(server|client|store|protocol))/, file);
    assert.doesNotMatch(source, /\b(setTimeout|setInterval|setImmediate|Date\.now)\(/, file);
  }
});

test('docs/SERVER.md documents every server flag', () => {
  const readme = readFileSync(join(root, 'docs/SERVER.md'), 'utf8');
  const command = ['src/server/command.ts', 'src/server/web/options.ts']
    .map((f) => readFileSync(join(root, f), 'utf8'))
    .join('\n');
  const flags = [...command.matchAll(/'(--[a-z-]+)[ ']/g)].map((m) => m[1] as string);
  assert.ok(flags.length > 10);
  const missing = flags.filter((f) => !readme.includes(f));
  assert.deepEqual(missing, []);
});
