// Data Center pushes over git (/scm through the relay): one commit with every change, deletions included, and the
// version tag in the same update; checked with `git clone` and `git ls-remote`. Through a relay that passes /rest
// only, the push falls back to the REST API and the preview says why.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import {
  caseFile, closeDialog, deleteTestCase, exportedPaths, git, gitAccess, manifestPaths, preview, pushAndWait, run,
} from './push-helpers.mjs';
import {
  REPOSITORIES, connectAndOpenArtifacts, control, field, fillConnection, fillLeeConnection, logMark, logSince, openPage,
  signInAs, withRestOnlyRelay, withSandboxAndBrowser,
} from './support.mjs';

const env = withSandboxAndBrowser();
const { gitCredentials, gitOrigin, inClone } = gitAccess(env);

const DC = REPOSITORIES.dataCenter;

/** The refs of the Data Center repository, by name, as `git ls-remote` lists them (a tag's `^{}` is its commit). */
async function remoteRefs() {
  const { stdout } = await run('git', ['ls-remote', `${gitOrigin(DC)}/${DC.clone}`], gitCredentials(DC));
  return Object.fromEntries(stdout.trim().split('\n').map((line) => line.split('\t').reverse()));
}

/** Creates Checkout Web's connection with the Data Center project access token (PAT, Bearer), then opens its Test artifacts. */
async function connectWithProjectToken(page, sandbox) {
  await page.goto(`${sandbox.url}/projects/checkout-web/integrations/versioning/bitbucket`);
  await signInAs(page, 'Lee Lead (Quality Lead)');
  await fillLeeConnection(page, sandbox, { ...DC, token: 'BBDC-demo-project-qa', user: 'qa-bot' });
  await fillConnection(page, { pat: true });
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('heading', { name: 'Saved connection' }).waitFor();
  await page.goto(`${sandbox.url}/projects/checkout-web/artifacts`);
  await page.getByRole('heading', { level: 1, name: 'Test artifacts' }).waitFor();
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
    const mark = await logMark(env.sandbox);
    const dialog = await preview(page, { branch: 'main', message: 'Over git', version: 'v2.0' });
    assert.match(await route(dialog), /^Over git \(\/scm\): one commit with every change/);
    assert.match(await pushAndWait(dialog), /Pushed to `?main`?/);
    // The branch and the tag from git's advertisement, main's folders from one fetch of its trees (no history, no
    // file content), the push: nothing through the REST API.
    const sent = (await logSince(env.sandbox, mark))
      .filter((line) => line.method !== 'OPTIONS' && !line.path.startsWith('/_sandbox'))
      .map((line) => `${line.method} ${line.path.replace(/^\/scm\/qa\/regression-suite\.git/, '')}`);
    assert.deepEqual(sent, ['GET /info/refs', 'POST /git-upload-pack', 'POST /git-receive-pack']);

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

  it('refuses a push when a teammate pushed after the preview, says to pull first, and keeps their commit', async () => {
    const { context, page } = await openPage(env.browser);
    await connectAndOpenArtifacts(page, env.sandbox, DC);
    const dialog = await preview(page, { branch: 'main', message: 'Ours' });
    assert.match(await route(dialog), /^Over git/);
    const theirs = await inClone(DC, 'main', async (dir) => {
      writeFileSync(join(dir, 'NOTES.md'), 'A teammate was here.\n');
      await git(dir, 'add', 'NOTES.md');
      await git(dir, '-c', 'user.name=Quinn', '-c', 'user.email=quinn@example.com', 'commit', '-q', '-m', 'Theirs');
      await run('git', ['-C', dir, 'push', '-q', 'origin', 'main'], gitCredentials(DC));
      return git(dir, 'rev-parse', 'HEAD');
    });
    const text = await pushAndWait(dialog);
    assert.match(text, /The branch `?main`? changed in Bitbucket while this push was prepared or sent/);
    assert.match(text, /Nothing was overwritten: pull first, then push again\./);
    assert.equal((await remoteRefs())['refs/heads/main'], theirs, 'their commit stays the tip');
    await context.close();
  });

  it('pushes with a Data Center project access token (PAT) over git, which the REST API refuses to commit with', async () => {
    const { context, page } = await openPage(env.browser);
    await connectWithProjectToken(page, env.sandbox);
    const before = (await remoteRefs())['refs/heads/main'];
    const dialog = await preview(page, { branch: 'release/project-token', newBranch: true, message: 'With the project token' });
    assert.match(await route(dialog), /^Over git/);
    assert.match(await pushAndWait(dialog), /Pushed to `?release\/project-token`?/);
    await inClone(DC, 'release/project-token', async (dir) => {
      assert.equal(await git(dir, 'rev-list', '--count', `${before}..HEAD`), '1', 'one commit');
      assert.equal(await git(dir, 'log', '-1', '--format=%s'), 'With the project token');
    });
    await context.close();
  });

  it('refuses a project access token\'s push through a relay that passes /rest only, before anything is sent', async () => {
    const { context, page } = await openPage(env.browser);
    const sandbox = restOnly();
    await connectWithProjectToken(page, sandbox);
    const mark = await logMark(sandbox);
    const dialog = await preview(page, { branch: 'release/project-token', newBranch: true, message: 'Through /rest' });
    assert.match(await route(dialog), /^Through Data Center's REST API/);
    const alert = dialog.getByRole('alert').filter({ hasText: 'cannot go through the REST API with this token' });
    assert.match(await alert.textContent(), /project or repository access token.*relay that passes \/scm/);
    assert.ok(await dialog.getByRole('button', { name: 'Push', exact: true }).isDisabled());
    const writes = (await logSince(sandbox, mark)).filter((line) => line.method !== 'GET');
    assert.deepEqual(writes, [], 'nothing was sent');
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
