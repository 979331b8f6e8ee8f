// Push: test artifacts reach a Bitbucket branch as commits, checked with `git clone` of the sandbox's
// repositories; roles, versions, conflicts and injected failures.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import { control, field, fillConnection, openPage, withSandboxAndBrowser } from './support.mjs';

const env = withSandboxAndBrowser(['--dc-cors']);

const CLOUD = { token: 'ATATT-demo-lee-cloud', user: 'lee@example.com', path: 'acme/checkout-tests', clone: 'acme/checkout-tests.git' };
const DC = { token: 'BBDC-demo-lee', user: 'lee', path: 'scm/qa/regression-suite.git', clone: 'scm/qa/regression-suite.git' };

// Asynchronous, so that this process keeps reading the sandbox's log while git talks to it.
const run = promisify(execFile);

/** Clones a sandbox repository (at `branch`) into a temporary folder; returns the folder. */
async function clone(repository, branch = 'main') {
  const dir = mkdtempSync(join(tmpdir(), 'push-e2e-'));
  await run('git', ['clone', '-q', '--branch', branch, `${env.sandbox.apiOrigin}/${repository.clone}`, dir]);
  return dir;
}

async function git(dir, ...args) {
  return (await run('git', ['-C', dir, ...args], { encoding: 'utf8' })).stdout.trim();
}

async function signInAs(page, label) {
  await page.getByLabel('Demo user').selectOption({ label });
}

/** Creates the Checkout Web project's connection as Lee (Quality Lead), then opens its Test artifacts. */
async function connectAndOpenArtifacts(page, repository) {
  await page.goto(`${env.sandbox.url}/projects/checkout-web/integrations/versioning/bitbucket`);
  await signInAs(page, 'Lee Lead (Quality Lead)');
  await fillConnection(page, {
    'Connection Name': 'Checkout tests',
    'Access Token': repository.token,
    'Repository URL': `${env.sandbox.apiOrigin}/${repository.path}`,
    Username: repository.user,
  });
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('heading', { name: 'Saved connection' }).waitFor();
  await page.goto(`${env.sandbox.url}/projects/checkout-web/artifacts`);
  await page.getByRole('heading', { level: 1, name: 'Test artifacts' }).waitFor();
}

/** Opens the push dialog, fills it and asks for the preview. */
async function preview(page, { branch, newBranch = false, message, version }) {
  if (await page.getByRole('dialog', { name: 'Push to Bitbucket' }).count() === 0) {
    await page.getByRole('button', { name: 'Push…' }).click();
  }
  const dialog = page.getByRole('dialog', { name: 'Push to Bitbucket' });
  const box = dialog.getByLabel('New branch', { exact: true });
  if ((await box.isChecked()) !== newBranch) await box.click();
  await field(dialog, newBranch ? 'New branch name' : 'Branch').fill(branch);
  await field(dialog, 'Commit message').fill(message);
  if (version) await field(dialog, 'Version name (optional)').fill(version);
  await dialog.getByRole('button', { name: 'Preview' }).click();
  return dialog;
}

async function pushAndWait(dialog) {
  await dialog.getByRole('button', { name: 'Push', exact: true }).click();
  await dialog.locator('.banner.success, .banner.error').first().waitFor();
  return dialog.locator('.banner.success, .banner.error').first().textContent();
}

