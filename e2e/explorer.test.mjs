// The Test artifacts explorer: edit a step, reload, export the .zip, import it into a new browser
// session, the tree with the keyboard, the user's place kept over a push, and the page's accessibility.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { inflateRawSync } from 'node:zlib';
import {
  REPOSITORIES, axeViolations, axeViolationsEverywhere, connectAndOpenArtifacts, field, localTime, openInTree, openPage,
  pullMain, push, readManifest, screenshot, tabTo, treeItem, waitForApp, withSandboxAndBrowser,
} from './support.mjs';

const env = withSandboxAndBrowser();

/** The entries of a .zip (name → bytes), read from its central directory. */
function zipEntries(buffer) {
  const end = buffer.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buffer.readUInt16LE(end + 10);
  let offset = buffer.readUInt32LE(end + 16);
  const entries = new Map();
  for (let i = 0; i < count; i += 1) {
    const method = buffer.readUInt16LE(offset + 10);
    const compressed = buffer.readUInt32LE(offset + 20);
    const nameLength = buffer.readUInt16LE(offset + 28);
    const extra = buffer.readUInt16LE(offset + 30);
    const comment = buffer.readUInt16LE(offset + 32);
    const local = buffer.readUInt32LE(offset + 42);
    const name = buffer.toString('utf8', offset + 46, offset + 46 + nameLength);
    const dataStart = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
    const data = buffer.subarray(dataStart, dataStart + compressed);
    entries.set(name, method === 8 ? inflateRawSync(data) : data);
    offset += 46 + nameLength + extra + comment;
  }
  return entries;
}

/** From Home to the Test artifacts of Checkout Web, by the links. */
async function openArtifacts(page) {
  await page.goto(env.sandbox.url);
  await waitForApp(page);
  await page.getByRole('link', { name: 'Checkout Web' }).click();
  await page.getByRole('heading', { level: 1, name: 'Checkout Web' }).waitFor();
  await page.getByRole('link', { name: 'Open test artifacts' }).click();
  await page.getByRole('heading', { level: 1, name: 'Test artifacts' }).waitFor();
}

/** The first test case of the first scenario of the suite Cart. */
const CASE = 'Add one item from the product page';

/** Opens the first test case of the first scenario of the suite Cart. */
async function openFirstTestCase(page) {
  await openInTree(page, 'Cart', 'Add items', CASE);
  await page.getByRole('heading', { level: 2, name: new RegExp(CASE) }).waitFor();
}

/** The name of the tree item that has the focus, if one has it. */
function focusedItem(page) {
  return page.evaluate(() => {
    const focused = document.activeElement;
    return focused?.getAttribute('role') === 'treeitem' ? focused.querySelector(':scope > .tree-row .node').textContent : null;
  });
}

