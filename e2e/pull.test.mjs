// Pull and restore: changes pushed from another browser come back, conflicts are settled as chosen,
// a cancelled pull changes nothing, and an older version is restored exactly.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { beforeEach, describe, it } from 'node:test';
import {
  REPOSITORIES, cloudManifest, connectAndOpenArtifacts, control, editFirstStep, exportProject, firstKeyword,
  flatManifest, openPage, previewPull, pullMain, push, withSandboxAndBrowser,
} from './support.mjs';

const env = withSandboxAndBrowser();

const { cloud: CLOUD, dataCenter: DC } = REPOSITORIES;

/** A new browser session, connected as Lee (Quality Lead), on the Test artifacts of Checkout Web. */
async function session(repository = CLOUD) {
  const { context, page } = await openPage(env.browser);
  await connectAndOpenArtifacts(page, env.sandbox, repository);
  return { context, page };
}

/**
 * Two sessions: A pushes the project, then B pulls it, changes the first step of the sample test case to "Visit"
 * and pushes; A has not pulled yet.
 */
async function changedByAnotherBrowser(repository = CLOUD) {
  const a = await session(repository);
  await push(a.page, 'From A');
  const b = await session(repository);
  await pullMain(b.page);
  await editFirstStep(b.page, 'Visit');
  await push(b.page, 'From B');
  return { a, b };
}

/** Previews a pull of main in `page` and waits for exactly one incoming change and no conflict. */
async function previewOneIncomingChange(page) {
  const dialog = await previewPull(page);
  await dialog.getByText(/1 incoming change, 0 conflicts/).waitFor();
  return dialog;
}

/** Opens the Test artifacts of Checkout Web in `page`. */
async function openArtifacts(page) {
  await page.goto(`${env.sandbox.url}/projects/checkout-web/artifacts`);
  await page.getByRole('heading', { level: 1, name: 'Test artifacts' }).waitFor();
}

const API = () => `${env.sandbox.apiOrigin}/2.0/repositories/acme/checkout-tests`;
const AUTH = { Authorization: `Basic ${Buffer.from('ada@example.com:ATATT-demo-ada-cloud').toString('base64')}` };

/** The tip of Cloud's main branch and the manifest in it, read as another tool would. */
async function remoteManifest() {
  const { tip, ...manifest } = await cloudManifest(env.sandbox);
  return { tip, manifest };
}

/** Commits `files` (path → text) on Cloud's main branch as a hand edit would. */
async function commitByHand(files) {
  const form = new FormData();
  form.append('message', 'Hand edit');
  form.append('branch', 'main');
  for (const [path, text] of Object.entries(files)) {
    form.append(path, new Blob([text]), path.split('/').pop());
  }
  assert.equal((await fetch(`${API()}/src`, { method: 'POST', headers: AUTH, body: form })).status, 201);
}

/**
 * Commits on Cloud's main branch as another tool would: each of `links` (path → target) uploaded as a symbolic
 * link (`x-attributes="link"`, which a browser's FormData cannot send), each of `removed` deleted.
 */
