import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changedText, decideTrust, isYes } from '../../src/client/tls-trust.js';

const OLD = 'SHA256:' + 'o'.repeat(43);
const NEW = 'SHA256:' + 'n'.repeat(43);
const base = { caVerified: false, presented: NEW, known: null, expected: null };

test('asks about a self-signed certificate seen for the first time', () => {
  assert.deepEqual(decideTrust(base), { kind: 'ask' });
});

test('accepts a certificate that matches known_hosts without writing it again', () => {
  assert.deepEqual(decideTrust({ ...base, known: NEW }), {
    kind: 'accept',
    via: 'known_hosts',
    remember: false,
  });
});

test('refuses a certificate that differs from the one in known_hosts', () => {
  assert.deepEqual(decideTrust({ ...base, known: OLD }), { kind: 'changed', known: OLD, presented: NEW });
});

test('accepts a CA-vouched certificate and does not pin it', () => {
  assert.deepEqual(decideTrust({ ...base, caVerified: true }), {
    kind: 'accept',
    via: 'ca',
    remember: false,
  });
  assert.deepEqual(decideTrust({ ...base, caVerified: true, known: OLD }), {
    kind: 'accept',
    via: 'ca',
    remember: false,
  });
});

test('--fingerprint accepts the named certificate and pins it, replacing a changed one', () => {
  assert.deepEqual(decideTrust({ ...base, expected: NEW }), {
    kind: 'accept',
    via: 'fingerprint',
    remember: true,
  });
  assert.deepEqual(decideTrust({ ...base, expected: NEW, known: OLD }), {
    kind: 'accept',
    via: 'fingerprint',
    remember: true,
  });
  assert.deepEqual(decideTrust({ ...base, expected: NEW, known: NEW }), {
    kind: 'accept',
    via: 'fingerprint',
    remember: false,
  });
});

test('--fingerprint refuses any other certificate, even one a CA vouches for', () => {
  assert.deepEqual(decideTrust({ ...base, expected: OLD, caVerified: true }), {
    kind: 'mismatch',
    expected: OLD,
    presented: NEW,
  });
});

test('the changed-certificate warning names both fingerprints and the command to accept', () => {
  const text = changedText('h:1', OLD, NEW, '/k', `papo client --tls h:1 --fingerprint ${NEW}`);
  assert.match(text, /WARNING: THE TLS CERTIFICATE OF THIS SERVER HAS CHANGED/);
  assert.ok(text.includes(`Trusted (in /k): ${OLD}`));
  assert.ok(text.includes(`Presented now: ${NEW}`));
  assert.ok(text.includes(`  papo client --tls h:1 --fingerprint ${NEW}`));
});

test('reads yes and sim as yes, anything else as no', () => {
  for (const a of ['y', 'yes', 'YES ', 's', 'sim']) assert.equal(isYes(a), true, a);
  for (const a of ['', 'n', 'no', 'yess', 'nao']) assert.equal(isYes(a), false, a);
});
