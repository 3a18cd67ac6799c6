import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tokenSource } from '../../src/server/server.js';

describe('session tokens', () => {
  it('are 24 random bytes in base64url, never repeated across pool refills', () => {
    const next = tokenSource();
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const token = next();
      assert.match(token, /^[A-Za-z0-9_-]{32}$/);
      assert.ok(!seen.has(token), `token ${i} repeated`);
      seen.add(token);
    }
  });

  it('differ between sources', () => {
    assert.notEqual(tokenSource()(), tokenSource()());
  });
});
