// Product roles: on the Bitbucket page a Quality Engineer sees the connection but cannot change it, and the push
// dialog refuses them the main branch, named as code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  REPOSITORIES, axeViolations, connectAndOpenArtifacts, field, fillConnection, openBitbucketPage, openPage,
  withSandboxAndBrowser,
} from './support.mjs';

const env = withSandboxAndBrowser();

async function signInAs(page, label) {
  await page.getByLabel('Demo user').selectOption({ label });
}

describe('roles', () => {
  it('lets a Quality Lead configure, and shows a Quality Engineer the connection without Edit or Reset', async () => {
    const { context, page } = await openPage(env.browser);
    await openBitbucketPage(page, env.sandbox);
    await signInAs(page, 'Lee Lead (Quality Lead)');
    assert.equal(await page.locator('.role-badge').textContent(), 'Quality Lead');
    await fillConnection(page, {
      'Connection Name': 'Checkout tests',
      'Access Token': 'ATATT-demo-lee-cloud',
      'Repository URL': `${env.sandbox.apiOrigin}/acme/checkout-tests`,
      Username: 'lee@example.com',
    });
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Saved connection' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Edit' }).count(), 1);

    await signInAs(page, 'Eve Engineer (Quality Engineer)');
    await page.getByText('Quality Engineers cannot change the Bitbucket connection.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Edit' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Reset' }).count(), 0);
    assert.equal(await page.locator('[data-fact=name]').textContent(), 'Checkout tests');
    assert.deepEqual(await axeViolations(page), []);

    await page.reload();
    assert.equal(await page.locator('.role-badge').textContent(), 'Quality Engineer', 'the demo user is kept');
    await signInAs(page, 'Ada Admin (Admin)');
    await page.getByRole('button', { name: 'Edit' }).waitFor();
    await context.close();
  });

  it('shows a Quality Engineer that nothing is connected instead of the form', async () => {
    const { context, page } = await openPage(env.browser);
    await openBitbucketPage(page, env.sandbox);
    await signInAs(page, 'Eve Engineer (Quality Engineer)');
    await page.getByRole('heading', { name: 'Not connected' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Create' }).count(), 0);
    await context.close();
  });

  it('refuses a Quality Engineer the main branch, naming it as code without backticks', async () => {
    const { context, page } = await openPage(env.browser);
    await connectAndOpenArtifacts(page, env.sandbox, REPOSITORIES.cloud);
    await signInAs(page, 'Eve Engineer (Quality Engineer)');
    await page.getByRole('button', { name: 'Push…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Push to Bitbucket' });
    await field(dialog, 'Branch').fill('main');
    const refusal = dialog.getByText(/^Quality Engineers cannot push to the main branch main\./);
    await refusal.waitFor();
    assert.equal(await refusal.locator('code').first().textContent(), 'main');
    assert.doesNotMatch(await page.locator('body').innerText(), /`/);
    await context.close();
  });
});
