import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserUser, launchBrowser, PapoProcess, say, tcpUser } from './harness.js';

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
});

test('a room creator in the browser kicks a TCP user; the browser and the terminal see it', async (t) => {
  const server = await PapoProcess.start(['--no-history']);
  const ana = await browserUser(browser, server.webUrl, 'ana');
  const bia = await browserUser(browser, server.webUrl, 'bia');
  const caio = await tcpUser(server.port, 'caio');
  t.after(async () => {
    await ana.context.close();
    await bia.context.close();
    caio.destroy();
    await server.stop();
  });
  await say(ana.page, '/join #dev');
  await ana.page.locator('#conv-title', { hasText: '#dev' }).waitFor();
  await say(bia.page, '/join #dev');
  await bia.page.locator('#conv-title', { hasText: '#dev' }).waitFor();
  caio.sendLine('/join #dev');
  await ana.page.locator('#scroller li.notice', { hasText: 'caio joined #dev' }).waitFor();

  // bia is no operator: refused with the server's sentence.
  await say(bia.page, '/kick caio');
  await bia.page.locator('#scroller li', { hasText: 'Only an operator of #dev can do that' }).waitFor();

  await say(ana.page, '/kick caio spam');
  await ana.page
    .locator('#scroller li.notice', { hasText: 'caio was kicked out of #dev by ana (spam)' })
    .waitFor();
  await bia.page
    .locator('#scroller li.notice', { hasText: 'caio was kicked out of #dev by ana (spam)' })
    .waitFor();
  await caio.lineMatching(/caio was kicked out of #dev by ana \(spam\)\./);

  await say(ana.page, '/op bia');
  await bia.page.locator('#scroller li.notice', { hasText: 'ana made bia an operator of #dev' }).waitFor();
});
