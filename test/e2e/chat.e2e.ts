import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { tempDir } from '../helpers/cli.js';
import type { LineClient } from '../helpers/line-client.js';
import { browserUser, launchBrowser, PapoProcess, say, tcpUser, type BrowserUser } from './harness.js';

/** Screenshots for the README go to docs/img/ when PAPO_SCREENSHOTS=1, else to a temp dir. */
const SCREENSHOTS = process.env.PAPO_SCREENSHOTS
  ? fileURLToPath(new URL('../../docs/img/', import.meta.url))
  : `${tempDir('papo-shots-')}/`;

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
});

/** Closes what a test opened, servers last. */
function cleanup(
  t: { after(fn: () => unknown): void },
  server: PapoProcess,
  users: BrowserUser[],
  tcp: LineClient[],
): void {
  t.after(async () => {
    for (const u of users) await u.context.close();
    for (const c of tcp) c.destroy();
    await server.stop();
  });
}

test('two browser users and a TCP user chat together in a room', async (t) => {
  const server = await PapoProcess.start(['--no-history']);
  const users: BrowserUser[] = [];
  const tcp: LineClient[] = [];
  cleanup(t, server, users, tcp);
  const loadStart = Date.now();
  const ana = await browserUser(browser, server.webUrl, 'ana');
  users.push(ana);
  t.diagnostic(`page load, name typed, welcome shown: ${Date.now() - loadStart} ms`);
  const bia = await browserUser(browser, server.webUrl, 'bia');
  users.push(bia);
  const caio = await tcpUser(server.port, 'caio');
  tcp.push(caio);

  const sent = Date.now();
  await say(ana.page, 'oi *todo mundo* :wave:');
  await bia.page.locator('#scroller li.msg', { hasText: 'oi todo mundo 👋' }).waitFor();
  t.diagnostic(`a message from one browser on another's screen: ${Date.now() - sent} ms`);
  assert.equal(await bia.page.locator('#scroller li.msg strong', { hasText: 'todo mundo' }).count(), 1);
  await caio.lineMatching(/ana.*oi \*todo mundo\* :wave:/);

  caio.sendLine('olá do terminal');
  await ana.page.locator('#scroller li.msg', { hasText: 'olá do terminal' }).waitFor();
  await bia.page.locator('#scroller li.msg', { hasText: 'olá do terminal' }).waitFor();

  await say(bia.page, '/me acena');
  await ana.page.locator('#scroller li.msg.action', { hasText: 'acena' }).waitFor();
  await caio.lineMatching(/bia acena/);

  // Everyone is listed; the user list is the room's.
  await ana.page.locator('#user-list', { hasText: 'caio' }).waitFor();
  await ana.page.locator('#user-list', { hasText: 'bia' }).waitFor();

  // A second room: the browsers join with /join, the terminal user with its own command.
  await say(ana.page, '/join #dev');
  await ana.page.locator('#conv-title', { hasText: '#dev' }).waitFor();
  await say(bia.page, '/join #dev');
  await bia.page.locator('#conv-title', { hasText: '#dev' }).waitFor();
  caio.sendLine('/join #dev');
  await ana.page.locator('#scroller li.notice', { hasText: 'caio joined #dev' }).waitFor();
  await say(ana.page, 'só no dev');
  await bia.page.locator('#scroller li.msg', { hasText: 'só no dev' }).waitFor();
  await caio.lineMatching(/só no dev/);

  // bia reads #geral meanwhile: a message in #dev counts unread there.
  await bia.page.locator('#room-list button', { hasText: '#geral' }).click();
  await say(ana.page, 'unread para bia');
  await bia.page.locator('#room-list button[aria-label="#dev, 1 unread"]').waitFor();
  assert.match(await bia.page.title(), /^\(1\) /);
  assert.deepEqual(ana.problems, []);
  assert.deepEqual(bia.problems, []);

  mkdirSync(SCREENSHOTS, { recursive: true });
  await ana.page.locator('#room-list button', { hasText: '#geral' }).click();
  await say(ana.page, '/topic o bate-papo de sempre, agora no navegador');
  caio.sendLine('/join #geral'); // back to #geral as his current room
  caio.sendLine('a build passou :tada: veja `npm test` em https://example.org/ci');
  await ana.page.locator('#scroller li.msg a[href="https://example.org/ci"]').waitFor();
  await say(bia.page, '_finalmente_ :rocket: ~sem testes~ com testes');
  await ana.page.locator('#scroller li.msg', { hasText: 'com testes' }).waitFor();
  await ana.page.locator('#conv-topic', { hasText: 'agora no navegador' }).waitFor();
  await ana.page.screenshot({ path: `${SCREENSHOTS}web-desktop.png` });
});

test('a private message reaches only its recipient, in a conversation of its own', async (t) => {
  const server = await PapoProcess.start(['--no-history']);
  const users: BrowserUser[] = [];
  const tcp: LineClient[] = [];
  cleanup(t, server, users, tcp);
  const ana = await browserUser(browser, server.webUrl, 'ana');
  users.push(ana);
  const bia = await browserUser(browser, server.webUrl, 'bia');
  users.push(bia);
  const caio = await tcpUser(server.port, 'caio');
  tcp.push(caio);

  await say(ana.page, '/msg bia segredo só para você');
  await ana.page.locator('#private-list button', { hasText: 'bia' }).waitFor();
  await ana.page.locator('#scroller li.msg:not(.pending)', { hasText: 'segredo só para você' }).waitFor();
  await bia.page.locator('#private-list button', { hasText: 'ana' }).waitFor();
  await bia.page.locator('#private-list button', { hasText: 'ana' }).click();
  await bia.page.locator('#scroller li.msg', { hasText: 'segredo só para você' }).waitFor();
  await say(bia.page, 'recebi');
  await ana.page.locator('#scroller li.msg:not(.pending)', { hasText: 'recebi' }).waitFor();

  caio.sendLine('/msg ana do terminal');
  await ana.page.locator('#private-list button', { hasText: 'caio' }).waitFor();
  // caio never saw the private line: his next public line arrives first and alone.
  caio.sendLine('marco');
  await bia.page.locator('#room-list button', { hasText: '#geral' }).click();
  await bia.page.locator('#scroller li.msg', { hasText: 'marco' }).waitFor();
  assert.ok(!caio.pending().some((l) => l.includes('segredo')), caio.pending().join('\n'));
});

