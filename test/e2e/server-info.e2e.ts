import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect as tlsConnect } from 'node:tls';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { certificateFingerprint } from '../../src/protocol/tls-fingerprint.js';
import { browserUser, launchBrowser, PapoProcess, WAIT_MS } from './harness.js';

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(() => browser.close());

test('with --tls the page shows the fingerprint of the certificate it was served with', async (t) => {
  const server = await PapoProcess.start(['--no-history', '--tls', '--tls-port', '0']);
  t.after(() => server.stop());
  assert.match(server.webUrl, /^https:/);
  const socket = tlsConnect({ host: '127.0.0.1', port: server.webPort, rejectUnauthorized: false });
  await once(socket, 'secureConnect');
  const fingerprint = certificateFingerprint(socket.getPeerX509Certificate()!.raw);
  socket.destroy();
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(server.webUrl);
  // A locator, not waitForFunction with a string: the app's CSP forbids eval in the page, so a
  // string predicate that has to be polled fails.
  await page.locator('#login-tls', { hasText: fingerprint }).waitFor({ timeout: WAIT_MS });
});

test('a WebSocket refused for too many connections shows the reason on the page', async (t) => {
  const server = await PapoProcess.start(['--no-history', '--max-per-ip', '1', '--limit-loopback']);
  t.after(() => server.stop());
  const ana = await browserUser(browser, server.webUrl, 'ana');
  t.after(() => ana.context.close());
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(server.webUrl);
  await page.fill('#name-input', 'bia');
  await page.click('#login-button');
  await page
    .locator('#login-error', { hasText: /Too many connections from your address \(limit 1\)/ })
    .waitFor({ timeout: WAIT_MS });

  assert.deepEqual(ana.problems, []);
});
