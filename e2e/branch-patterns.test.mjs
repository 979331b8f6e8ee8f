// Branch restrictions select branches by their pattern, as Bitbucket matches them: the push dialog names a branch
// that a pattern restricts, not only a branch the restriction names.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { REPOSITORIES, connectAndOpenArtifacts, field, openPage, withSandboxAndBrowser } from './support.mjs';

/** The demo configuration with one more Cloud push restriction, on `release/*`. */
function configWithReleaseRestriction() {
  const demo = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'crates', 'sandbox', 'demo.toml'), 'utf8');
  const mainRestriction = 'pattern = "main"\ngroups = ["administrators", "leads"]\n';
  assert.ok(demo.includes(mainRestriction), 'the demo restricts main on Cloud');
  const release = '\n[[cloud.workspaces.repositories.restrictions]]\nkind = "push"\npattern = "release/*"\ngroups = ["administrators"]\n';
  const dir = mkdtempSync(join(tmpdir(), 'branch-patterns-e2e-'));
  writeFileSync(join(dir, 'sandbox.toml'), demo.replace(mainRestriction, mainRestriction + release));
  return dir;
}

const configDir = configWithReleaseRestriction();
after(() => rmSync(configDir, { recursive: true, force: true }));
const env = withSandboxAndBrowser(['--config', join(configDir, 'sandbox.toml')]);

/** Ada's Cloud API token: an admin's, which may read the branch restrictions. */
const ADMIN = { ...REPOSITORIES.cloud, token: 'ATATT-demo-ada-cloud', user: 'ada@example.com' };

/** Creates `name` at main's tip on the Cloud repository, as Ada. */
async function createBranch(name) {
  const api = `${env.sandbox.apiOrigin}/2.0/repositories/${ADMIN.path}/refs/branches`;
  const headers = { Authorization: `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.token}`).toString('base64')}` };
  const main = await (await fetch(`${api}/main`, { headers })).json();
  const created = await fetch(api, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, target: { hash: main.target.hash } }),
  });
  assert.equal(created.status, 201, await created.text());
}

describe('branch patterns', () => {
  it('marks release/1.2 restricted when a restriction names release/*', async () => {
    for (const name of ['release/1.2', 'releases']) await createBranch(name);
    const { context, page } = await openPage(env.browser);
    await connectAndOpenArtifacts(page, env.sandbox, ADMIN);
    await page.getByRole('button', { name: 'Push…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Push to Bitbucket' });
    const note = (branch) => dialog.locator(`#push-branches option[value="${branch}"]`).textContent();
    assert.equal(await note('release/1.2'), 'restricted');
    assert.equal(await note('main'), 'main branch, restricted');
    assert.equal(await note('releases'), '', 'release/* selects only the branches below release/');

    const branch = field(dialog, 'Branch');
    await branch.fill('release/1.2');
    await dialog.getByText('This is the restricted.').waitFor();
    await branch.fill('releases');
    await dialog.getByText(/branch\(es\) known; type to search\./).waitFor();
    await context.close();
  });
});
