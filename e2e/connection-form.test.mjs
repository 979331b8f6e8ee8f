// The walk to the Bitbucket form, its validation, saving, reload, Reset; by mouse and by keyboard.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEMO, axeViolations, axeViolationsEverywhere, field, horizontalOverflow, localTime, openPage, screenshot, tabTo,
  waitForApp, withSandboxAndBrowser,
} from './support.mjs';

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

  it("leads a Data Center user's own HTTP access token to the setting that can push: PAT unticked, with the username", async () => {
    const { context, page } = await openPage(env.browser);
    await walkToBitbucket(page);
    await page.getByText('How do I get a token?').click();
    await page.getByRole('listitem').filter({ hasText: 'Bitbucket Data Center: your avatar' })
      .getByText(/Leave PAT unticked and enter your username: Bitbucket then tells which user pushes\./).waitFor();
    await page.getByText('Your own HTTP access token (Data Center): leave PAT unticked and enter your username, so that pushing can be checked.').waitFor();
    assert.equal(await page.getByText(/Tick PAT, or leave it unticked/).count(), 0, 'no advice that leads to a connection that cannot push');
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

  it('leads from Test artifacts to the connection and back, and shows its times in the user\'s time zone', async () => {
    const { context, page } = await openPage(env.browser, { locale: 'en-US', timezoneId: 'America/New_York' });
    await page.goto(`${env.sandbox.url}/projects/checkout-web/artifacts`);
    await page.getByRole('heading', { level: 1, name: 'Test artifacts' }).waitFor();
    await page.getByText('Push and pull need a Bitbucket connection.').waitFor();
    assert.deepEqual(await axeViolationsEverywhere(page), []);
    await page.getByRole('link', { name: 'Set up the Bitbucket connection' }).click();
    await page.getByRole('heading', { level: 1, name: 'Bitbucket' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Open test artifacts' }).count(), 0, 'nothing to push with yet');

    for (const [label, value] of Object.entries(validValues())) {
      await field(page, label).fill(value);
    }
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Saved connection' }).waitFor();
    for (const fact of ['created', 'tested']) {
      const time = page.locator(`[data-fact=${fact}] time`);
      const shown = await time.textContent();
      assert.equal(shown, localTime(await time.getAttribute('datetime'), 'America/New_York'), fact);
      assert.match(shown, /^\d{4}-\d\d-\d\d \d\d:\d\d E[SD]T$/, fact);
    }
    assert.deepEqual(await axeViolationsEverywhere(page), []);

    await page.getByRole('link', { name: 'Open test artifacts' }).click();
    await page.getByRole('heading', { level: 1, name: 'Test artifacts' }).waitFor();
    await page.getByRole('button', { name: 'Push…' }).waitFor();
    assert.equal(await page.getByText('Push and pull need a Bitbucket connection.').count(), 0);
    await context.close();
  });

  it('styles its lists and number fields as its other fields, gives its cards one width, and shows the demo users whole', async () => {
    const { context, page } = await openPage(env.browser);
    await walkToBitbucket(page);
    await page.mouse.move(0, 0);
    const looks = (selector) => page.locator(selector).evaluate((element) => {
      const style = getComputedStyle(element);
      return [style.borderTopWidth, style.borderTopColor, style.borderRadius, style.color, style.backgroundColor];
    });
    const text = await looks('#name');
    assert.deepEqual(await looks('#demo-user'), text, 'the demo user list');
    assert.deepEqual(await looks('#scm_export_worker_count'), text, 'an SCM parameter');

    const cardWidths = () => page.locator('.stack > .card').evaluateAll((cards) => cards.map((card) => card.getBoundingClientRect().width));
    for (const [label, value] of Object.entries(validValues())) {
      await field(page, label).fill(value);
    }
    const formCards = await cardWidths();
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Saved connection' }).waitFor();
    assert.deepEqual(await cardWidths(), formCards, 'the form, then the saved connection, and the SCM card are as wide');

    for (const width of [1280, 360]) {
      await page.setViewportSize({ width, height: 900 });
      const cards = await cardWidths();
      assert.equal(cards.length, 2);
      assert.equal(new Set(cards).size, 1, `the connection and SCM cards are as wide at ${width} px: ${cards}`);
      assert.equal(await horizontalOverflow(page), 0, `nothing scrolls sideways at ${width} px`);
      // A list unbounded in width is as wide as its longest label needs.
      const cut = await page.locator('#demo-user').evaluate((select) => {
        const free = select.cloneNode(true);
        free.style.maxWidth = 'none';
        free.style.position = 'absolute';
        select.parentNode.append(free);
        const needed = free.getBoundingClientRect().width;
        free.remove();
        return needed - select.getBoundingClientRect().width;
      });
      assert.ok(cut <= 0, `the demo users' names fit their list at ${width} px (${cut} px short)`);
    }
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
