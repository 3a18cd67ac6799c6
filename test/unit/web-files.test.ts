import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes } from '../../src/protocol/format-bytes.js';
import { sameOrigin } from '../../web/src/file-urls.js';

test('file and slot URLs are used on the page origin, and only http(s) ones', () => {
  const origin = 'https://chat.example';
  assert.equal(
    sameOrigin('http://127.0.0.1:8080/f/tok/a%20b.pdf', origin),
    'https://chat.example/f/tok/a%20b.pdf',
  );
  assert.equal(sameOrigin('https://chat.example/u/tok', origin), 'https://chat.example/u/tok');
  assert.equal(
    sameOrigin('http://evil.example/f/x/y.png?inline=1', origin),
    'https://chat.example/f/x/y.png?inline=1',
  );
  assert.equal(sameOrigin('javascript:alert(1)', origin), null);
  assert.equal(sameOrigin('data:text/html,hi', origin), null);
  assert.equal(sameOrigin('not a url', origin), null);
});

test('sizes read as the terminal client and the server write them', () => {
  assert.equal(formatBytes(0), '0 bytes'); // the protocol's rule, as the server's lines say it
  assert.equal(formatBytes(2_100_000), '2.1 MB');
  assert.equal(formatBytes(9_437_517), '9.4 MB');
  assert.equal(formatBytes(1_073_741_824), '1.1 GB');
});
