// What the push tests share: git's view of the sandbox's repositories (`git clone`, `git ls-remote` with Lee's
// credentials) and the push dialog as a user fills it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { field, openInTree } from './support.mjs';

/** Runs a command; asynchronous, so that the test process keeps reading the sandbox's log while git talks to it. */
export const run = promisify(execFile);

/** Runs git in the clone `dir`; resolves with its output, trimmed. */
export async function git(dir, ...args) {
  return (await run('git', ['-C', dir, ...args], { encoding: 'utf8' })).stdout.trim();
}

/** git's access to the repositories of `env`'s sandbox (`env.sandbox` is read when a function is called). */
export function gitAccess(env) {
  /**
   * Options of `run` that give git Lee's credentials for `repository` (the sandbox asks for read permission), as a header
   * in git's environment: in no URL, command line or error message.
   */
  function gitCredentials(repository) {
    const basic = Buffer.from(`${repository.gitUser}:${repository.token}`).toString('base64');
    const config = { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}` };
    return { env: { ...process.env, ...config } };
  }

  /** Where git reaches `repository`: Data Center through the relay's `/scm`, as a browser would. */
  function gitOrigin(repository) {
    return repository.relay ? env.sandbox.relay.cors : env.sandbox.apiOrigin;
  }

  /** Clones a sandbox repository (at `branch`) into a temporary folder; returns the folder. */
  async function clone(repository, branch = 'main') {
    const dir = mkdtempSync(join(tmpdir(), 'push-e2e-'));
    await run('git', ['clone', '-q', '--branch', branch, `${gitOrigin(repository)}/${repository.clone}`, dir], gitCredentials(repository));
    return dir;
  }

  /** Clones `repository` at `branch`, runs `body(dir)` and removes the clone, whatever happens. */
  async function inClone(repository, branch, body) {
    const dir = await clone(repository, branch);
    try {
      return await body(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** How many commits `branch` of `repository` holds. */
  function countCommits(repository, branch = 'main') {
    return inClone(repository, branch, (dir) => git(dir, 'rev-list', '--count', 'HEAD'));
  }

  return { gitCredentials, gitOrigin, clone, inClone, countCommits };
}

/** The entries of the clone's manifest: its root's parts, read from the work tree. */
export function manifestEntries(dir) {
  const read = (path) => JSON.parse(readFileSync(join(dir, 'test-artifacts', path), 'utf8'));
  return read('.manifest.json').parts.flatMap((name) => read(`.manifest/${name}.json`).files);
}

/** The paths the clone's manifest lists. */
export function manifestPaths(dir) {
  return manifestEntries(dir).map((f) => f.path);
}

/** The manifest at `commit` of the clone: the root's text and the entries of its parts. */
export async function manifestAt(dir, commit) {
  const root = await git(dir, 'show', `${commit}:test-artifacts/.manifest.json`);
  const parts = await Promise.all(JSON.parse(root).parts
    .map(async (name) => JSON.parse(await git(dir, 'show', `${commit}:test-artifacts/.manifest/${name}.json`)).files));
  return { root, files: parts.flat() };
}

/** The one file of the clone whose test-case file name starts with `slug--`. */
export async function caseFile(dir, slug) {
  const files = (await git(dir, 'ls-files', 'test-artifacts')).split('\n').filter((f) => f.split('/').pop().startsWith(`${slug}--`));
  assert.equal(files.length, 1, `one file for ${slug}: ${files.join(', ')}`);
  return files[0];
}

/** Opens the push dialog, fills it and asks for the preview. */
export async function preview(page, { branch, newBranch = false, message, version }) {
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

/** Opens a test case of the Cart suite in the explorer (the dialog must be closed). */
export async function openCartTestCase(page, scenario, name) {
  await openInTree(page, 'Cart', scenario, name);
  await page.getByRole('heading', { level: 2, name: new RegExp(`^${name}`) }).waitFor();
}

/** Waits until the explorer says every change is saved in the browser. */
export async function waitForSaved(page) {
  await page.getByText('All changes saved in this browser.').waitFor();
}

/** Changes the keyword of a test case's first step. */
export async function editFirstKeyword(page, scenario, name, keyword) {
  await openCartTestCase(page, scenario, name);
  const field = page.getByLabel('Keyword').first();
  await field.fill(keyword);
  await field.press('Enter');
  await field.blur();
  await page.getByRole('heading', { level: 2, name: new RegExp(`^${name} Changed`) }).waitFor();
  await waitForSaved(page);
}

/** Renames a test case of the Cart suite. */
export async function renameTestCase(page, scenario, name, newName) {
  await openCartTestCase(page, scenario, name);
  await page.getByLabel('Name', { exact: true }).fill(newName);
  await page.getByRole('button', { name: 'Rename', exact: true }).click();
  await page.getByRole('heading', { level: 2, name: new RegExp(`^${newName}`) }).waitFor();
  await waitForSaved(page);
}

/** Deletes a test case of the Cart suite, confirming. */
export async function deleteTestCase(page, scenario, name) {
  await openCartTestCase(page, scenario, name);
  await page.getByRole('button', { name: 'Delete test case' }).click();
  await page.getByRole('alertdialog', { name: 'Delete this artifact?' }).getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('navigation', { name: 'Artifacts' }).getByRole('button', { name, exact: true }).waitFor({ state: 'detached' });
  await waitForSaved(page);
}

/** Closes the push dialog. */
export async function closeDialog(page) {
  await page.getByRole('dialog', { name: 'Push to Bitbucket' }).getByRole('button', { name: 'Close' }).click();
  await page.getByRole('dialog', { name: 'Push to Bitbucket' }).waitFor({ state: 'detached' });
}

/** Presses Push in the previewed `dialog`; resolves with the text of the banner that ends the push. */
export async function pushAndWait(dialog) {
  await dialog.getByRole('button', { name: 'Push', exact: true }).click();
  await dialog.locator('.banner.success, .banner.error').first().waitFor();
  return dialog.locator('.banner.success, .banner.error').first().textContent();
}

/** The project as exported: the paths of the .zip's entries. */
export async function exportedPaths(page) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export .zip' }).click(),
  ]);
  const buffer = readFileSync(await download.path());
  const end = buffer.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const paths = [];
  let offset = buffer.readUInt32LE(end + 16);
  for (let i = 0; i < buffer.readUInt16LE(end + 10); i += 1) {
    const nameLength = buffer.readUInt16LE(offset + 28);
    paths.push(buffer.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + buffer.readUInt16LE(offset + 30) + buffer.readUInt16LE(offset + 32);
  }
  return paths;
}
