// Data Center pushes over git (/scm through the relay): one commit with every change, deletions included, and the
// version tag in the same update; checked with `git clone` and `git ls-remote`. Through a relay that passes /rest
// only, the push falls back to the REST API and the preview says why.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  caseFile, closeDialog, deleteTestCase, exportedPaths, git, gitAccess, manifestPaths, preview, pushAndWait, run,
} from './push-helpers.mjs';
import {
  REPOSITORIES, connectAndOpenArtifacts, control, field, logMark, logSince, openPage, signInAs, withRestOnlyRelay,
  withSandboxAndBrowser,
} from './support.mjs';

const env = withSandboxAndBrowser();
const { gitCredentials, gitOrigin, inClone } = gitAccess(env);

const DC = REPOSITORIES.dataCenter;

/** The refs of the Data Center repository, by name, as `git ls-remote` lists them (a tag's `^{}` is its commit). */
async function remoteRefs() {
  const { stdout } = await run('git', ['ls-remote', `${gitOrigin(DC)}/${DC.clone}`], gitCredentials(DC));
  return Object.fromEntries(stdout.trim().split('\n').map((line) => line.split('\t').reverse()));
}

/** The route line of the previewed push dialog, once the preview shows it. */
async function route(dialog) {
  const line = dialog.locator('#push-route');
  await line.waitFor();
  return line.textContent();
}

describe('push over git (Data Center)', () => {
  const restOnly = withRestOnlyRelay(env);

  beforeEach(async () => {
    await control(env.sandbox, 'reset', 'POST');
  });

  it('lets a Quality Lead push to main with a version over git: one new commit holding exactly the project, tagged', async () => {
    const { context, page } = await openPage(env.browser, { acceptDownloads: true });
    await connectAndOpenArtifacts(page, env.sandbox, DC);
    const project = (await exportedPaths(page)).sort();
    const before = (await remoteRefs())['refs/heads/main'];
    const dialog = await preview(page, { branch: 'main', message: 'Over git', version: 'v2.0' });
    assert.match(await route(dialog), /^Over git \(\/scm\): one commit with every change/);
    assert.match(await pushAndWait(dialog), /Pushed to `?main`?/);

    const refs = await remoteRefs();
    assert.equal(refs['refs/tags/v2.0^{}'] ?? refs['refs/tags/v2.0'], refs['refs/heads/main'], 'v2.0 tags the pushed commit');
    await inClone(DC, 'main', async (dir) => {
      assert.equal(await git(dir, 'rev-parse', 'HEAD'), refs['refs/heads/main']);
      assert.equal(await git(dir, 'rev-list', '--count', `${before}..HEAD`), '1', 'exactly one new commit');
      assert.equal(await git(dir, 'log', '-1', '--format=%s'), 'Over git');
      const changed = (await git(dir, 'diff', '--name-only', before, 'HEAD')).split('\n').sort();
      assert.deepEqual(changed, project, 'the commit holds exactly the project');
      const tree = (await git(dir, 'ls-tree', '-r', '--name-only', 'HEAD', '--', 'test-artifacts')).split('\n').sort();
      assert.deepEqual(tree, project);
    });
    await context.close();
  });

  it('deletes the file of a test case deleted here from the tree over git', async () => {
    const { context, page } = await openPage(env.browser);
    await connectAndOpenArtifacts(page, env.sandbox, DC);
    assert.match(await pushAndWait(await preview(page, { branch: 'main', message: 'Everything' })), /Pushed to `?main`?/);
    const [deleted, tip] = await inClone(DC, 'main', async (dir) => [
      await caseFile(dir, 'add-an-item-from-search-results'),
      await git(dir, 'rev-parse', 'HEAD'),
    ]);
    await closeDialog(page);
    await deleteTestCase(page, 'Add items', 'Add an item from search results');
    const dialog = await preview(page, { branch: 'main', message: 'Delete one' });
    await dialog.getByText(/, 1 to delete to main/).waitFor();
    assert.match(await route(dialog), /^Over git/);
    assert.match(await pushAndWait(dialog), /Pushed to `?main`?.*, 1 deleted/);
    await inClone(DC, 'main', async (dir) => {
      assert.equal(await git(dir, 'rev-list', '--count', `${tip}..HEAD`), '1', 'one commit');
      assert.equal(await git(dir, 'ls-files', '--', deleted), '', 'the file is gone from the tree');
      assert.ok(!manifestPaths(dir).includes(deleted), 'not in the manifest');
      const changes = (await git(dir, 'diff', '--name-status', tip, 'HEAD')).split('\n');
      assert.deepEqual(changes.filter((line) => line.startsWith('D')), [`D\t${deleted}`], 'deleted by the commit');
    });
    await context.close();
  });

  it('refuses a Quality Engineer on main before anything is sent, and pushes their new branch over git', async () => {
    const { context, page } = await openPage(env.browser);
    await connectAndOpenArtifacts(page, env.sandbox, DC);
    await signInAs(page, 'Eve Engineer (Quality Engineer)');
    const mark = await logMark(env.sandbox);
    await page.getByRole('button', { name: 'Push…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Push to Bitbucket' });
    await field(dialog, 'Branch').fill('main');
    await dialog.getByText('Quality Engineers cannot push to the main branch main.').waitFor();
    assert.ok(await dialog.getByRole('button', { name: 'Preview' }).isDisabled());
    const writes = (await logSince(env.sandbox, mark)).filter((line) => line.method !== 'GET');
    assert.deepEqual(writes, [], 'nothing was sent');

    const main = (await remoteRefs())['refs/heads/main'];
    await preview(page, { branch: 'feature/git-login', newBranch: true, message: 'Login tests over git' });
    assert.match(await route(dialog), /^Over git/);
    assert.match(await pushAndWait(dialog), /Pushed to `?feature\/git-login`?/);
    const refs = await remoteRefs();
    assert.equal(refs['refs/heads/main'], main, 'main did not move');
    await inClone(DC, 'feature/git-login', async (dir) => {
      assert.equal(await git(dir, 'rev-list', '--count', `${main}..HEAD`), '1', 'one commit on the new branch');
      assert.equal(await git(dir, 'log', '-1', '--format=%s'), 'Login tests over git');
    });
    await context.close();
  });

  it('falls back to the REST API, file by file, through a relay that passes /rest only, says why, and completes', async () => {
    const { context, page } = await openPage(env.browser);
    await connectAndOpenArtifacts(page, restOnly(), DC);
    const before = (await remoteRefs())['refs/heads/main'];
    const dialog = await preview(page, { branch: 'main', message: 'Through the REST API' });
    const text = await route(dialog);
    assert.match(text, /^Through Data Center's REST API, one commit per file/);
    assert.match(text, /git's address \(\/scm\) .*the relay may not pass \/scm/);
    assert.match(await pushAndWait(dialog), /Pushed to `?main`?/);
    await inClone(DC, 'main', async (dir) => {
      assert.ok(Number(await git(dir, 'rev-list', '--count', `${before}..HEAD`)) > 1, 'one commit per file');
      assert.equal(await git(dir, 'log', '-1', '--format=%s'), 'Through the REST API');
      for (const path of manifestPaths(dir)) assert.notEqual(await git(dir, 'ls-files', '--', path), '', path);
    });
    await context.close();
  });
});