describe('test artifacts explorer', () => {
  let exported;

  it('edits a step, keeps it over a reload marked changed, and exports the project', async () => {
    const { context, page } = await openPage(env.browser, { acceptDownloads: true });
    await openArtifacts(page);
    assert.equal(await page.locator('.badge.changed').count(), 0);
    await openFirstTestCase(page);
    const keyword = page.getByLabel('Keyword').first();
    assert.equal(await keyword.inputValue(), 'Navigate');
    await keyword.fill('Open');
    await keyword.press('Enter');
    await keyword.blur();
    await page.getByText('All changes saved in this browser.').waitFor();
    await page.getByText('1 artifact changed since the last push or pull.').waitFor();

    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Test artifacts' }).waitFor();
    await openFirstTestCase(page);
    assert.equal(await page.getByLabel('Keyword').first().inputValue(), 'Open');
    assert.equal(await treeItem(page, CASE).locator('.badge.changed').textContent(), 'Changed');
    await screenshot(page, 'explorer-1-changed');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export .zip' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'checkout-web.zip');
    exported = readFileSync(await download.path());
    const entries = zipEntries(exported);
    assert.ok(entries.has('test-artifacts/project.json'), [...entries.keys()].join(', '));
    assert.ok(entries.has('test-artifacts/.manifest.json'));
    const manifest = await readManifest(async (path) => entries.get(`test-artifacts/${path}`).toString());
    assert.equal(manifest.files.length, entries.size - 1 - manifest.parts.length, 'every file but the manifest\'s');
    const edited = [...entries.entries()].find(([name]) => name.includes('add-one-item-from-the-product-page'));
    assert.equal(JSON.parse(edited[1].toString()).steps[0].keyword, 'Open');
    await context.close();
  });

  it('imports the exported .zip into a new browser session, asking before replacing', async () => {
    assert.ok(exported, 'the export test ran first');
    const { context, page } = await openPage(env.browser);
    await page.goto(env.sandbox.url);
    await waitForApp(page);
    await page.getByRole('link', { name: 'Checkout Web' }).waitFor();
    await page.getByLabel('Project archive (.zip)').setInputFiles({
      name: 'checkout-web.zip', mimeType: 'application/zip', buffer: exported,
    });
    const dialog = page.getByRole('alertdialog', { name: 'Replace the project checkout-web?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Replace' }).click();
    await page.getByRole('link', { name: 'Open the test artifacts of Checkout Web' }).click();
    await page.getByRole('heading', { level: 1, name: 'Test artifacts' }).waitFor();
    await page.getByText('No changes since the last push or pull.').waitFor();
    await openFirstTestCase(page);
    assert.equal(await page.getByLabel('Keyword').first().inputValue(), 'Open');
    await context.close();
  });

  it('lists the problems of an archive that is not a project', async () => {
    const { context, page } = await openPage(env.browser);
    await page.goto(env.sandbox.url);
    await page.getByLabel('Project archive (.zip)').setInputFiles({
      name: 'broken.zip', mimeType: 'application/zip', buffer: Buffer.from('not a zip'),
    });
    const alert = page.getByRole('alert');
    await alert.getByText('broken.zip is not a valid project: 1 problem. Nothing was imported.').waitFor();
    await context.close();
  });

  // Each of the worker's files: the worker's script, the zip module's script (which the worker imports) and its
  // WebAssembly.
  for (const file of ['archive-worker.js', 'zip-worker.js', 'zip-worker_bg.wasm']) {
    it(`says so without an uncaught error when ${file} does not load for an import or an export, and works once it can`, async () => {
      assert.ok(exported, 'the export test ran first');
      const { context, page } = await openPage(env.browser);
      await page.route(`**/${file}`, (route) => route.abort());
      await page.goto(env.sandbox.url);
      await waitForApp(page);
      await page.getByLabel('Project archive (.zip)').setInputFiles({
        name: 'checkout-web.zip', mimeType: 'application/zip', buffer: exported,
      });
      await page.getByRole('alert').getByText(/^The import could not start: its worker \(archive-worker\.js\) did not load\./).waitFor();
      await openArtifacts(page);
      await page.getByRole('button', { name: 'Export .zip' }).click();
      await page.getByRole('alert').getByText(/^The export could not start: its worker \(archive-worker\.js\) did not load\./).waitFor();
      await page.unroute(`**/${file}`);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Export .zip' }).click(),
      ]);
      assert.ok(zipEntries(readFileSync(await download.path())).has('test-artifacts/project.json'));
      assert.equal(await page.getByText(/The export could not start/).count(), 0, 'the message is gone');
      // Every event of the workers that did not load was handled: nothing uncaught on the page.
      assert.deepEqual(page.consoleMessages.filter((line) => line.startsWith('pageerror')), []);
      await context.close();
    });
  }

  it('loads the explorer only when it is first opened, says so when it cannot, and loads it once it can', async () => {
    const { context, page } = await openPage(env.browser);
    const fetched = [];
    page.on('request', (request) => fetched.push(new URL(request.url()).pathname));
    const explorer = () => fetched.filter((path) => /\/explorer-[0-9a-f]+(_bg\.wasm|\.js)$/.test(path))
      .map((path) => path.replace(/-[0-9a-f]+/, ''));
    await page.route('**/explorer-*', (route) => route.abort());
    await page.goto(env.sandbox.url);
    await waitForApp(page);
    await page.getByRole('link', { name: 'Checkout Web' }).click();
    await page.getByRole('heading', { level: 1, name: 'Checkout Web' }).waitFor();
    assert.deepEqual(explorer(), [], 'nothing of the explorer before it is opened');

    await page.getByRole('link', { name: 'Open test artifacts' }).click();
    await page.getByRole('alert').getByText(
      /^The test artifacts explorer could not be loaded \(.+\)\. Check the network connection, then open the page again\.$/,
    ).waitFor();
    assert.deepEqual(explorer().sort(), ['/explorer.js', '/explorer_bg.wasm'], 'its files were asked for once');

    await page.unroute('**/explorer-*');
    await page.goBack();
    await page.getByRole('link', { name: 'Open test artifacts' }).click();
    await page.getByRole('heading', { level: 1, name: 'Test artifacts' }).waitFor();
    await openInTree(page, 'Cart');
    await treeItem(page, 'Add items').waitFor();
    assert.equal(await page.locator('main').count(), 1, 'one app on the page');
    assert.equal(await page.getByText(/could not be loaded/).count(), 0, 'the message is gone');
    assert.deepEqual(explorer().slice(2).sort(), ['/explorer.js', '/explorer_bg.wasm'], 'and once more when opened again');
    await context.close();
  });

  it('moves in the artifact tree with the keyboard as in a tree view, without an axe-core violation', async () => {
    const { context, page } = await openPage(env.browser);
    await openArtifacts(page);
    const expanded = (name) => treeItem(page, name).getAttribute('aria-expanded');
    // Tab reaches one item of the suites' tree: the first suite.
    await tabTo(page, ({ tag }) => tag === 'LI');
    assert.equal(await focusedItem(page), 'Cart');
    assert.equal(await page.getByRole('tree', { name: 'Test suites' }).locator('[role=treeitem][tabindex="0"]').count(), 1);

    await page.keyboard.press('ArrowRight');
    assert.equal(await expanded('Cart'), 'true', 'Right expands');
    assert.equal(await focusedItem(page), 'Cart');
    await page.keyboard.press('ArrowRight');
    assert.equal(await focusedItem(page), 'Add items', 'Right again goes to the first child');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    assert.equal(await focusedItem(page), CASE, 'Down goes to the next item shown');
    await page.keyboard.press('ArrowDown');
    assert.equal(await focusedItem(page), 'Add an item from search results');
    await page.keyboard.press('ArrowUp');
    assert.equal(await focusedItem(page), CASE, 'Up goes back');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await focusedItem(page), 'Add items', 'Left on a test case goes to its scenario');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await expanded('Add items'), 'false', 'Left collapses');
    assert.equal(await treeItem(page, CASE).count(), 0);
    assert.equal(await focusedItem(page), 'Add items');
    await page.keyboard.press('End');
    assert.equal(await focusedItem(page), 'Payments', 'End goes to the last item shown');
    await page.keyboard.press('Home');
    assert.equal(await focusedItem(page), 'Cart', 'Home goes to the first');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 2, name: /^Edit the cart/ }).waitFor();
    assert.equal(await treeItem(page, 'Edit the cart').getAttribute('aria-selected'), 'true', 'Enter opens the artifact');
    assert.equal(await expanded('Edit the cart'), 'true', 'and shows what it holds');
    assert.equal(await focusedItem(page), 'Edit the cart', 'the focus stays in the tree');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await expanded('Cart'), 'false');
    assert.equal(await focusedItem(page), 'Cart');
    assert.deepEqual(await axeViolationsEverywhere(page), []);
    await context.close();
  });

  it('keeps the focus and the scroll where the user was over a push, and announces its result', async () => {
    const { context, page } = await openPage(env.browser, { viewport: { width: 1280, height: 500 } });
    await connectAndOpenArtifacts(page, env.sandbox, REPOSITORIES.cloud);
    await openFirstTestCase(page);
    assert.equal(await focusedItem(page), CASE);
    await page.getByRole('button', { name: 'Push…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Push to Bitbucket' });
    await dialog.getByLabel('New branch', { exact: true }).check();
    await field(dialog, 'New branch name').fill('where-i-was');
    await field(dialog, 'Commit message').fill('Where I was');
    // Screen readers hear what comes into the dialog's result region, a polite live region there from the start.
    const live = await dialog.locator('.dialog-result[role=status][aria-live=polite]').elementHandle();
    await dialog.getByRole('button', { name: 'Preview' }).click();
    await dialog.getByRole('button', { name: 'Push', exact: true }).click();
    await page.waitForFunction((region) => /^Pushed to where-i-was: \d+ files? written in 1 commit\./.test(region.textContent), live);
    assert.ok(await live.evaluate((region) => region.isConnected), 'the same region, announced');
    // The user scrolls the page behind the dialog, then closes it.
    await page.mouse.move(5, 5);
    await page.mouse.wheel(0, 300);
    await page.waitForFunction(() => window.scrollY > 0);
    const scrolled = await page.evaluate(() => [window.scrollY, document.querySelector('.explorer-tree').scrollTop]);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByText('No changes since the last push or pull.').waitFor();
    assert.equal(await focusedItem(page), CASE, 'the tree item the user was on has the focus');
    assert.deepEqual(await page.evaluate(() => [window.scrollY, document.querySelector('.explorer-tree').scrollTop]), scrolled);
    await page.keyboard.press('ArrowUp');
    assert.equal(await focusedItem(page), 'Add items', 'and the keyboard goes on from there');
    await context.close();
  });

  it('keeps the focus on the tree item the user was on over a pull and its Apply', async () => {
    const { context, page } = await openPage(env.browser);
    await connectAndOpenArtifacts(page, env.sandbox, REPOSITORIES.cloud);
    await push(page, 'Before the pull', undefined, 'pulled-here');
    await openFirstTestCase(page);
    assert.equal(await focusedItem(page), CASE);
    await pullMain(page);
    assert.equal(await focusedItem(page), CASE, 'the tree item the user was on has the focus');
    await page.keyboard.press('ArrowUp');
    assert.equal(await focusedItem(page), 'Add items', 'and the keyboard goes on from there');
    await context.close();
  });

  it('has no axe-core violations on the explorer with a test case open', async () => {
    const { context, page } = await openPage(env.browser);
    await openArtifacts(page);
    await openFirstTestCase(page);
    await screenshot(page, 'explorer-2-test-case');
    assert.deepEqual(await axeViolations(page), []);
    await context.close();
  });

  it('dates History in the user\'s time zone, as the connection is dated, without an axe-core violation', async () => {
    const zone = 'Asia/Kolkata';
    const { context, page } = await openPage(env.browser, { locale: 'en-US', timezoneId: zone });
    await connectAndOpenArtifacts(page, env.sandbox, REPOSITORIES.cloud);
    await push(page, 'Versioned from the app');
    const when = page.getByRole('region', { name: 'History' }).getByRole('row').nth(1).locator('time');
    const shown = await when.textContent();
    assert.equal(shown, localTime(await when.getAttribute('datetime'), zone));
    assert.match(shown, /^\d{4}-\d\d-\d\d \d\d:\d\d GMT\+5:30$/);
    assert.deepEqual(await axeViolationsEverywhere(page), []);
    await context.close();
  });
});
