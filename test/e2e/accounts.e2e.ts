import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browserUser, launchBrowser, PapoProcess, say, tcpUser } from './harness.js';

const PASSWORD = 'correct horse 7';

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser.close();
});

/** Everything the page shows and every input's value: where a password must never be. */
async function pageTexts(page: Page): Promise<string> {
  const shown = await page.locator('body').innerText();
  const values = await page
    .locator('input:not([type=password])')
    .evaluateAll((inputs) => inputs.map((i) => (i as unknown as { value: string }).value));
  return [shown, ...values].join('\n');
}

test('a browser user registers with /register, reloads, is asked for the password, refused a wrong one and let in with the right one', async (t) => {
  const server = await PapoProcess.start(['--no-history']);
  const caio = await tcpUser(server.port, 'caio');
  const ana = await browserUser(browser, server.webUrl, 'ana');
  t.after(async () => {
    await ana.context.close();
    caio.destroy();
    await server.stop();
  });
  const { page } = ana;

  await say(page, `/register ${PASSWORD}`);
  await page.locator('#scroller li', { hasText: 'ana is now registered to you.' }).waitFor();
  assert.equal(await page.inputValue('#input'), '', 'the command left the input');
  assert.ok(!(await pageTexts(page)).includes(PASSWORD), 'the chat log does not echo the password');
  // What others get next is ana's message; nothing before it carries the password.
  await say(page, 'registered!');
  const seen: string[] = [];
  for (let line = await caio.nextLine(); !line.endsWith('ana: registered!'); line = await caio.nextLine())
    seen.push(line);
  assert.ok(!seen.some((l) => l.includes(PASSWORD)), `caio saw ${JSON.stringify(seen)}`);

  // Reloaded, the tab rejoins under her name: the server asks for its password, and the form
  // shows the password field.
  await page.reload();
  await page.locator('#login-error', { hasText: 'ana is registered: type its password.' }).waitFor();
  await page.locator('#password-input').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#password-input').getAttribute('type'), 'password', 'typed without echo');
  assert.equal(await page.inputValue('#name-input'), 'ana');

  // A wrong password: refused with the reason, the form and its password field again.
  await page.fill('#password-input', 'wrong horse');
  await page.click('#login-button');
  await page.locator('#login-error', { hasText: 'Wrong password or key.' }).waitFor();
  await page.locator('#password-input').waitFor({ state: 'visible' });
  assert.equal(await page.inputValue('#password-input'), '', 'the form forgets what was typed');
  assert.equal(await page.locator('#app').isHidden(), true);

  // The right one: in, under her name.
  await page.fill('#password-input', PASSWORD);
  await page.click('#login-button');
  await page.locator('#app:not([hidden])').waitFor();
  await page.locator('#conv-title', { hasText: '#geral' }).waitFor();
  await say(page, 'back');
  await caio.lineMatching(/ana: back$/);

  await page.locator('#scroller li.msg', { hasText: 'back' }).waitFor();
  assert.ok(!(await pageTexts(page)).includes(PASSWORD), 'the password is nowhere on the page');
  assert.deepEqual(ana.problems, []);
});

test('another browser cannot take a registered name while its owner is away; the owner gets back in', async (t) => {
  const server = await PapoProcess.start(['--no-history']);
  const owner = await browserUser(browser, server.webUrl, 'bia');
  t.after(async () => {
    await owner.context.close();
    await server.stop();
  });
  await say(owner.page, `/register ${PASSWORD}`);
  await owner.page.locator('#scroller li', { hasText: 'bia is now registered to you.' }).waitFor();
  await say(owner.page, '/quit');
  await owner.page.locator('#login-error', { hasText: 'You left the chat.' }).waitFor();

  const context = await browser.newContext({ locale: 'en-US' });
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(server.webUrl);
  await page.fill('#name-input', 'bia');
  await page.click('#login-button');
  await page.locator('#password-input').waitFor({ state: 'visible' });
  await page.fill('#password-input', 'guess');
  await page.click('#login-button');
  await page.locator('#login-error', { hasText: 'Wrong password or key.' }).waitFor();
  assert.equal(await page.locator('#app').isHidden(), true);
  // The owner, back with her password, is herself.
  await owner.page.fill('#name-input', 'bia');
  await owner.page.click('#login-button');
  await owner.page.locator('#password-input').waitFor({ state: 'visible' });
  await owner.page.fill('#password-input', PASSWORD);
  await owner.page.click('#login-button');
  await owner.page.locator('#conv-title', { hasText: '#geral' }).waitFor();
});
