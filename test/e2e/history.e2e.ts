import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { LineClient } from '../helpers/line-client.js';
import {
  browserUser,
  launchBrowser,
  networkSwitch,
  PapoProcess,
  say,
  shownMessages,
  tcpUser,
  type BrowserUser,
} from './harness.js';

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
});

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

/** Has `from` post `count` numbered lines, and waits until another user has seen the last. */
async function post(from: LineClient, witness: LineClient, prefix: string, count: number): Promise<string[]> {
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) {
    from.sendLine(`${prefix} ${i}`);
    lines.push(`${prefix} ${i}`);
  }
  await witness.lineMatching(new RegExp(`${prefix} ${count}$`));
  return lines;
}

/**
 * Waits until the store has dropped what `--history-max-messages` no longer keeps. The history
 * worker applies it in the background and tells no one, so this asks, as a JSON client, for the
 * newest 200 every 50 ms until the answer holds `kept` (10 s at most, then fails).
 */
async function retentionApplied(port: number, kept: number): Promise<void> {
  const bot = await LineClient.connect(port);
  try {
    bot.sendLine(JSON.stringify({ type: 'hello', version: 2, name: 'arquivista' }));
    await bot.jsonOfType('welcome');
    const deadline = Date.now() + 10_000;
    let last: unknown = null;
    for (let ask = 1; Date.now() < deadline; ask++) {
      bot.sendLine(JSON.stringify({ type: 'history', before: 2 ** 31, limit: 200, ref: ask }));
      const page = await bot.jsonOfType('history');
      last = page;
      if (page.count === kept && page.more === false) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the store never applied --history-max-messages: ${JSON.stringify(last)}`);
  } finally {
    bot.destroy();
  }
}

/** Scrolls the conversation to its top, page after page, until the start-of-history line shows. */
async function scrollToStart(page: Page): Promise<void> {
  const start = page.locator('#scroller .marker.start');
  for (let pages = 0; pages < 20 && (await start.count()) === 0; pages++) {
    const shown = await page.locator('#scroller li.msg').count();
    await page.locator('#scroller').evaluate((el) => {
      el.scrollTop = 0;
      el.dispatchEvent(new Event('scroll'));
    });
    // (Not waitForFunction with a string: the app's CSP forbids eval in the page, rightly.)
    await page
      .locator('#scroller li.msg')
      .nth(shown)
      .or(page.locator('#scroller .marker.start'))
      .first()
      .waitFor({ state: 'attached' });
  }
  await start.waitFor();
}

test('scrolling up loads older pages until the start of the history, each message once', async (t) => {
  const server = await PapoProcess.start(['--flood-rate', '0']);
  const users: BrowserUser[] = [];
  const tcp: LineClient[] = [];
  cleanup(t, server, users, tcp);
  const caio = await tcpUser(server.port, 'caio');
  const eco = await tcpUser(server.port, 'eco');
  tcp.push(caio, eco);
  const posted = await post(caio, eco, 'mensagem', 150);

  const ana = await browserUser(browser, server.webUrl, 'ana');
  users.push(ana);
  await ana.page.locator('#scroller li.msg', { hasText: 'mensagem 150' }).waitFor();
  assert.equal(await ana.page.locator('#scroller li.msg').count(), 50, 'the replay: the newest 50');
  await scrollToStart(ana.page);
  assert.deepEqual(
    await shownMessages(ana.page),
    posted.map((l) => `caio: ${l}`),
  );
  assert.deepEqual(ana.problems, []);
});

test('after a reconnect, history that expired meanwhile is marked as a gap', async (t) => {
  const server = await PapoProcess.start(['--flood-rate', '0', '--history-max-messages', '100']);
  const users: BrowserUser[] = [];
  const tcp: LineClient[] = [];
  cleanup(t, server, users, tcp);
  const ana = await browserUser(browser, server.webUrl, 'ana');
  users.push(ana);
  const network = await networkSwitch(ana.page);
  await ana.page.reload();
  await ana.page.waitForSelector('#app:not([hidden])');
  const caio = await tcpUser(server.port, 'caio');
  const eco = await tcpUser(server.port, 'eco');
  tcp.push(caio, eco);
  const before = await post(caio, eco, 'antes', 3);
  await ana.page.locator('#scroller li.msg', { hasText: 'antes 3' }).waitFor();

  network.goOffline();
  await server.restart();
  await network.attemptHeld();
  const dora = await tcpUser(server.port, 'dora');
  const eco2 = await tcpUser(server.port, 'eco');
  tcp.push(dora, eco2);
  const missed = await post(dora, eco2, 'perdida', 150);
  await retentionApplied(server.port, 100);
  network.goOnline();
  await ana.page.locator('#scroller li.msg', { hasText: 'perdida 150' }).waitFor();
  await ana.page.locator('#scroller .marker.gap').waitFor();

  // The store keeps the newest 100: the 50 before them are gone, and the gap says so.
  const shown = await shownMessages(ana.page);
  const kept = missed.slice(-100);
  assert.deepEqual(shown, [...before.map((l) => `caio: ${l}`), ...kept.map((l) => `dora: ${l}`)]);
  const order = await ana.page
    .locator('#scroller li.msg, #scroller .marker.gap')
    .evaluateAll((nodes) => nodes.map((n) => (n.classList.contains('gap') ? 'GAP' : (n.textContent ?? ''))));
  const gapAt = order.indexOf('GAP');
  assert.ok(
    order[gapAt - 1]?.includes('antes 3') && order[gapAt + 1]?.includes('perdida 51'),
    order.join('\n'),
  );
  assert.deepEqual(ana.problems, []);
});

test('after a server restart the page reconnects and shows every message once', async (t) => {
  // Flood control off: one terminal user posts 160 lines at once below.
  const server = await PapoProcess.start(['--flood-rate', '0']);
  const users: BrowserUser[] = [];
  const tcp: LineClient[] = [];
  cleanup(t, server, users, tcp);
  const ana = await browserUser(browser, server.webUrl, 'ana');
  users.push(ana);
  // ana's WebSocket goes through a switch the test controls: off, the page is "offline".
  const network = await networkSwitch(ana.page);
  await ana.page.reload();
  await ana.page.waitForSelector('#app:not([hidden])');

  const caio = await tcpUser(server.port, 'caio');
  tcp.push(caio);
  const expected: string[] = [];
  for (let i = 1; i <= 3; i++) {
    caio.sendLine(`antes ${i}`);
    expected.push(`caio: antes ${i}`);
  }
  await ana.page.locator('#scroller li.msg', { hasText: 'antes 3' }).waitFor();

  network.goOffline();
  caio.destroy();
  await server.restart();
  await network.attemptHeld();
  await say(ana.page, 'escrito offline');
  await ana.page.locator('#scroller li.pending', { hasText: 'escrito offline' }).waitFor();

  // More than a replay (50) and a page (100) while ana is away: she must page back for them.
  const dora = await tcpUser(server.port, 'dora');
  tcp.push(dora);
  const eco = await tcpUser(server.port, 'eco');
  tcp.push(eco);
  const MISSED = 160;
  for (let i = 1; i <= MISSED; i++) {
    dora.sendLine(`perdida ${i}`);
    expected.push(`dora: perdida ${i}`);
  }
  await eco.lineMatching(/perdida 160/);
  network.goOnline();
  await ana.page.locator('#scroller li.msg:not(.pending)', { hasText: 'escrito offline' }).waitFor();
  expected.push('ana: escrito offline');
  await eco.lineMatching(/ana.*escrito offline/);

  const shown = await shownMessages(ana.page);
  assert.deepEqual(shown, expected, 'every message once, in order');
  assert.equal(await ana.page.locator('#scroller li.pending').count(), 0);
  assert.equal(
    await ana.page.locator('#scroller .marker.new').count(),
    1,
    'a line marks where the new messages start',
  );
  assert.equal(await ana.page.locator('#scroller .marker.gap').count(), 0, 'nothing expired');
  assert.deepEqual(ana.problems, []);

  // A reload takes the name back with the tab's token and replays the room at once.
  const reloadStart = Date.now();
  await ana.page.reload();
  await ana.page.locator('#scroller li.msg').first().waitFor();
  t.diagnostic(
    `page load to first message on screen (reload, replay of #geral): ${Date.now() - reloadStart} ms`,
  );
});