async function commitLinksByHand(links, removed) {
  const boundary = 'hand-edit-boundary';
  const part = (name, value, extra = '') =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${extra}\r\n\r\n${value}\r\n`;
  const body = [
    part('message', 'Links by hand'),
    part('branch', 'main'),
    ...removed.map((path) => part('files', path)),
    ...Object.entries(links).map(([path, target]) =>
      part(path, target, `; filename="${path.split('/').pop()}"; x-attributes="link"`)),
  ].join('') + `--${boundary}--\r\n`;
  const response = await fetch(`${API()}/src`, {
    method: 'POST', headers: { ...AUTH, 'Content-Type': `multipart/form-data; boundary=${boundary}` }, body,
  });
  assert.equal(response.status, 201);
}

/** The SHA-256 of `text` in hex. */
function sha256(text) {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Runs in the page: from now on, a transaction that writes to the store of projects never commits (its commit is
 * ignored and a chain of reads keeps it open) and `window.projectWriteHeld` says so; closing the tab then aborts it,
 * as when a user closes a tab while the browser is still writing.
 */
function holdProjectWrites() {
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function heldPut(...args) {
    const request = put.apply(this, args);
    if (this.name === 'projects') {
      this.transaction.commit = () => {};
      const keepOpen = () => { this.count().onsuccess = keepOpen; };
      keepOpen();
      window.projectWriteHeld = true;
    }
    return request;
  };
}

/** Runs in the page: deletes a project from this browser's store, as if it had never been here. */
async function forgetProject(id) {
  const database = await new Promise((resolve, reject) => {
    const request = indexedDB.open('bitbucket-versioning');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  await new Promise((resolve, reject) => {
    const transaction = database.transaction(['projects', 'project-summaries'], 'readwrite');
    transaction.objectStore('projects').delete(id);
    transaction.objectStore('project-summaries').delete(id);
    transaction.oncomplete = resolve;
    transaction.onerror = () => reject(transaction.error);
  });
  database.close();
}

describe('pull', () => {
  beforeEach(async () => {
    await control(env.sandbox, 'reset', 'POST');
  });

  for (const [product, repository] of [['Cloud', CLOUD], ['Data Center', DC]]) {
    it(`brings in exactly the changes another browser pushed (${product})`, async () => {
      const { a, b } = await changedByAnotherBrowser(repository);

      const dialog = await previewOneIncomingChange(a.page);
      await dialog.getByRole('cell', { name: 'changed in the repository' }).waitFor();
      await dialog.getByRole('button', { name: 'Apply' }).click();
      await dialog.getByText(/Applied: 0 added, 1 changed/).waitFor();
      await dialog.getByRole('button', { name: 'Close' }).click();
      assert.equal(await firstKeyword(a.page), 'Visit');
      await a.page.getByText('No changes since the last push or pull.').waitFor();
      await a.page.getByRole('cell', { name: 'pull' }).waitFor();
      await a.context.close();
      await b.context.close();
    });
  }

  it('says the changes since the last sync were not checked when Cloud cannot list them (555), and still pulls', async () => {
    const { a, b } = await changedByAnotherBrowser();
    await control(env.sandbox, 'faults', 'PUT', { fail_next: [555], fail_next_path: '/diffstat/' });

    const dialog = await previewOneIncomingChange(a.page);
    await dialog.getByText(
      'The files changed since the last sync were not checked (Bitbucket took too long to list them)',
    ).waitFor();
    // Earlier pulls asked for diffstats too: this preview's are those from the 555 on, and it did not ask again.
    const asked = (await control(env.sandbox, 'log?limit=1000'))
      .filter((l) => l.method === 'GET' && l.path.includes('/diffstat/'));
    assert.deepEqual(asked.slice(asked.findIndex((l) => l.status === 555)).map((l) => l.status), [555],
      'not asked again after the time limit');
    assert.deepEqual(asked.filter((l) => /(^|&)merge=/.test(l.query)), [], 'Cloud removed `merge`');
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.getByText(/Applied: 0 added, 1 changed/).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    assert.equal(await firstKeyword(a.page), 'Visit');
    await a.context.close();
    await b.context.close();
  });

  it('refuses to apply over a change another tab made since the preview, and changes nothing', async () => {
    const { a, b } = await changedByAnotherBrowser();

    const dialog = await previewOneIncomingChange(a.page);
    // Meanwhile a second tab of the same browser edits the test case the preview would take from the repository.
    const tab = await a.context.newPage();
    await openArtifacts(tab);
    await editFirstStep(tab, 'Browse');

    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.getByText('Nothing was changed. This project was changed in another tab').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await a.page.reload();
    assert.equal(await firstKeyword(a.page), 'Browse', "the other tab's edit is kept");
    await a.page.getByText('1 artifact changed since the last push or pull.').waitFor();
    await a.context.close();
    await b.context.close();
  });

  it('leaves the project as it was when the tab is closed in the middle of an Apply', async () => {
    const { a, b } = await changedByAnotherBrowser();

    const dialog = await previewOneIncomingChange(a.page);
    await a.page.evaluate(holdProjectWrites);
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await a.page.waitForFunction(() => window.projectWriteHeld === true);
    await a.page.close();

    const page = await a.context.newPage();
    await openArtifacts(page);
    assert.equal(await firstKeyword(page), 'Navigate', 'the test case is as before the Apply');
    await page.getByText('No changes since the last push or pull.').waitFor();
    assert.equal(await page.getByRole('cell', { name: 'pull' }).count(), 0, 'no History row of the pull');
    await a.context.close();
    await b.context.close();
  });

  it('shows a conflict when both sides changed a test case, and each resolution does what it says', async () => {
    const { a, b } = await changedByAnotherBrowser();
    await editFirstStep(a.page, 'Browse');

    let dialog = await previewPull(a.page);
    await dialog.getByText(/, 1 conflict,/).waitFor();
    const apply = dialog.getByRole('button', { name: 'Apply' });
    assert.ok(await apply.isDisabled(), 'a conflict must be settled first');
    await dialog.getByLabel('Take theirs').check();
    await apply.click();
    await dialog.getByText(/1 took theirs/).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    assert.equal(await firstKeyword(a.page), 'Visit');

    await editFirstStep(b.page, 'Go to');
    await push(b.page, 'From B again');
    await editFirstStep(a.page, 'Browse');
    dialog = await previewPull(a.page);
    await dialog.getByText(/, 1 conflict,/).waitFor();
    await dialog.getByLabel('Keep mine').check();
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.getByText(/1 kept mine/).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    assert.equal(await firstKeyword(a.page), 'Browse');
    await a.page.getByText('1 artifact changed since the last push or pull.').waitFor();
    await a.context.close();
    await b.context.close();
  });

  it('leaves the project unchanged when the pull is cancelled', async () => {
    const { a, b } = await changedByAnotherBrowser();
    await control(env.sandbox, 'faults', 'PUT', { latency_ms: 3000 });
    await a.page.getByRole('button', { name: 'Pull…' }).click();
    const dialog = a.page.getByRole('dialog', { name: 'Pull from Bitbucket' });
    await dialog.getByRole('button', { name: 'Preview' }).click();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await control(env.sandbox, 'faults', 'PUT', { latency_ms: 0 });
    await dialog.getByRole('button', { name: 'Preview' }).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    assert.equal(await firstKeyword(a.page), 'Navigate');
    await a.context.close();
    await b.context.close();
  });

  for (const [product, repository] of [['Cloud', CLOUD], ['Data Center', DC]]) {
    it(`restores an older version exactly (${product})`, async () => {
      const a = await session(repository);
      await push(a.page, 'Version one', 'v1');
      await editFirstStep(a.page, 'Visit');
      await push(a.page, 'Version two', 'v2');
      await editFirstStep(a.page, 'Local only');

      const dialog = await previewPull(a.page, { what: 'version', name: 'v1', restore: true });
      // Only what the restore changes here is listed: the one test case edited since v1.
      await dialog.getByText(/restoring it changes 1 artifact file of this project; \d+ stay the same\./).waitFor();
      assert.equal(await dialog.locator('.changes-table tbody tr').count(), 1);
      await dialog.getByRole('cell', { name: 'Add one item from the product page' }).waitFor();
      await dialog.getByRole('button', { name: 'Restore' }).click();
      await dialog.locator('.banner.success').waitFor();
      await dialog.getByRole('button', { name: 'Close' }).click();
      assert.equal(await firstKeyword(a.page), 'Navigate');
      await a.page.getByRole('cell', { name: 'restore' }).waitFor();
      // After the version is resolved, the folder comes in one request: Data Center's archive, or on Cloud the
      // patch from the commit the folder grew from. Only the manifest is read on its own, and on Cloud
      // `project.json`, which the repository held before the first push (so the patch changes it).
      const gets = (await control(env.sandbox, 'log?limit=1000')).filter((l) => l.method === 'GET').map((l) => l.path);
      const paths = gets.slice(gets.findLastIndex((p) => p.endsWith('/tags/v1')));
      const [bulk, read, files] = product === 'Cloud'
        ? [/\/diff\/[0-9a-f]{40}\.\.[0-9a-f]{40}$/, /\/src\/[0-9a-f]{40}\//, ['.manifest.json', 'project.json']]
        : [/\/archive$/, /\/raw\//, ['.manifest.json']];
      assert.equal(paths.filter((p) => bulk.test(p)).length, 1, JSON.stringify(paths));
      const single = paths.filter((p) => read.test(p)).map((p) => p.split('/test-artifacts/')[1]);
      // The manifest's root, then each part it names, read one by one beside the folder.
      assert.deepEqual(single.filter((p) => !p.startsWith('.manifest/')), files);
      assert.ok(single.some((p) => /^\.manifest\/[0-9a-f]{32}\.json$/.test(p)), JSON.stringify(single));
      await a.context.close();
    });
  }

  it('restores a Data Center version file by file when the archive worker cannot load, without an uncaught error', async () => {
    const a = await session(DC);
    await push(a.page, 'Version one', 'v1');
    await editFirstStep(a.page, 'Local only');
    await a.page.route('**/zip-worker*', (route) => route.abort());
    const dialog = await previewPull(a.page, { what: 'version', name: 'v1', restore: true });
    await dialog.getByRole('button', { name: 'Restore' }).click();
    await dialog.locator('.banner.success').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    assert.equal(await firstKeyword(a.page), 'Navigate');
    // The archive came, but could not be unpacked: every file was then read on its own.
    const gets = (await control(env.sandbox, 'log?limit=1000')).filter((l) => l.method === 'GET').map((l) => l.path);
    const paths = gets.slice(gets.findLastIndex((p) => p.endsWith('/tags/v1')));
    assert.equal(paths.filter((p) => /\/archive$/.test(p)).length, 1, JSON.stringify(paths));
    assert.ok(paths.filter((p) => /\/raw\//.test(p)).length > 20, JSON.stringify(paths));
    assert.deepEqual(a.page.consoleMessages.filter((line) => line.startsWith('pageerror')), []);
    await a.context.close();
  });

  for (const [product, repository] of [['Cloud', CLOUD], ['Data Center', DC]]) {
    it(`restores another project's version as a new project, identical to what was pushed (${product})`, async () => {
      const a = await session(repository);
      await push(a.page, 'Version one', 'v1');
      const pushed = await exportProject(a.page);

      // A browser without Checkout Web restores its version from Mobile Banking's connection to the same repository.
      const { context, page } = await openPage(env.browser);
      await page.goto(`${env.sandbox.url}/`);
      await page.getByRole('link', { name: 'Checkout Web', exact: true }).waitFor();
      await page.evaluate(forgetProject, 'checkout-web');
      await connectAndOpenArtifacts(page, env.sandbox, repository, 'mobile-banking');
      const dialog = await previewPull(page, { what: 'version', name: 'v1', restore: true });
      await dialog.getByRole('button', { name: 'Restore' }).click();
      await dialog.getByText('The version was restored as the project checkout-web: find it on Home.').waitFor();
      await dialog.getByRole('button', { name: 'Close' }).click();

      await openArtifacts(page);
      assert.ok((await exportProject(page)).equals(pushed), 'the restored project exports byte for byte as pushed');
      await page.getByRole('cell', { name: 'restore' }).waitFor();
      await a.context.close();
      await context.close();
    });
  }

  it("refuses to restore another project's version over the project of that id in this browser, and changes nothing", async () => {
    const a = await session();
    await push(a.page, 'Version one', 'v1');

    // B has its own Checkout Web, changed locally, and restores the version from Mobile Banking's connection.
    const b = await session();
    await editFirstStep(b.page, 'Kept here');
    const before = await exportProject(b.page);
    await connectAndOpenArtifacts(b.page, env.sandbox, CLOUD, 'mobile-banking');
    const dialog = await previewPull(b.page, { what: 'version', name: 'v1', restore: true });
    await dialog.getByRole('button', { name: 'Restore' }).click();
    await dialog.getByText('This version is the project checkout-web, which exists in this browser: open it and restore there.').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();

    await openArtifacts(b.page);
    assert.equal(await firstKeyword(b.page), 'Kept here');
    assert.ok((await exportProject(b.page)).equals(before), 'Checkout Web is as it was');
    await a.context.close();
    await b.context.close();
  });

  it('merges non-overlapping step edits of one test case', async () => {
    const a = await session();
    await push(a.page, 'From A');
    const b = await session();
    await pullMain(b.page);
    await editFirstStep(b.page, 'Visit', 0);
    await push(b.page, 'From B');
    await editFirstStep(a.page, 'Press', 1);
    const dialog = await previewPull(a.page);
    await dialog.getByText(/, 1 conflict,/).waitFor();
    await dialog.getByLabel('Merge steps').check();
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.getByText(/1 merged/).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    assert.equal(await firstKeyword(a.page, 0), 'Visit');
    assert.equal(await firstKeyword(a.page, 1), 'Press');
    await a.context.close();
    await b.context.close();
  });

  it('pulls a branch with a slash in its name', async () => {
    const a = await session();
    await push(a.page, 'From A');
    const b = await session();
    await editFirstStep(b.page, 'Visit');
    await push(b.page, 'Login work', undefined, 'feature/login');
    const dialog = await previewPull(a.page, { name: 'feature/login' });
    // No base on this branch yet: a difference cannot be attributed to a side, so the user chooses.
    await dialog.getByText(/, 1 conflict,/).waitFor();
    await dialog.getByRole('cell', { name: 'differs from the repository' }).waitFor();
    await dialog.getByText('Differs: Add one item from the product page (test case)').waitFor();
    await dialog.getByLabel('Take theirs').check();
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.locator('.banner.success').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    assert.equal(await firstKeyword(a.page), 'Visit');
    await a.context.close();
    await b.context.close();
  });

  it('reports a file damaged in the repository and corrupts nothing', async () => {
    const a = await session();
    await push(a.page, 'From A');
    const { manifest } = await remoteManifest();
    const victim = manifest.files.find((f) => f.kind === 'test_case').path;
    await commitByHand({ [victim]: '{ "broken": ', 'test-artifacts/notes.txt': 'not an artifact' });

    const dialog = await previewPull(a.page);
    const problems = dialog.getByRole('alert').filter({ hasText: 'cannot be used' });
    await problems.getByText(victim).first().waitFor();
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.locator('.banner.success, .banner.error').first().waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    assert.equal(await firstKeyword(a.page), 'Navigate', 'the local test case is untouched');
    await a.page.getByText('No changes since the last push or pull.').waitFor();
    await a.context.close();
  });

  it('reports every kind of hostile content file by file, and applies only the valid artifacts when asked', async () => {
    const a = await session();
    await push(a.page, 'From A');
    const { manifest } = await remoteManifest();
    const cases = manifest.files.filter((f) => f.kind === 'test_case').map((f) => f.path);
    const screen = manifest.files.find((f) => f.kind === 'element_repository');
    const broken = '{ not json';
    const big = ' '.repeat(4 * 1024 * 1024 + 1);
    const entry = (path, content, id, kind) => ({ path, sha256: sha256(content), id, kind });
    const bad = {
      [cases[1]]: broken,
      escape: 'test-artifacts/../escape--t1.json',
      unknown: 'test-artifacts/notes/readme.txt',
      outside: 'elsewhere/x--t2.json',
      duplicate: `test-artifacts/element-repositories/copy--${screen.id}.json`,
      large: 'test-artifacts/execution-lists/huge--x1.json',
    };
    manifest.files.find((f) => f.path === cases[1]).sha256 = sha256(broken);
    manifest.files.push(
      entry(bad.escape, '', 't1', 'test_case'),
      entry(bad.unknown, '', 't3', 'test_case'),
      entry(bad.outside, '', 't2', 'test_case'),
      entry(bad.duplicate, '', screen.id, 'element_repository'),
      entry(bad.large, big, 'x1', 'execution_list'),
    );
    await commitByHand({
      [cases[0]]: '{"tampered": true}\n',
      [cases[1]]: broken,
      [bad.large]: big,
      'test-artifacts/.manifest.json': flatManifest(manifest),
    });

    const dialog = await previewPull(a.page);
    const problems = dialog.getByRole('alert').filter({ hasText: 'cannot be used' });
    await problems.waitFor();
    const reasons = {
      [cases[0]]: /does not match the manifest/,
      [cases[1]]: /cannot read line 1/,
      [bad.escape]: /unsafe path/,
      [bad.unknown]: /not a file of the artifact layout/,
      [bad.outside]: /outside the artifact folder/,
      [bad.duplicate]: /is already used by/,
      [bad.large]: /more than the limit of 4194304/,
    };
    const lines = (await problems.locator('li').allTextContents()).map((text) => text.replace(/\s+/g, ' '));
    for (const [path, reason] of Object.entries(reasons)) {
      const line = lines.find((text) => text.startsWith(`${path}:`));
      assert.ok(line, `a problem for ${path} in ${JSON.stringify(lines)}`);
      assert.match(line, reason, path);
    }
    assert.deepEqual((await control(env.sandbox, 'log?limit=1000')).filter((l) => /\/\.\.\/|escape--|elsewhere/.test(l.path)), [],
      'nothing outside the artifact folder was requested');

    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.getByText(/apply only the valid artifacts/).waitFor();
    await dialog.getByLabel('Apply the valid artifacts anyway').check();
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.locator('.banner.success').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    assert.equal(await firstKeyword(a.page), 'Navigate', 'the local test case is untouched');
    await a.context.close();
  });

  it('reports a symbolic link and a submodule in a repository without manifest and reads neither', async () => {
    const a = await session();
    await push(a.page, 'From A');
    const link = 'test-artifacts/test-cases/linked--x9.json';
    const submodule = 'test-artifacts/vendor';
    await commitLinksByHand({ [link]: '../../README.md' }, ['test-artifacts/.manifest.json']);
    await control(env.sandbox, 'submodules', 'POST',
      { repository: 'cloud/acme/checkout-tests', branch: 'main', path: submodule, commit: 'ab'.repeat(20) });

    const dialog = await previewPull(a.page);
    const problems = dialog.getByRole('alert').filter({ hasText: 'cannot be used' });
    await problems.waitFor();
    const lines = (await problems.locator('li').allTextContents()).map((text) => text.replace(/\s+/g, ' '));
    for (const path of [link, submodule]) {
      const line = lines.find((text) => text.startsWith(`${path}:`));
      assert.ok(line, `a problem for ${path} in ${JSON.stringify(lines)}`);
      assert.match(line, /not a regular file \(a submodule or a link\)/);
    }
    assert.deepEqual((await control(env.sandbox, 'log?limit=1000'))
      .filter((l) => l.path.includes('linked--x9') || l.path.includes('vendor')), [], 'neither was read');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await a.context.close();
  });

  it('refuses a 200 MB file and a manifest of a million entries, says what it refused, and the page still answers', async () => {
    const a = await session();
    await push(a.page, 'From A');
    const { manifest } = await remoteManifest();
    const victim = manifest.files.find((f) => f.kind === 'test_case').path;
    await commitByHand({ [victim]: '{"tampered": true}\n' });
    // Streamed without a length: the app stops reading at its limit.
    await control(env.sandbox, 'faults', 'PUT', {
      large_bodies: [{ path: victim, content: { kind: 'bytes', bytes: 200_000_000 } }],
    });

    let dialog = await previewPull(a.page);
    const problems = dialog.getByRole('alert').filter({ hasText: 'cannot be used' });
    await problems.locator('li', { hasText: victim })
      .filter({ hasText: /more than 4194304 bytes, the most this app reads of one file/ }).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });

    // Announced with its length: refused before it is read.
    await control(env.sandbox, 'faults', 'PUT', {
      large_bodies: [{ path: '/.manifest.json', content: { kind: 'manifest', entries: 1_000_000 }, announce_length: true }],
    });
    await a.page.getByRole('button', { name: 'Pull…' }).click();
    dialog = a.page.getByRole('dialog', { name: 'Pull from Bitbucket' });
    await dialog.locator('#pull-name').fill('main');
    await dialog.getByRole('button', { name: 'Preview' }).click();
    await dialog.getByText(new RegExp(
      'The manifest test-artifacts/.manifest.json of this commit is [0-9.]+ MiB, more than the 16 MiB this app '
      + 'reads, so it was not read and nothing changed here\\..*restore test-artifacts/.manifest.json from an '
      + 'earlier commit',
    )).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await firstKeyword(a.page), 'Navigate', 'the local test case is untouched');
    await a.context.close();
  });

  it('lists the versions of a branch read from Bitbucket and pulls a chosen commit', async () => {
    const a = await session();
    await push(a.page, 'First version');
    const b = await session();
    await pullMain(b.page);
    await editFirstStep(b.page, 'Visit');
    await push(b.page, 'Second version');
    await a.page.getByRole('button', { name: 'Pull…' }).click();
    const dialog = a.page.getByRole('dialog', { name: 'Pull from Bitbucket' });
    await dialog.getByLabel('Pull from').selectOption('commit');
    await dialog.getByRole('button', { name: 'List commits' }).click();
    const second = dialog.locator('.commit-list li', { hasText: 'Second version' });
    await second.waitFor();
    await dialog.locator('.commit-list li', { hasText: 'First version' }).waitFor();
    await second.getByRole('button', { name: 'Choose' }).click();
    assert.match(await dialog.locator('#pull-name').inputValue(), /^[0-9a-f]{40}$/);
    await dialog.getByRole('button', { name: 'Preview' }).click();
    await dialog.getByText(/^Commit [0-9a-f]{12}:/).waitFor();
    await dialog.getByLabel('Take theirs').check();
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.locator('.banner.success').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    assert.equal(await firstKeyword(a.page), 'Visit');
    await a.context.close();
    await b.context.close();
  });
});