test('markup in a message, a refused name or a topic shows as text and runs nothing', async (t) => {
  const server = await PapoProcess.start(['--no-history']);
  const users: BrowserUser[] = [];
  const tcp: LineClient[] = [];
  cleanup(t, server, users, tcp);
  const evil = '<img src=x onerror=alert(1)>';
  const ana = await browserUser(browser, server.webUrl, 'ana');
  users.push(ana);

  // papo refuses such a name; the refusal, which quotes the character, is shown as text.
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('dialog', (d) => {
    problems.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => problems.push(e.message));
  users.push({ context, page, problems });
  await page.goto(server.webUrl);
  await page.fill('#name-input', evil);
  await page.click('#login-button');
  await page.locator('#name-input[aria-invalid="true"]').waitFor();
  const refusal = (await page.locator('#login-error').textContent()) ?? '';
  assert.match(refusal, /</, `the refusal names the character as text: ${refusal}`);
  await page.fill('#name-input', 'bia');
  await page.click('#login-button');
  await page.waitForSelector('#app:not([hidden])');

  await say(ana.page, evil);
  await say(ana.page, '<script>alert(2)</script> [x](javascript:alert(3)) javascript:alert(4)');
  await say(ana.page, `/topic ${evil}`);
  const shown = page.locator('#scroller li.msg .text', { hasText: evil });
  await shown.waitFor();
  assert.equal(await shown.textContent(), evil);
  await page.locator('#scroller li.msg', { hasText: '<script>alert(2)</script>' }).waitFor();
  await page.locator('#conv-topic', { hasText: evil }).waitFor();
  for (const p of [ana.page, page]) {
    assert.equal(await p.locator('#scroller img, #scroller script, header img').count(), 0);
    assert.equal(await p.locator('a[href^="javascript"]').count(), 0);
  }
  assert.deepEqual(ana.problems, []);
  assert.deepEqual(problems, []);
});

test('a page on another origin cannot open a WebSocket to the chat', async (t) => {
  const server = await PapoProcess.start(['--no-history']);
  cleanup(t, server, [], []);
  // A "foreign site" on another port: its script tries the chat's WebSocket.
  const wsUrl = `${server.webUrl.replace('http', 'ws')}ws`;
  const site = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>evil</title>');
  });
  site.listen(0, '127.0.0.1');
  await once(site, 'listening');
  t.after(() => site.close());
  const address = site.address();
  assert.ok(address !== null && typeof address === 'object');
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${address.port}/`);
  const outcome = await page.evaluate(
    `new Promise((resolve) => {
      const ws = new WebSocket(${JSON.stringify(wsUrl)});
      ws.onopen = () => resolve('open');
      ws.onclose = (e) => resolve('closed ' + e.code);
    })`,
  );
  assert.equal(outcome, 'closed 1006');
  // The same request from the page's own origin opens.
  const own = await context.newPage();
  await own.goto(server.webUrl);
  const ok = await own.evaluate(
    `new Promise((resolve) => {
      const ws = new WebSocket(${JSON.stringify(wsUrl)});
      ws.onopen = () => { resolve('open'); ws.close(); };
      ws.onclose = (e) => resolve('closed ' + e.code);
    })`,
  );
  assert.equal(ok, 'open');
});

test('on a phone-sized screen the sidebar is a drawer and the chat works', async (t) => {
  const server = await PapoProcess.start(['--no-history']);
  const users: BrowserUser[] = [];
  const tcp: LineClient[] = [];
  cleanup(t, server, users, tcp);
  const caio = await tcpUser(server.port, 'caio');
  tcp.push(caio);
  const lia = await browserUser(browser, server.webUrl, 'lia', {
    viewport: { width: 360, height: 740 },
    isMobile: true,
    locale: 'pt-BR',
  });
  users.push(lia);
  const page = lia.page;
  assert.equal(await page.locator('#sidebar').isVisible(), false, 'the drawer starts closed');
  caio.sendLine('oi lia, tudo bem? :smile:');
  await page.locator('#scroller li.msg.mention', { hasText: 'tudo bem? 😄' }).waitFor();
  await say(page, 'tudo ótimo, _obrigada_!');
  await caio.lineMatching(/lia.*tudo ótimo/);
  await page.locator('#scroller li.msg:not(.pending)', { hasText: 'tudo ótimo' }).waitFor();
  const width = await page.evaluate('document.documentElement.scrollWidth');
  assert.ok(typeof width === 'number' && width <= 360, `no sideways scrolling (${String(width)} px)`);
  assert.equal(await page.locator('#composer button').textContent(), 'Enviar', 'Portuguese from the browser');
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}web-phone.png` });
  await page.click('#menu-button');
  await page.locator('#sidebar').waitFor({ state: 'visible' });
  await page.locator('#user-list', { hasText: 'caio' }).waitFor();
  await page.keyboard.press('Escape');
  await page.locator('#sidebar').waitFor({ state: 'hidden' });
  assert.deepEqual(lia.problems, []);
});
