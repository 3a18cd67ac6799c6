import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser, Page, Route } from 'playwright-core';
import type { LineClient } from '../helpers/line-client.js';
import { browserUser, launchBrowser, PapoProcess, tcpUser, type BrowserUser } from './harness.js';

// Issue #14 in the browser: attach, drop, paste, progress, cancel, download, image preview.

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
// A 1×1 PNG: the server recognises images by their bytes.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

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
) {
  t.after(async () => {
    for (const u of users) await u.context.close();
    for (const c of tcp) c.destroy();
    await server.stop();
  });
}

/**
 * Resolves once `condition` (page code, as a string: the tests are type-checked without the
 * DOM library) holds, checked at each change of the page. Not waitForFunction: the app's CSP
 * forbids the eval it relies on.
 */
async function until(page: Page, condition: string): Promise<void> {
  await page.evaluate(`new Promise((resolve) => {
    const check = () => { if (${condition}) { observer.disconnect(); resolve(true); } };
    const observer = new MutationObserver(check);
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    check();
  })`);
}

/** Hands `files` to the page as a drop on the chat, or a paste, as a person's gesture would. */
async function dropOrPaste(
  page: Page,
  how: 'drop' | 'paste',
  files: Array<{ name: string; type: string; base64: string }>,
) {
  // Browser code as a string: the tests are type-checked without the DOM library.
  await page.evaluate(`(() => {
    const dt = new DataTransfer();
    for (const f of ${JSON.stringify(files)}) {
      const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], f.name, { type: f.type }));
    }
    if (${JSON.stringify(how)} === 'paste') {
      document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true }));
    } else {
      const target = document.getElementById('scroller');
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }
  })()`);
}

test('a file attached in one browser reaches another with a working download, and nc sees its URL', async (t) => {
  const server = await PapoProcess.start(['--no-history']);
  const users: BrowserUser[] = [];
  const tcp: LineClient[] = [];
  cleanup(t, server, users, tcp);
  const ana = await browserUser(browser, server.webUrl, 'ana');
  const bia = await browserUser(browser, server.webUrl, 'bia');
  users.push(ana, bia);
  const caio = await tcpUser(server.port, 'caio');
  tcp.push(caio);

  // Hold the second PATCH until the progress bar has been seen moving.
  let release: () => void = () => {};
  const held = new Promise<void>((r) => (release = r));
  let patches = 0;
  await ana.page.route('**/u/**', async (route: Route) => {
    if (route.request().method() === 'PATCH' && ++patches === 2) await held;
    await route.continue();
  });
  assert.equal(
    await ana.page.locator('#composer label.attach').isVisible(),
    true,
    'the attach control shows',
  );
  const file = randomBytes(9 * 1024 * 1024 + 333);
  await ana.page.setInputFiles('#file-input', {
    name: 'relatório final.pdf',
    mimeType: 'application/pdf',
    buffer: file,
  });
  const bar = ana.page.locator('li.upload progress');
  await until(
    ana.page,
    `(() => {
    const p = document.querySelector('li.upload progress');
    return p !== null && p.value > 0 && p.value < p.max;
  })()`,
  );
  assert.match((await ana.page.locator('li.upload .upload-status').textContent()) ?? '', /\d+% · .*\/s/);
  assert.equal(await bar.count(), 1);
  release();
  await ana.page.locator('li.upload').waitFor({ state: 'detached' });

  const offer = bia.page.locator('#scroller li.msg.file', { hasText: 'relatório final.pdf' });
  await offer.waitFor();
  assert.match((await offer.textContent()) ?? '', /ana sent.*relatório final\.pdf.*9\.4 MB.*Download/);
  await ana.page.locator('#scroller li.msg.file', { hasText: 'relatório final.pdf' }).waitFor();
  const link = offer.locator('a[download]', { hasText: 'Download' });
  assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
  const [download] = await Promise.all([bia.page.waitForEvent('download'), link.click()]);
  assert.equal(download.suggestedFilename(), 'relatório final.pdf');
  assert.equal(sha(readFileSync(await download.path())), sha(file));
  const line = await caio.lineMatching(/ana sent relatório final\.pdf .*: http\S+$/);
  assert.match(line, /sha256 [0-9a-f]{8}/);
  if (process.env.PAPO_SHOT) await bia.page.screenshot({ path: process.env.PAPO_SHOT });
  assert.deepEqual([...ana.problems, ...bia.problems], []);
});

test('a dropped image and a pasted one show as previews; an upload can be cancelled', async (t) => {
  const server = await PapoProcess.start(['--no-history']);
  const users: BrowserUser[] = [];
  cleanup(t, server, users, []);
  const ana = await browserUser(browser, server.webUrl, 'ana');
  const bia = await browserUser(browser, server.webUrl, 'bia');
  users.push(ana, bia);

  await dropOrPaste(ana.page, 'drop', [
    { name: 'ferias.png', type: 'image/png', base64: PNG.toString('base64') },
  ]);
  const img = bia.page.locator('#scroller li.msg.file img.preview[alt="ferias.png"]');
  await img.waitFor();
  const width = await bia.page.evaluate(
    `document.querySelector('img.preview[alt="ferias.png"]').decode().then(() =>
      document.querySelector('img.preview[alt="ferias.png"]').naturalWidth)`,
  );
  assert.equal(width, 1);
  assert.match((await img.getAttribute('src')) ?? '', /\/f\/[^/]+\/ferias\.png\?inline=1$/);

  // A paste of an image: the same; a file that only claims to be an image gets no preview.
  await dropOrPaste(ana.page, 'paste', [
    { name: 'colado.png', type: 'image/png', base64: PNG.toString('base64') },
    { name: 'falso.png', type: 'image/png', base64: Buffer.from('<svg onload=alert(1)>').toString('base64') },
  ]);
  await bia.page.locator('#scroller li.msg.file img.preview[alt="colado.png"]').waitFor();
  const fake = bia.page.locator('#scroller li.msg.file', { hasText: 'falso.png' });
  await fake.waitFor();
  assert.equal(await fake.locator('img').count(), 0);

  // Cancel: the PATCH is held, the cancel button DELETEs the slot and nothing is offered.
  let deleted = false;
  await ana.page.route('**/u/**', async (route: Route) => {
    const method = route.request().method();
    if (method === 'DELETE') deleted = true;
    if (method === 'PATCH') return; // never answered: the upload hangs until cancelled
    await route.continue();
  });
  const patching = ana.page.waitForRequest((r) => r.method() === 'PATCH');
  await ana.page.setInputFiles('#file-input', {
    name: 'grande.bin',
    mimeType: 'application/octet-stream',
    buffer: randomBytes(1024 * 1024),
  });
  await ana.page.locator('li.upload', { hasText: 'grande.bin' }).waitFor();
  await patching; // hashed and offered: the upload waits on its held PATCH
  const deleting = ana.page.waitForRequest((r) => r.method() === 'DELETE');
  await ana.page.locator('li.upload button', { hasText: 'Cancel' }).click();
  await ana.page.locator('#scroller li', { hasText: 'Sending grande.bin was cancelled.' }).waitFor();
  assert.equal(await ana.page.locator('li.upload').count(), 0);
  await deleting;
  assert.equal(deleted, true);
  assert.deepEqual([...ana.problems, ...bia.problems], []);
});
