// Push: test artifacts reach a Bitbucket branch as commits, checked with `git clone` of the sandbox's
// repositories; roles, versions, conflicts and injected failures.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import {
  caseFile, closeDialog, deleteTestCase, editFirstKeyword, exportedPaths, git, gitAccess, manifestAt, manifestEntries,
  manifestPaths, preview, pushAndWait, renameTestCase, run, waitForSaved,
} from './push-helpers.mjs';
import {
  REPOSITORIES, connectAndOpenArtifacts as connect, control, field, logMark, logSince, openPage, pullMain,
  signInAs, treeItem, waitUntil, withRestOnlyRelay, withSandboxAndBrowser,
} from './support.mjs';

const env = withSandboxAndBrowser();
const { gitCredentials, gitOrigin, clone, inClone, countCommits } = gitAccess(env);

const { cloud: CLOUD, dataCenter: DC } = REPOSITORIES;

/** Creates the Checkout Web project's connection as Lee (Quality Lead), then opens its Test artifacts. */
function connectAndOpenArtifacts(page, repository) {
  return connect(page, env.sandbox, repository);
}

describe('push', () => {
  // Data Center through a relay that passes /rest only: its pushes take the REST route, one commit per file.
  const restOnly = withRestOnlyRelay(env);

  beforeEach(async () => {
    await control(env.sandbox, 'reset', 'POST');
  });

  for (const [product, repository] of [['Cloud', CLOUD], ['Data Center', DC]]) {
    it(`lets a Quality Lead push to the main branch with a version, and a second push makes no commit (${product})`, async () => {
      const { context, page } = await openPage(env.browser);
      await connectAndOpenArtifacts(page, repository);
      let dialog = await preview(page, { branch: 'main', message: 'First push of Checkout Web', version: 'v1.0' });
      await dialog.getByText(/ files? to write/).waitFor();
      const result = await pushAndWait(dialog);
      assert.match(result, /Pushed to main/);
      assert.ok(await dialog.getByRole('link', { name: /^Commit / }).count() >= 1);

      const dir = await clone(repository);
      try {
        const entries = manifestEntries(dir);
        assert.ok(entries.length > 30, 'every artifact is listed');
        for (const entry of entries) assert.ok(existsSync(join(dir, entry.path)), entry.path);
        assert.equal(await git(dir, 'log', '-1', '--format=%s'), 'First push of Checkout Web');
        assert.equal(await git(dir, 'tag', '--list', 'v1.0'), 'v1.0');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      const commits = await countCommits(repository);

      await dialog.getByRole('button', { name: 'Close' }).click();
      await page.getByText('No changes since the last push or pull.').waitFor();
      await page.getByRole('cell', { name: 'push' }).first().waitFor();
      dialog = await preview(page, { branch: 'main', message: 'Again' });
      await dialog.getByText(/Nothing to push/).waitFor();
      assert.equal(await dialog.getByRole('button', { name: 'Push', exact: true }).count(), 0);
      assert.equal(await countCommits(repository), commits, 'no commit was made');
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
    await dialog.getByText('Quality Engineers cannot push to the main branch main.').waitFor();
    assert.ok(await dialog.getByRole('button', { name: 'Preview' }).isDisabled());

    await preview(page, { branch: 'feature/login', newBranch: true, message: 'Login tests' });
    await dialog.getByText(/a new branch from main/).waitFor();
    assert.match(await pushAndWait(dialog), /Pushed to feature\/login/);
    await dialog.getByText('The branch feature/login was created.').waitFor();
    const dir = await clone(CLOUD, 'feature/login');
    try {
      assert.ok(existsSync(join(dir, 'test-artifacts', '.manifest.json')));
      assert.equal(await git(dir, 'log', '-1', '--format=%s'), 'Login tests');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(await inClone(CLOUD, 'main', (main) => git(main, 'ls-tree', '--name-only', 'HEAD', 'test-artifacts/.manifest.json')), '', 'main is untouched');
    await context.close();
  });

  it('stops when another client pushed in between, and nothing of theirs is lost', async () => {
    const { context, page } = await openPage(env.browser);
    await connectAndOpenArtifacts(page, CLOUD);
    const dialog = await preview(page, { branch: 'main', message: 'Mine' });
    await dialog.getByText(/ files? to write/).waitFor();
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

  it("keeps a teammate's change when pushing from an outdated copy, and stops on a test case both changed", async () => {
    // B pushes first; A pulls that, then B edits a test case and pushes again.
    const b = await openPage(env.browser);
    await connectAndOpenArtifacts(b.page, CLOUD);
    assert.match(await pushAndWait(await preview(b.page, { branch: 'main', message: 'Start' })), /Pushed to main/);
    await closeDialog(b.page);
    // A copy that never synced with main does not overwrite it: the preview says so, and Push waits for a choice.
    const c = await openPage(env.browser);
    await connectAndOpenArtifacts(c.page, CLOUD);
    await editFirstKeyword(c.page, 'Add items', 'Add an item from search results', 'Find');
    let dialog = await preview(c.page, { branch: 'main', message: 'Never synced' });
    await dialog.getByText(/This copy has never synced with the branch main, and 1 artifact file there differs from yours/).waitFor();
    await dialog.getByText('Add an item from search results', { exact: true }).waitFor();
    assert.ok(await dialog.getByRole('button', { name: 'Push', exact: true }).isDisabled());
    await c.context.close();
    const a = await openPage(env.browser);
    await connectAndOpenArtifacts(a.page, CLOUD);
    await pullMain(a.page);
    await editFirstKeyword(a.page, 'Add items', 'Add an item from search results', 'Search');
    await editFirstKeyword(b.page, 'Add items', 'Add one item from the product page', 'Visit');
    assert.match(await pushAndWait(await preview(b.page, { branch: 'main', message: 'From B' })), /Pushed to main/);
    await closeDialog(b.page);

    // A, last synced before B's push, pushes its own edit: B's test case is kept, and named in the preview.
    dialog = await preview(a.page, { branch: 'main', message: 'From A' });
    await dialog.getByText(/1 artifact file changed on the branch since your last sync: kept as the branch has them/).waitFor();
    await dialog.getByText('Add one item from the product page', { exact: true }).waitFor();
    await dialog.getByText(/^3 files to write/).waitFor();
    assert.match(await pushAndWait(dialog), /Pushed to main/);
    await closeDialog(a.page);
    await inClone(CLOUD, 'main', async (dir) => {
      const visit = JSON.parse(readFileSync(join(dir, await caseFile(dir, 'add-one-item-from-the-product-page')), 'utf8'));
      const search = JSON.parse(readFileSync(join(dir, await caseFile(dir, 'add-an-item-from-search-results')), 'utf8'));
      assert.equal(visit.steps[0].keyword, 'Visit', "B's edit is on the branch");
      assert.equal(search.steps[0].keyword, 'Search', "A's edit is on the branch");
    });

    // Both edit the same test case: A's push stops and names it until A chooses to overwrite.
    await editFirstKeyword(b.page, 'Add items', 'Add one item from the product page', 'Browse');
    assert.match(await pushAndWait(await preview(b.page, { branch: 'main', message: 'B again' })), /Pushed to main/);
    await editFirstKeyword(a.page, 'Add items', 'Add one item from the product page', 'Look');
    dialog = await preview(a.page, { branch: 'main', message: 'A again' });
    await dialog.getByText(/1 artifact file changed both here and on the branch main since your last sync/).waitFor();
    await dialog.getByText('changed here and on the branch', { exact: false }).waitFor();
    const push = dialog.getByRole('button', { name: 'Push', exact: true });
    assert.ok(await push.isDisabled(), 'a conflict stops the push until the user chooses');
    await dialog.getByLabel(/^Overwrite the branch's versions/).check();
    assert.match(await pushAndWait(dialog), /Pushed to main/);
    await inClone(CLOUD, 'main', async (dir) => {
      const file = JSON.parse(readFileSync(join(dir, await caseFile(dir, 'add-one-item-from-the-product-page')), 'utf8'));
      assert.equal(file.steps[0].keyword, 'Look', 'overwritten by an explicit choice');
    });
    await a.context.close();
    await b.context.close();
  });

  it('refuses to push a project onto a branch that holds another project\'s artifacts, and sends nothing', async () => {
    const { context, page } = await openPage(env.browser);
    await connectAndOpenArtifacts(page, CLOUD);
    assert.match(await pushAndWait(await preview(page, { branch: 'main', message: 'Checkout Web' })), /Pushed to main/);
    const tip = await inClone(CLOUD, 'main', (dir) => git(dir, 'rev-parse', 'HEAD'));
    await connect(page, env.sandbox, CLOUD, 'partner-api');
    const mark = await logMark(env.sandbox);
    const dialog = await preview(page, { branch: 'main', message: 'Partner API' });
    const error = dialog.locator('.banner.error');
    await error.waitFor();
    assert.match(await error.textContent(),
      /The branch `?main`? holds the artifacts of another project \(id [^)]+\)\. Nothing was pushed: push to a new branch, or pull that branch as a project of its own\./);
    assert.equal(await dialog.getByRole('button', { name: 'Push', exact: true }).count(), 0, 'nothing to press');
    // Reads and their preflights only.
    const writes = (await logSince(env.sandbox, mark)).filter((line) => !['GET', 'OPTIONS'].includes(line.method));
    assert.deepEqual(writes, [], 'nothing was sent');
    assert.equal(await inClone(CLOUD, 'main', (dir) => git(dir, 'rev-parse', 'HEAD')), tip, 'main did not move');
    await context.close();
  });

  it('asks before the page is left while a push writes, and the push goes on when the user stays', async () => {
    const { context, page } = await openPage(env.browser);
    await connectAndOpenArtifacts(page, CLOUD);
    const dialog = await preview(page, { branch: 'main', message: 'Slow push' });
    await dialog.getByText(/ files? to write/).waitFor();
    await control(env.sandbox, 'faults', 'PUT', { latency_ms: 1500 });
    await dialog.getByRole('button', { name: 'Push', exact: true }).click();
    await dialog.getByRole('progressbar', { name: 'Push progress' }).waitFor();
    const asked = page.waitForEvent('dialog');
    await page.close({ runBeforeUnload: true });
    const question = await asked;
    assert.equal(question.type(), 'beforeunload');
    await question.dismiss();
    await control(env.sandbox, 'faults', 'PUT', { latency_ms: 0 });
    await dialog.locator('.banner.success').waitFor();
    assert.match(await dialog.locator('.banner.success').textContent(), /Pushed to main/);
    await context.close();
  });

  it('leaves the branch as its old or its new version at every commit when the page is reloaded in the middle of a chain (Cloud)', async () => {
    const { context, page } = await openPage(env.browser);
    await connectAndOpenArtifacts(page, CLOUD);
    assert.match(await pushAndWait(await preview(page, { branch: 'main', message: 'Start' })), /Pushed to main/);
    await closeDialog(page);
    const start = await inClone(CLOUD, 'main', (dir) => git(dir, 'rev-parse', 'HEAD'));
    // One file per commit, so that the next push is a chain.
    await page.goto(`${env.sandbox.url}/projects/checkout-web/integrations/versioning/bitbucket`);
    await signInAs(page, 'Quinn Manager (Quality Manager)');
    const panel = page.getByRole('form', { name: 'SCM parameters' });
    await panel.getByLabel(/^Files per commit/).fill('1');
    await panel.getByRole('button', { name: 'Save parameters' }).click();
    await panel.getByText('SCM parameters saved.').waitFor();
    await page.goto(`${env.sandbox.url}/projects/checkout-web/artifacts`);
    await page.getByRole('heading', { level: 1, name: 'Test artifacts' }).waitFor();
    // New paths (a renamed test case, a new suite) and files the branch lists (an edited test case, project.json).
    await renameTestCase(page, 'Add items', 'Add an item from search results', 'Find an item by searching');
    await editFirstKeyword(page, 'Add items', 'Add one item from the product page', 'Visit');
    await page.getByLabel('Name of the new test suite').fill('Returns');
    await page.getByRole('button', { name: 'Add test suite' }).click();
    await waitForSaved(page);

    const dialog = await preview(page, { branch: 'main', message: 'Chain' });
    await dialog.getByText(/ files? to write/).waitFor();
    const before = await logMark(env.sandbox);
    const committed = async () => (await logSince(env.sandbox, before))
      .some((l) => l.method === 'POST' && l.path.endsWith('/src') && l.status === 201);
    await control(env.sandbox, 'faults', 'PUT', { latency_ms: 700 });
    await dialog.getByRole('button', { name: 'Push', exact: true }).click();
    // Reload once the first commit of the chain has landed (the page asks first: leave).
    await waitUntil(committed);
    page.once('dialog', (question) => question.accept());
    await page.reload();
    await control(env.sandbox, 'faults', 'PUT', { latency_ms: 0 });

    /** Checks that each commit after `start` publishes a manifest whose files all hold what it names. */
    const consistent = (dir) => async () => {
      const commits = (await git(dir, 'rev-list', '--reverse', `${start}..HEAD`)).split('\n').filter(Boolean);
      const manifests = new Set();
      for (const commit of commits) {
        const manifest = await manifestAt(dir, commit);
        manifests.add(manifest.root);
        for (const entry of manifest.files) {
          const bytes = (await run('git', ['-C', dir, 'show', `${commit}:${entry.path}`], { encoding: 'buffer' })).stdout;
          assert.equal(createHash('sha256').update(bytes).digest('hex'), entry.sha256, `${entry.path} at ${commit}`);
        }
      }
      return { commits, manifests };
    };
    const cut = await inClone(CLOUD, 'main', (dir) => consistent(dir)());
    assert.ok(cut.commits.length >= 1 && cut.commits.length <= 2, `a cut chain: ${cut.commits.length} commit(s)`);
    assert.equal(cut.manifests.size, 1, 'every commit of the cut chain still publishes the old version');

    // Pushed again, the chain completes, and still no commit publishes a damaged branch.
    await page.getByRole('heading', { level: 1, name: 'Test artifacts' }).waitFor();
    assert.match(await pushAndWait(await preview(page, { branch: 'main', message: 'Chain again' })), /Pushed to main/);
    await inClone(CLOUD, 'main', async (dir) => {
      const { manifests } = await consistent(dir)();
      assert.equal(manifests.size, 2, 'the old version, then the new one');
      const visit = JSON.parse(readFileSync(join(dir, await caseFile(dir, 'add-one-item-from-the-product-page')), 'utf8'));
      assert.equal(visit.steps[0].keyword, 'Visit');
      await caseFile(dir, 'find-an-item-by-searching');
    });
    await context.close();
  });

  it('checks the roles held when Push is pressed: a user demoted to Quality Engineer after the preview pushes nothing to main', async () => {
    const { context, page } = await openPage(env.browser);
    await connectAndOpenArtifacts(page, CLOUD);
    const dialog = await preview(page, { branch: 'main', message: 'Planned by a lead' });
    await dialog.getByText(/ files? to write/).waitFor();
    await signInAs(page, 'Eve Engineer (Quality Engineer)');
    await dialog.getByRole('button', { name: 'Push', exact: true }).click();
    await dialog.getByRole('alert').getByText(/Your roles changed since the preview\. Nothing was pushed/).waitFor();
    assert.equal(await inClone(CLOUD, 'main', (dir) => git(dir, 'ls-tree', '--name-only', 'HEAD', 'test-artifacts/.manifest.json')), '', 'nothing was pushed');
    await context.close();
  });

  it('completes through injected 429 and 503 answers (Data Center, whose limiter asks to wait seconds)', async () => {
    const { context, page } = await openPage(env.browser);
    await connectAndOpenArtifacts(page, DC);
    await control(env.sandbox, 'faults', 'PUT', { fail_next: [429, 503, 503] });
    const dialog = await preview(page, { branch: 'main', message: 'Through the storm' });
    assert.match(await pushAndWait(dialog), /Pushed to main/);
    const dir = await clone(DC);
    try {
      assert.equal(await git(dir, 'log', '-1', '--format=%s'), 'Through the storm');
      // No write made twice: the branch holds exactly what its manifest names.
      for (const entry of manifestEntries(dir)) {
        assert.equal(createHash('sha256').update(readFileSync(join(dir, entry.path))).digest('hex'), entry.sha256, entry.path);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await context.close();
  });

  it('stops at once at Cloud\'s hourly request limit (a 429 without Retry-After) and says why, without asking again', async () => {
    const { context, page } = await openPage(env.browser);
    await connectAndOpenArtifacts(page, CLOUD);
    const before = await logMark(env.sandbox);
    await control(env.sandbox, 'faults', 'PUT', { fail_next: [429] });
    const dialog = await preview(page, { branch: 'main', message: 'Over the limit' });
    const alert = dialog.getByRole('alert').filter({ hasText: 'hourly request limit for this account is used up' });
    await alert.waitFor();
    assert.match(await alert.textContent(), /Try again later: requests count for an hour after they were sent/);
    const sent = (await logSince(env.sandbox, before)).filter((line) => line.path.startsWith('/2.0/'));
    assert.deepEqual(sent.map((line) => line.status).slice(sent.findIndex((line) => line.status === 429)), [429], 'not asked again');
    await context.close();
  });

  it('makes one small commit for one edited test case: the test case file, the manifest\'s root and the part listing it', async () => {
    const { context, page } = await openPage(env.browser);
    await connectAndOpenArtifacts(page, CLOUD);
    assert.match(await pushAndWait(await preview(page, { branch: 'main', message: 'Everything' })), /Pushed to main/);
    await closeDialog(page);
    await editFirstKeyword(page, 'Add items', 'Add one item from the product page', 'Open');
    await page.getByText('1 artifact changed since the last push or pull.').waitFor();
    const dialog = await preview(page, { branch: 'main', message: 'One step' });
    await dialog.getByText(/^3 files to write .* to main\.$/).waitFor();
    assert.match(await pushAndWait(dialog), /Pushed to main: 3 files written in 1 commit\./);
    await inClone(CLOUD, 'main', async (dir) => {
      assert.equal(await git(dir, 'log', '-1', '--format=%s'), 'One step');
      const changed = (await git(dir, 'show', '--name-only', '--no-renames', '--format=', 'HEAD')).split('\n').sort();
      const edited = await caseFile(dir, 'add-one-item-from-the-product-page');
      // The new part is written and the one it replaces deleted, in the same commit.
      const parts = changed.filter((path) => /^test-artifacts\/\.manifest\/[0-9a-f]{32}\.json$/.test(path));
      assert.equal(parts.length, 2, changed.join(', '));
      assert.deepEqual(changed.filter((path) => !parts.includes(path)), [edited, 'test-artifacts/.manifest.json'].sort());
      assert.equal(JSON.parse(readFileSync(join(dir, edited), 'utf8')).steps[0].keyword, 'Open');
    });
    // The explorer keeps what was open: the groups expanded and the test case shown.
    await closeDialog(page);
    await page.getByText('No changes since the last push or pull.').waitFor();
    for (const group of ['Cart', 'Add items']) {
      assert.equal(await treeItem(page, group).getAttribute('aria-expanded'), 'true', group);
    }
    await page.getByRole('heading', { level: 2, name: /^Add one item from the product page/ }).waitFor();
    await context.close();
  });

  for (const [product, repository, sandbox] of [
    ['Cloud', CLOUD, () => env.sandbox],
    ['Data Center, the REST route through a relay without /scm', DC, restOnly],
  ]) {
    it(`pushes a rename and a deletion of test cases (${product})`, async () => {
      const { context, page } = await openPage(env.browser);
      await connect(page, sandbox(), repository);
      assert.match(await pushAndWait(await preview(page, { branch: 'main', message: 'Everything' })), /Pushed to main/);
      const [renamedFrom, deleted] = await inClone(repository, 'main', async (dir) => [
        await caseFile(dir, 'add-one-item-from-the-product-page'),
        await caseFile(dir, 'add-an-item-from-search-results'),
      ]);
      await closeDialog(page);
      await renameTestCase(page, 'Add items', 'Add one item from the product page', 'Add the espresso machine');
      await deleteTestCase(page, 'Add items', 'Add an item from search results');
      const dialog = await preview(page, { branch: 'main', message: 'Rename and delete' });
      await dialog.getByText(product === 'Cloud' ? /, 2 to delete to main/ : /, 2 to drop from the manifest \(Data Center cannot delete files/).waitFor();
      const result = await pushAndWait(dialog);
      assert.match(result, /Pushed to main/);
      if (product === 'Cloud') assert.match(result, /, 2 deleted/);
      else assert.match(result, /, 2 dropped from the manifest \(kept in git\)/);
      await inClone(repository, 'main', async (dir) => {
        const renamed = await caseFile(dir, 'add-the-espresso-machine');
        assert.equal(renamed.split('--').pop(), renamedFrom.split('--').pop(), 'same test case id');
        const listed = manifestPaths(dir);
        assert.ok(listed.includes(renamed));
        assert.ok(!listed.includes(renamedFrom) && !listed.includes(deleted), 'not in the manifest');
        for (const path of listed) assert.ok(existsSync(join(dir, path)), path);
        const kept = repository === DC;
        assert.equal(existsSync(join(dir, renamedFrom)), kept, renamedFrom);
        assert.equal(existsSync(join(dir, deleted)), kept, deleted);
      });
      await context.close();
    });
  }

  it('makes no duplicate commit when the connection drops after the commit landed', async () => {
    const { context, page } = await openPage(env.browser);
    await connectAndOpenArtifacts(page, CLOUD);
    const dialog = await preview(page, { branch: 'main', message: 'Dropped answer' });
    await dialog.getByText(/ files? to write/).waitFor();
    await control(env.sandbox, 'faults', 'PUT', { drop_next: 1 });
    assert.match(await pushAndWait(dialog), /Pushed to main: .* in 1 commit\./);
    await inClone(CLOUD, 'main', async (dir) => {
      const subjects = (await git(dir, 'log', '--format=%s')).split('\n');
      assert.equal(subjects.filter((s) => s === 'Dropped answer').length, 1);
      assert.equal(subjects[0], 'Dropped answer');
    });
    await context.close();
  });

  it('reports a push cancelled after its commit landed as published (Cloud)', async () => {
    const { context, page } = await openPage(env.browser);
    await connectAndOpenArtifacts(page, CLOUD);
    const dialog = await preview(page, { branch: 'main', message: 'Landed before Cancel' });
    await dialog.getByText(/ files? to write/).waitFor();
    const before = await logMark(env.sandbox);
    const committed = async () => (await logSince(env.sandbox, before))
      .some((l) => l.method === 'POST' && l.path.endsWith('/src') && l.status === 201);
    // The commit's answer is held back after Bitbucket made the commit: Cancel comes while it is in flight.
    await control(env.sandbox, 'faults', 'PUT', { slow_body_ms: 120000 });
    await dialog.getByRole('button', { name: 'Push', exact: true }).click();
    await waitUntil(committed);
    await control(env.sandbox, 'faults', 'PUT', { slow_body_ms: 0 });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.locator('.banner.success').waitFor();
    assert.match(await dialog.locator('.banner.success').textContent(), /Pushed to main: .* in 1 commit\./);
    await inClone(CLOUD, 'main', async (dir) => {
      const subjects = (await git(dir, 'log', '--format=%s')).split('\n');
      assert.equal(subjects[0], 'Landed before Cancel');
      assert.equal(subjects.filter((s) => s === 'Landed before Cancel').length, 1);
    });
    // Recorded as the branch's new base: nothing is left to push.
    await closeDialog(page);
    await page.getByText('No changes since the last push or pull.').waitFor();
    await context.close();
  });

  it('refuses a read-only token before sending anything, explains a restricted branch, and nothing lands', async () => {
    const commits = await countCommits(CLOUD);
    const reader = { ...CLOUD, token: 'ATATT-demo-rory-cloud', user: 'rory@example.com' };
    let { context, page } = await openPage(env.browser);
    await connectAndOpenArtifacts(page, reader);
    await page.getByRole('button', { name: 'Push…' }).click();
    let dialog = page.getByRole('dialog', { name: 'Push to Bitbucket' });
    await dialog.getByText(/^Push is not available with this connection: .*read/).waitFor();
    assert.ok(await dialog.getByRole('button', { name: 'Preview' }).isDisabled());
    await context.close();

    const engineer = { ...CLOUD, token: 'ATATT-demo-eve-cloud', user: 'eve@example.com' };
    ({ context, page } = await openPage(env.browser));
    await connectAndOpenArtifacts(page, engineer);
    dialog = await preview(page, { branch: 'main', message: 'Restricted' });
    await dialog.getByText(/ files? to write/).waitFor();
    await dialog.getByRole('button', { name: 'Push', exact: true }).click();
    await dialog.locator('.banner.error').getByText(/^Bitbucket refused: .*push to branch "main".* push branch restriction/).waitFor();
    await context.close();

    assert.equal(await countCommits(CLOUD), commits, 'no commit on main');
    const { stdout } = await run('git', ['ls-remote', '--heads', `${env.sandbox.apiOrigin}/${CLOUD.clone}`], gitCredentials(CLOUD));
    assert.doesNotMatch(stdout, /feature\/rory/, 'no branch was created');
  });

  /**
   * Starts a first Data Center push to main through the REST route (a relay without /scm), `interrupt`s it once some of its per-file commits landed, and checks with
   * `git` that the branch does not publish the new version (its manifest is written last); the next preview counts
   * only the files still to write, and that push completes with a manifest listing exactly the local project.
   */
  async function interruptedDataCenterPush(interrupt) {
    const { context, page } = await openPage(env.browser, { acceptDownloads: true });
    await connect(page, restOnly(), DC);
    const exported = await exportedPaths(page);
    const local = exported.filter((p) => !p.startsWith('test-artifacts/.manifest')).sort();
    // The manifest's root and parts, written after the files.
    const manifestFiles = exported.length - local.length;
    const initial = await countCommits(DC);
    let dialog = await preview(page, { branch: 'main', message: 'Interrupted' });
    await dialog.getByText(/ files? to write/).waitFor();
    await control(env.sandbox, 'faults', 'PUT', { latency_ms: 300 });
    await dialog.getByRole('button', { name: 'Push', exact: true }).click();
    await dialog.getByText(/[1-9]\d* of \d+ commits?;/).waitFor();
    await interrupt(page, dialog);
    await control(env.sandbox, 'faults', 'PUT', { latency_ms: 0 });
    const [commits, published] = await inClone(DC, 'main', async (dir) => [
      Number(await git(dir, 'rev-list', '--count', 'HEAD')),
      existsSync(join(dir, 'test-artifacts', '.manifest.json')),
    ]);
    assert.ok(commits > 1, 'some commits landed before the push was interrupted');
    assert.equal(published, false, 'the manifest is written last, so the interrupted push is not published');

    // The files the interrupted push wrote count as written: the preview counts only the rest and the manifest.
    const landed = commits - initial;
    dialog = await preview(page, { branch: 'main', message: 'Finished' });
    await dialog.getByText(new RegExp(`^${local.length + manifestFiles - landed} files? to write`)).waitFor();
    assert.match(await pushAndWait(dialog), /Pushed to main/);
    await inClone(DC, 'main', async (dir) => {
      const listed = manifestPaths(dir).sort();
      for (const path of listed) assert.ok(existsSync(join(dir, path)), path);
      assert.deepEqual(listed, local, 'the manifest lists exactly the local project');
      assert.equal(await git(dir, 'log', '-1', '--format=%s'), 'Finished');
    });
    await context.close();
  }

  it('completes and is correct when pushed again after a cancelled push (Data Center, the REST route)', async () => {
    await interruptedDataCenterPush(async (page, dialog) => {
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.getByRole('alert').getByText(/The push was cancelled/).waitFor();
    });
  });

  it('completes and is correct when pushed again after the page was reloaded during a push (Data Center, the REST route)', async () => {
    await interruptedDataCenterPush(async (page) => {
      page.once('dialog', (question) => question.accept());
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Test artifacts' }).waitFor();
    });
  });

  it('lists each push in the History table with its branch and version', async () => {
    const { context, page } = await openPage(env.browser);
    await connectAndOpenArtifacts(page, CLOUD);
    await page.getByText('No push or pull yet.').waitFor();
    assert.match(await pushAndWait(await preview(page, { branch: 'main', message: 'First', version: 'v1.0' })), /Pushed/);
    await closeDialog(page);
    await editFirstKeyword(page, 'Add items', 'Add one item from the product page', 'Open');
    assert.match(await pushAndWait(await preview(page, { branch: 'feature/history', newBranch: true, message: 'Second' })), /Pushed/);
    await closeDialog(page);
    const rows = page.getByRole('region', { name: 'History' }).locator('tbody tr');
    await rows.nth(1).waitFor();
    assert.equal(await rows.count(), 2);
    const cells = async (row) => (await rows.nth(row).getByRole('cell').allTextContents()).map((t) => t.trim());
    const [newest, oldest] = [await cells(0), await cells(1)];
    const tips = await Promise.all([
      inClone(CLOUD, 'feature/history', (dir) => git(dir, 'rev-parse', 'HEAD')),
      inClone(CLOUD, 'main', (dir) => git(dir, 'rev-parse', 'HEAD')),
    ]);
    // When, Who, What, Branch, Commit, Version, Files
    assert.deepEqual(newest.slice(1, 6), ['Lee Lead', 'push', 'feature/history', tips[0].slice(0, 12), '—']);
    assert.deepEqual(oldest.slice(1, 6), ['Lee Lead', 'push', 'main', tips[1].slice(0, 12), 'v1.0']);
    assert.match(newest[6], /^3 written, 0 removed$/);
    await context.close();
  });

  it('lets a Quality Manager change the SCM parameters, which the next push follows, and shows them read-only to others', async () => {
    const { context, page } = await openPage(env.browser);
    await connectAndOpenArtifacts(page, CLOUD);
    await page.goto(`${env.sandbox.url}/projects/checkout-web/integrations/versioning/bitbucket`);
    const panel = page.getByRole('form', { name: 'SCM parameters' });
    await panel.getByText('Only Admins and Quality Managers can change the SCM parameters.').waitFor();
    assert.ok(await panel.getByLabel(/^Files per commit/).isDisabled());

    await signInAs(page, 'Quinn Manager (Quality Manager)');
    const files = panel.getByLabel(/^Files per commit/);
    assert.equal(await files.inputValue(), '500');
    await files.fill('0');
    await panel.getByText('Files per commit: enter a whole number from 1 to 10000.').waitFor();
    await files.fill('10');
    await panel.getByRole('button', { name: 'Save parameters' }).click();
    await panel.getByText('SCM parameters saved.').waitFor();
    await page.reload();
    assert.equal(await page.getByRole('form', { name: 'SCM parameters' }).getByLabel(/^Files per commit/).inputValue(), '10');

    await page.goto(`${env.sandbox.url}/projects/checkout-web/artifacts`);
    await page.getByRole('heading', { level: 1, name: 'Test artifacts' }).waitFor();
    const dialog = await preview(page, { branch: 'main', message: 'In parts' });
    assert.match(await pushAndWait(dialog), /in 5 commits/);
    await inClone(CLOUD, 'main', async (dir) => {
      assert.match(await git(dir, 'log', '-1', '--format=%s'), /^In parts \(part 5 of 5\)$/);
    });
    await context.close();
  });

  it('tags a version and creates a new branch with nothing to write through the same-origin relay (Data Center, the REST route)', async () => {
    // The portal serves the app and passes /bitbucket/rest/ (not /scm/) to Data Center: the page calls its own origin
    // only, and the tag and the branch are made with the REST API's POSTs, which Data Center's XSRF rule checks.
    const { relay } = restOnly();
    const portal = { ...env.sandbox, url: relay.sameOrigin, relay: { ...relay, api: `${relay.sameOrigin}/bitbucket/rest` } };
    const { context, page } = await openPage(env.browser);
    await connect(page, portal, DC);
    // The requests of this test only: the log holds the earlier tests' too.
    const before = await logMark(env.sandbox);
    assert.match(await pushAndWait(await preview(page, { branch: 'main', message: 'First', version: 'v1.0' })), /Pushed to `?main`?/);
    await closeDialog(page);
    const dialog = await preview(page, { branch: 'release/empty', newBranch: true, message: 'Nothing new', version: 'v1.1' });
    await dialog.getByText(/The new branch is created without a commit/).waitFor();
    assert.match(await pushAndWait(dialog), /`?release\/empty`?/);
    const { stdout } = await run('git', ['ls-remote', `${gitOrigin(DC)}/${DC.clone}`], gitCredentials(DC));
    const refs = Object.fromEntries(stdout.trim().split('\n').map((line) => line.split('\t').reverse()));
    assert.equal(refs['refs/heads/release/empty'], refs['refs/heads/main'], 'the new branch is at main');
    const tagged = (name) => refs[`refs/tags/${name}^{}`] ?? refs[`refs/tags/${name}`];
    assert.equal(tagged('v1.0'), refs['refs/heads/main'], 'v1.0 tags the pushed commit');
    assert.equal(tagged('v1.1'), refs['refs/heads/main'], 'v1.1 tags the new branch');
    const posts = (await logSince(env.sandbox, before)).filter((line) => line.method === 'POST');
    assert.ok(posts.some((line) => line.path.endsWith('/branch-utils/latest/projects/QA/repos/regression-suite/branches') && line.status === 201));
    assert.equal(posts.filter((line) => line.path.endsWith('/regression-suite/tags') && line.status === 200).length, 2);
    assert.deepEqual(page.requestUrls.filter((url) => !url.startsWith(relay.sameOrigin)), [], 'the page calls its own origin only');
    await context.close();
  });
});
