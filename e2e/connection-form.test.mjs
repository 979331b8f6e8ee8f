// The walk to the Bitbucket form, its validation, saving, reload, Reset; by mouse and by keyboard.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEMO, axeViolations, field, openPage, screenshot, tabTo, waitForApp, withSandboxAndBrowser } from './support.mjs';

const env = withSandboxAndBrowser();

const validValues = () => ({
  'Connection Name': 'Checkout tests',
  'Access Token': DEMO.cloudToken,
  'Repository URL': `${env.sandbox.apiOrigin}/acme/checkout-tests.git`,
  Username: DEMO.cloudEmail,
});

async function walkToBitbucket(page) {
  await page.goto(env.sandbox.url);
  await waitForApp(page);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Home');
  await screenshot(page, '1-home');
  await page.getByRole('link', { name: 'Checkout Web', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Checkout Web' }).waitFor();
  await screenshot(page, '2-project');
  await page.getByRole('link', { name: 'Manage Integration' }).click();
  await page.getByRole('heading', { level: 1, name: 'Manage Integration' }).waitFor();
  assert.equal(await page.getByRole('tab', { name: 'Versioning' }).getAttribute('aria-selected'), 'true');
  await screenshot(page, '3-integrations');
  await page.getByRole('link', { name: 'Bitbucket', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Bitbucket' }).waitFor();
}

describe('connection form', () => {
  it('walks Home → project → Manage Integration → Versioning → Bitbucket and back', async () => {
    const { context, page } = await openPage(env.browser);
    await walkToBitbucket(page);
    assert.match(page.url(), /\/projects\/checkout-web\/integrations\/versioning\/bitbucket$/);
    assert.equal(await page.title(), 'Bitbucket · Checkout Web · Bitbucket Versioning');
    assert.equal(await page.evaluate(() => document.activeElement.tagName + ' ' + document.activeElement.textContent), 'H1 Bitbucket',
      "the new page's heading has focus, so screen readers announce it");
    const crumbs = await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('listitem').allTextContents();
    assert.deepEqual(crumbs, ['Home', 'Checkout Web', 'Manage Integration', 'Versioning', 'Bitbucket']);
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'Manage Integration' }).waitFor();
    await page.goForward();
    await page.getByRole('heading', { level: 1, name: 'Bitbucket' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Bitbucket' }).waitFor();
    await context.close();
  });

  it('shows every error on an empty Create, saves valid values, keeps them on reload, and resets', async () => {
    const { context, page } = await openPage(env.browser);
    await walkToBitbucket(page);
    await screenshot(page, '4-bitbucket-form');
    await page.getByRole('button', { name: 'Create' }).click();
    const expectations = {
      'Connection Name': 'Enter a name for this connection',
      'Access Token': 'Paste the access token',
      'Repository URL': 'Enter the repository URL',
      Username: 'Enter',
    };
    for (const [label, text] of Object.entries(expectations)) {
      const input = field(page, label);
      assert.equal(await input.getAttribute('aria-invalid'), 'true', label);
      const messageId = (await input.getAttribute('aria-describedby')).split(' ').find((id) => id.endsWith('-message'));
      assert.match(await page.locator(`#${messageId}`).textContent(), new RegExp(text), label);
    }
    assert.equal(await page.evaluate(() => document.activeElement.id), 'name');
    await screenshot(page, '5-bitbucket-errors');

    for (const [label, value] of Object.entries(validValues())) {
      await field(page, label).fill(value);
    }
    await field(page, 'Username').blur();
    await page.getByText('Bitbucket Cloud · workspace acme · repository checkout-tests').waitFor();
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Saved connection' }).waitFor();
    assert.equal(await page.locator('[data-fact=name]').textContent(), 'Checkout tests');
    assert.equal(await page.locator('[data-fact=user]').textContent(), DEMO.cloudEmail);
    assert.match(await page.locator('[data-fact=created]').textContent(), /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    await screenshot(page, '6-bitbucket-saved');

    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
    assert.ok(!stored.includes(DEMO.cloudToken), 'the token is not in persistent storage');

    await page.reload();
    await page.getByRole('heading', { name: 'Saved connection' }).waitFor();
    await page.getByText('Kept for this browser session only.').waitFor();

    await page.getByRole('button', { name: 'Reset' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Reset the Bitbucket configuration?' });
    await dialog.waitFor();
    await screenshot(page, '7-bitbucket-reset-dialog');
    await dialog.getByRole('button', { name: 'Reset' }).click();
    await page.getByRole('button', { name: 'Create' }).waitFor();
    assert.equal(await field(page, 'Connection Name').inputValue(), '');
    await page.reload();
    await page.getByRole('button', { name: 'Create' }).waitFor();
    assert.ok(!page.consoleMessages.some((m) => m.includes(DEMO.cloudToken)), 'no console message shows the token');
    await context.close();
  });

  it('asks for the token again in a new browser session', async () => {
    const first = await openPage(env.browser);
    await walkToBitbucket(first.page);
    for (const [label, value] of Object.entries(validValues())) {
      await field(first.page, label).fill(value);
    }
    await first.page.getByRole('button', { name: 'Create' }).click();
    await first.page.getByRole('heading', { name: 'Saved connection' }).waitFor();
    // A new browser session keeps persistent storage (localStorage and IndexedDB), not session storage.
    const storageState = await first.context.storageState({ indexedDB: true });
    await first.context.close();

    const second = await openPage(env.browser, { storageState });
    await second.page.goto(`${env.sandbox.url}/projects/checkout-web/integrations/versioning/bitbucket`);
    await second.page.getByRole('heading', { name: 'Saved connection' }).waitFor();
    await second.page.getByText('Not in this browser session').waitFor();
    await second.page.getByRole('button', { name: 'Edit' }).click();
    assert.equal(await field(second.page, 'Access Token').inputValue(), '');
    await second.context.close();
  });

  it('works with the keyboard alone', async () => {
    const { context, page } = await openPage(env.browser);
    await page.goto(env.sandbox.url);
    await waitForApp(page);
    await tabTo(page, (f) => f.text === 'Checkout Web');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Checkout Web' }).waitFor();
    await tabTo(page, (f) => f.text === 'Manage Integration');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Manage Integration' }).waitFor();
    await tabTo(page, (f) => f.text === 'Bitbucket' && f.tag === 'A');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Bitbucket' }).waitFor();

    const values = validValues();
    await tabTo(page, (f) => f.id === 'name');
    await page.keyboard.type(values['Connection Name']);
    await tabTo(page, (f) => f.id === 'token');
    await page.keyboard.type(values['Access Token']);
    await tabTo(page, (f) => f.tag === 'BUTTON' && f.text === 'Show');
    await page.keyboard.press('Space');
    assert.equal(await field(page, 'Access Token').getAttribute('type'), 'text');
    await tabTo(page, (f) => f.id === 'pat');
    await page.keyboard.press('Space');
    assert.equal(await page.getByLabel('Personal access token (PAT)').isChecked(), true);
    await page.keyboard.press('Space');
    await tabTo(page, (f) => f.id === 'repository-url');
    await page.keyboard.type(values['Repository URL']);
    await tabTo(page, (f) => f.id === 'username');
    await page.keyboard.type(values.Username);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Saved connection' }).waitFor();

    await tabTo(page, (f) => f.tag === 'BUTTON' && f.text === 'Reset');
    await page.keyboard.press('Enter');
    await page.getByRole('alertdialog').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Cancel');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Create' }).waitFor();
    await context.close();
  });

  it('has no axe-core violations on the form, with errors shown, and at 360 px', async () => {
    const { context, page } = await openPage(env.browser);
    await walkToBitbucket(page);
    assert.deepEqual(await axeViolations(page), []);
    await page.getByRole('button', { name: 'Create' }).click();
    assert.deepEqual(await axeViolations(page), []);
    await page.setViewportSize({ width: 360, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling at 360 px (overflow ${overflow}px)`);
    await screenshot(page, '8-bitbucket-360px');
    await context.close();
  });

  it('respects a dark colour scheme', async () => {
    const { context, page } = await openPage(env.browser, { colorScheme: 'dark' });
    await walkToBitbucket(page);
    const background = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    assert.equal(background, 'rgb(29, 33, 37)');
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, '9-bitbucket-dark');
    await context.close();
  });
});
