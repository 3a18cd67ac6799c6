import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  defaultKnownHostsPath,
  KnownHostsFile,
  knownHostKey,
  lookupKnownHost,
  withKnownHost,
} from '../../src/client/known-hosts.js';
import { certificateFingerprint, parseFingerprint } from '../../src/protocol/tls-fingerprint.js';
import { tempDir } from '../helpers/tls.js';

const A = 'SHA256:' + 'A'.repeat(43);
const B = 'SHA256:' + 'B'.repeat(43);

test('a fingerprint is SHA256: and the unpadded base64 of the DER digest', () => {
  // sha256("") = e3b0c442…; its base64 is 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=
  assert.equal(
    certificateFingerprint(new Uint8Array()),
    'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU',
  );
});

test('parses a fingerprint with or without padding and in any prefix case, refuses others', () => {
  const fp = 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU';
  assert.equal(parseFingerprint(fp), fp);
  assert.equal(parseFingerprint(` ${fp}= `), fp);
  assert.equal(parseFingerprint(fp.replace('SHA256', 'sha256')), fp);
  assert.equal(parseFingerprint(fp.slice(0, -1)), null);
  assert.equal(parseFingerprint(fp.slice('SHA256:'.length)), null);
  assert.equal(parseFingerprint('SHA1:' + fp.slice(7)), null);
  assert.equal(parseFingerprint('e3:b0:c4:42'), null);
});

test('keys hosts as host:port, lower case, IPv6 in brackets', () => {
  assert.equal(knownHostKey('Chat.Example.org', 65433), 'chat.example.org:65433');
  assert.equal(knownHostKey('::1', 65433), '[::1]:65433');
  assert.equal(knownHostKey('127.0.0.1', 1), '127.0.0.1:1');
});

test('looks up an entry, skipping comments, blanks and malformed lines', () => {
  const text = [
    '# comment',
    '',
    'x:1 not-a-fingerprint',
    `a:1 ${A}`,
    `b:2 ${B} extra`,
    `  b:2   ${B}  `,
  ].join('\n');
  assert.equal(lookupKnownHost(text, 'a:1'), A);
  assert.equal(lookupKnownHost(text, 'b:2'), B);
  assert.equal(lookupKnownHost(text, 'x:1'), null);
  assert.equal(lookupKnownHost(text, 'c:3'), null);
});

test('replaces an entry in place and keeps every other line as it was', () => {
  const text = `# mine\na:1 ${A}\nb:2 ${A}\n`;
  assert.equal(withKnownHost(text, 'a:1', B), `# mine\na:1 ${B}\nb:2 ${A}\n`);
  assert.equal(withKnownHost(text, 'c:3', B), `# mine\na:1 ${A}\nb:2 ${A}\nc:3 ${B}\n`);
  assert.equal(withKnownHost(`a:1 ${A}\na:1 ${A}`, 'a:1', B), `a:1 ${B}\n`);
});

test('a new file starts with a comment that explains the format', () => {
  const text = withKnownHost('', 'a:1', A);
  assert.match(text, /^# papo known_hosts: .*\na:1 SHA256:A{43}\n$/);
});

test('remembers a host in a file of mode 0600 inside a directory of mode 0700', (t) => {
  const dir = tempDir(t);
  const file = new KnownHostsFile(join(dir, 'config', 'papo', 'known_hosts'));
  assert.equal(file.lookup('127.0.0.1', 65433), null);
  file.remember('127.0.0.1', 65433, A);
  file.remember('::1', 65433, B);
  assert.equal(file.lookup('127.0.0.1', 65433), A);
  assert.equal(file.lookup('::1', 65433), B);
  assert.equal(file.lookup('127.0.0.1', 65432), null);
  assert.equal(statSync(file.path).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'config', 'papo')).mode & 0o777, 0o700);
  assert.match(readFileSync(file.path, 'utf8'), /\n\[::1\]:65433 SHA256:B{43}\n$/);
});

test('lives in XDG_CONFIG_HOME or ~/.config', () => {
  assert.equal(defaultKnownHostsPath({ XDG_CONFIG_HOME: '/x' }), '/x/papo/known_hosts');
  assert.match(defaultKnownHostsPath({}), /\/\.config\/papo\/known_hosts$/);
});
