// The standalone connection store (the browser's localStorage for the record, sessionStorage for the token): a
// refused write leaves the previous connection whole, and tabs do not save over each other's connection.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { field, fillLeeConnection, openBitbucketPage, openPage, signInAs, withSandboxAndBrowser } from './support.mjs';

const env = withSandboxAndBrowser();
const RECORD = 'bitbucket-versioning/connection/checkout-web';
const TOKEN = 'bitbucket-versioning/session-token/checkout-web';

/** Opens Checkout Web's Bitbucket page in `page` as Lee (Quality Lead). */
async function openAsLee(page) {
  await openBitbucketPage(page, env.sandbox);
  await signInAs(page, 'Lee Lead (Quality Lead)');
}

/** The stored connection record's name and this tab's stored token. */
function stored(page) {
  return page.evaluate(([record, token]) => ({
    name: JSON.parse(localStorage.getItem(record))?.name,
    token: sessionStorage.getItem(token),
  }), [RECORD, TOKEN]);
}

describe('the browser\'s storage of connections', () => {
  it('keeps the previous connection whole when the browser refuses to store the token of an edit', async () => {
    const { context, page } = await openPage(env.browser);
    // The browser's storage, full when the test says so: writing a token throws as a full quota does.
    await context.addInitScript((token) => {
      const setItem = Storage.prototype.setItem;
      Storage.prototype.setItem = function setItemUnlessFull(key, value) {
        if (window.storageFull && key === token) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return setItem.call(this, key, value);
      };
    }, TOKEN);
    await openAsLee(page);
    await fillLeeConnection(page, env.sandbox);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Saved connection' }).waitFor();
    const before = await stored(page);

    await page.getByRole('button', { name: 'Edit' }).click();
    await field(page, 'Connection Name').fill('Renamed tests');
    await page.evaluate(() => { window.storageFull = true; });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('alert').getByText('The connection was not saved.', { exact: false }).waitFor();
    assert.deepEqual(await stored(page), before, 'the previous record and token are kept');

    await page.reload();
    await page.getByRole('heading', { name: 'Saved connection' }).waitFor();
    assert.equal(await page.locator('[data-fact="name"]').textContent(), 'Checkout tests');
    await context.close();
  });

  it('tells a tab that another tab saved the connection, and refuses that tab\'s save over it', async () => {
    const { context, page } = await openPage(env.browser);
    await openAsLee(page);
    await fillLeeConnection(page, env.sandbox);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Saved connection' }).waitFor();
    const other = await context.newPage();
    await openAsLee(other);
    await other.getByRole('heading', { name: 'Saved connection' }).waitFor();

    await page.getByRole('button', { name: 'Edit' }).click();
    await field(page, 'Connection Name').fill('Renamed in the first tab');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('[data-fact="name"]', { hasText: 'Renamed in the first tab' }).waitFor();

    const notice = 'This connection was changed in another tab: reload to see it before changing it here.';
    await other.getByRole('status').getByText(notice).waitFor();
    await other.getByRole('button', { name: 'Edit' }).click();
    await fillLeeConnection(other, env.sandbox);
    await field(other, 'Connection Name').fill('Renamed in the second tab');
    await other.getByRole('button', { name: 'Save', exact: true }).click();
    await other.getByRole('alert').getByText(`The connection was not saved. ${notice}`).waitFor();
    assert.equal((await stored(page)).name, 'Renamed in the first tab', 'the first tab\'s save is kept');
    await context.close();
  });
});
