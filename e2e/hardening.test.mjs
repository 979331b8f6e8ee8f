// Hardening: the standalone page's Content-Security-Policy (index.html) lets the app start, connect to Bitbucket
// and preview a push without a single violation; projects the browser removed are reported, not quietly replaced.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  REPOSITORIES, connectAndOpenArtifacts, control, field, fillConnection, openBitbucketPage, openPage, signInAs,
  withSandboxAndBrowser,
} from './support.mjs';

const env = withSandboxAndBrowser(['--dc-cors']);

/** Records every `securitypolicyviolation` of the page (from its first script on) in `window.__cspViolations`. */
function recordViolations() {
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push(`${event.effectiveDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
  });
}

describe('hardening', () => {
  it('runs under its Content-Security-Policy: connect, open the push dialog and preview a push, without a violation', async () => {
    const { context, page } = await openPage(env.browser);
    await context.addInitScript(recordViolations);
    await connectAndOpenArtifacts(page, env.sandbox, REPOSITORIES.cloud);
    const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.match(policy, /script-src 'self' 'wasm-unsafe-eval';/);
    assert.equal(await page.locator('script:not([src])').count(), 0, 'no inline script');

    await page.getByRole('button', { name: 'Push…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Push to Bitbucket' });
    await field(dialog, 'Branch').fill('main');
    await field(dialog, 'Commit message').fill('Checked under the policy');
    await dialog.getByRole('button', { name: 'Preview' }).click();
    await dialog.getByText(/file\(s\) to write/).waitFor();

    assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
    assert.deepEqual(page.consoleMessages.filter((text) => /Content Security Policy/i.test(text)), []);
    await context.close();
  });

  it('says when the browser removed the stored projects, and seeds the demo projects only when asked', async () => {
    const { context, page } = await openPage(env.browser);
    // The marker says this browser held projects, but its IndexedDB is empty: as after an eviction.
    await context.addInitScript(() => localStorage.setItem('bitbucket-versioning/has-projects', 'true'));
    await page.goto(`${env.sandbox.url}/`);
    await page.getByRole('alert').getByText(/This browser removed the stored projects \(storage was cleared or evicted\)\./).waitFor();
    assert.equal(await page.locator('.project-card').count(), 0, 'no demo project was seeded');
    await page.getByRole('button', { name: 'Start again with the demo projects' }).click();
    await page.locator('.project-card').first().waitFor();
    assert.equal(await page.locator('.project-card').count(), 3);
    await page.reload();
    await page.locator('.project-card').first().waitFor();
    assert.equal(await page.getByText('This browser removed the stored projects', { exact: false }).count(), 0);
    await context.close();
  });

  it('explains a rate limit answered without CORS headers as a possible limit, not only a network problem', async () => {
    // Some rate limiters answer 429 without CORS headers: the browser then reports a network error, no status.
    await control(env.sandbox, 'faults', 'PUT', { fault_cors: 'absent', fail_next: [429, 429, 429, 429] });
    try {
      const { context, page } = await openPage(env.browser);
      await openBitbucketPage(page, env.sandbox);
      await signInAs(page, 'Lee Lead (Quality Lead)');
      const { token, user, path } = REPOSITORIES.cloud;
      await fillConnection(page, {
        'Connection Name': 'Checkout tests',
        'Access Token': token,
        'Repository URL': `${env.sandbox.apiOrigin}/${path}`,
        Username: user,
      });
      await page.getByRole('button', { name: 'Create' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'Could not reach api.bitbucket.org' });
      await alert.waitFor();
      const text = (await alert.textContent()).replace(/\s+/g, ' ');
      assert.match(text, /Bitbucket may be limiting requests/);
      assert.match(text, /Wait a minute and try again/);
      assert.equal(await page.getByRole('heading', { name: 'Saved connection' }).count(), 0);
      await context.close();
    } finally {
      await control(env.sandbox, 'reset', 'POST');
    }
  });
});