describe('push', () => {
  beforeEach(async () => {
    await control(env.sandbox, 'reset', 'POST');
  });

  for (const [product, repository] of [['Cloud', CLOUD], ['Data Center', DC]]) {
    it(`lets a Quality Lead push to the main branch with a version, and a second push makes no commit (${product})`, async () => {
      const { context, page } = await openPage(env.browser);
      await connectAndOpenArtifacts(page, repository);
      let dialog = await preview(page, { branch: 'main', message: 'First push of Checkout Web', version: 'v1.0' });
      await dialog.getByText(/file\(s\) to write/).waitFor();
      const result = await pushAndWait(dialog);
      assert.match(result, /Pushed to `main`/);
      assert.ok(await dialog.getByRole('link', { name: /^Commit / }).count() >= 1);

      const dir = await clone(repository);
      try {
        const manifest = JSON.parse(readFileSync(join(dir, 'test-artifacts', '.manifest.json'), 'utf8'));
        assert.ok(manifest.files.length > 30, 'every artifact is listed');
        for (const entry of manifest.files) assert.ok(existsSync(join(dir, entry.path)), entry.path);
        assert.equal(await git(dir, 'log', '-1', '--format=%s'), 'First push of Checkout Web');
        assert.equal(await git(dir, 'tag', '--list', 'v1.0'), 'v1.0');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      const commits = await git(await clone(repository), 'rev-list', '--count', 'HEAD');

      await dialog.getByRole('button', { name: 'Close' }).click();
      await page.getByText('No changes since the last push or pull.').waitFor();
      await page.getByRole('cell', { name: 'push' }).first().waitFor();
      dialog = await preview(page, { branch: 'main', message: 'Again' });
      await dialog.getByText(/Nothing to push/).waitFor();
      assert.equal(await dialog.getByRole('button', { name: 'Push', exact: true }).count(), 0);
      assert.equal(await git(await clone(repository), 'rev-list', '--count', 'HEAD'), commits, 'no commit was made');
      await context.close();
    });
  }

  it('refuses a Quality Engineer on the main branch and lets them push to a new feature/login branch', async () => {
    const { context, page } = await openPage(env.browser);
    await connectAndOpenArtifacts(page, CLOUD);
    await signInAs(page, 'Eve Engineer (Quality Engineer)');
    await page.getByRole('button', { name: 'Push…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Push to Bitbucket' });
    await field(dialog, 'Branch').fill('main');
    await dialog.getByText('Quality Engineers cannot push to the main branch `main`.').waitFor();
    assert.ok(await dialog.getByRole('button', { name: 'Preview' }).isDisabled());

    await preview(page, { branch: 'feature/login', newBranch: true, message: 'Login tests' });
    await dialog.getByText(/a new branch from `main`/).waitFor();
    assert.match(await pushAndWait(dialog), /Pushed to `feature\/login`/);
    await dialog.getByText('The branch `feature/login` was created.').waitFor();
    const dir = await clone(CLOUD, 'feature/login');
    try {
      assert.ok(existsSync(join(dir, 'test-artifacts', '.manifest.json')));
      assert.equal(await git(dir, 'log', '-1', '--format=%s'), 'Login tests');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(await git(await clone(CLOUD), 'ls-tree', '--name-only', 'HEAD', 'test-artifacts/.manifest.json'), '', 'main is untouched');
    await context.close();
  });

  it('stops when another client pushed in between, and nothing of theirs is lost', async () => {
    const { context, page } = await openPage(env.browser);
    await connectAndOpenArtifacts(page, CLOUD);
    const dialog = await preview(page, { branch: 'main', message: 'Mine' });
    await dialog.getByText(/file\(s\) to write/).waitFor();
    // Another client commits to main meanwhile.
    const form = new FormData();
    form.append('message', 'Theirs');
    form.append('branch', 'main');
    form.append('notes/theirs.txt', new Blob(['their work']), 'theirs.txt');
    const auth = Buffer.from('ada@example.com:ATATT-demo-ada-cloud').toString('base64');
    const response = await fetch(`${env.sandbox.apiOrigin}/2.0/repositories/acme/checkout-tests/src`, {
      method: 'POST', headers: { Authorization: `Basic ${auth}` }, body: form,
    });
    assert.equal(response.status, 201);
    assert.match(await pushAndWait(dialog), /changed in Bitbucket .* pull first/);
    const dir = await clone(CLOUD);
    try {
      assert.equal(readFileSync(join(dir, 'notes', 'theirs.txt'), 'utf8'), 'their work');
      assert.equal(await git(dir, 'log', '-1', '--format=%s'), 'Theirs');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await context.close();
  });

  it('completes through injected 429 and 503 answers', async () => {
    const { context, page } = await openPage(env.browser);
    await connectAndOpenArtifacts(page, CLOUD);
    await control(env.sandbox, 'faults', 'PUT', { fail_next: [429, 503, 503] });
    const dialog = await preview(page, { branch: 'main', message: 'Through the storm' });
    assert.match(await pushAndWait(dialog), /Pushed to `main`/);
    const dir = await clone(CLOUD);
    try {
      assert.equal(await git(dir, 'log', '-1', '--format=%s'), 'Through the storm');
      assert.equal((await git(dir, 'log', '--format=%s', '-2')).split('\n').filter((s) => s === 'Through the storm').length, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await context.close();
  });
});
