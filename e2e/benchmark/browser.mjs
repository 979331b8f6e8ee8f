// What the benchmarks do in the browser: the user's own steps in the release app (import a project, create the
// connection, push, pull, edit test cases), and the measurement of one operation: wall time, the API requests it
// made with their bytes, the commits they created, and the peak JS heap and WebAssembly memory while it ran.
import { field, fillConnection } from '../support.mjs';

/** The strategy switch the app reads (never shown to users): A, B, or C (the product as it ships). */
export const STRATEGY_KEY = 'bitbucket-versioning.strategy';

/**
 * Runs before any page script: keeps the app's WebAssembly memory reachable for the memory samples (the
 * benchmark wraps instantiation; the app knows nothing of it).
 */
function captureWasmMemory() {
  const keep = (result) => {
    const instance = result.instance ?? result;
    if (instance?.exports?.memory) {
      window.__benchmarkWasmMemory = instance.exports.memory;
      window.__benchmarkWasm = instance.exports;
    }
    return result;
  };
  const streaming = WebAssembly.instantiateStreaming;
  WebAssembly.instantiateStreaming = (...args) => streaming(...args).then(keep);
  const plain = WebAssembly.instantiate;
  WebAssembly.instantiate = (...args) => plain(...args).then(keep);
}

/** A fresh browser session (context) of the app, with its strategy set and the API traffic recorded. */
export async function session(browser, sandbox, strategy) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ignoreHTTPSErrors: true });
  await context.addInitScript(captureWasmMemory);
  await context.addInitScript(({ key, value }) => window.localStorage.setItem(key, value),
    { key: STRATEGY_KEY, value: strategy });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const traffic = [];
  // The API's origins: the sandbox (Cloud) and the relay the page reaches Data Center through.
  const origins = [sandbox.apiOrigin, ...(sandbox.relay ? [new URL(sandbox.relay.api).origin] : [])];
  const api = (request) => origins.some((origin) => request.url().startsWith(origin)) && !request.url().includes('/_sandbox/');
  page.on('requestfinished', (request) => {
    if (api(request)) traffic.push(request);
  });
  page.on('requestfailed', (request) => {
    if (api(request)) traffic.push(request);
  });
  page.on('pageerror', (error) => { throw new Error(`page error: ${error.message}`); });
  page.on('crash', () => console.error('the page crashed (out of memory?)'));
  page.on('console', (message) => {
    if (message.type() === 'error') console.error(`the page's console: ${message.text()}`);
  });
  return { context, page, cdp, traffic };
}

/** Imports `project` (its .zip, written beside the generated project) on Home. */
export async function importProject(s, sandbox, project) {
  await s.page.goto(`${sandbox.url}/`);
  await s.page.getByLabel('Project archive (.zip)').setInputFiles(project.archive);
  await s.page.getByText(`${project.name} was imported.`).waitFor({ timeout: 600_000 });
}

/** Creates the project's connection to `repository` as Lee (Quality Lead). */
export async function connect(s, sandbox, project, repository) {
  const { page } = s;
  await page.goto(`${sandbox.url}/projects/${project.id}/integrations/versioning/bitbucket`);
  await page.getByLabel('Demo user').selectOption({ label: 'Lee Lead (Quality Lead)' });
  await fillConnection(page, {
    'Connection Name': 'Benchmark',
    'Access Token': repository.token,
    'Repository URL': `${sandbox.apiOrigin}/${repository.path}`,
    Username: repository.user,
    ...(repository.relay ? { 'API base URL': sandbox.relay.api } : {}),
  });
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('heading', { name: 'Saved connection' }).waitFor({ timeout: 60_000 });
  await openArtifacts(s, sandbox, project);
}

/**
 * Opens the project's Test artifacts page and waits until the project is read whole (its changes counted).
 * Answers what it cost, its wall time (`seconds`) from the navigation to the first item of its trees shown,
 * and `whole`, the time until the project was read whole.
 */
export async function openArtifacts(s, sandbox, project) {
  let shown = 0;
  const cost = await measure(s, async () => {
    const started = performance.now();
    await s.page.goto(`${sandbox.url}/projects/${project.id}/artifacts`);
    await s.page.locator('[role=tree] [role=treeitem]').first().waitFor({ timeout: 600_000 });
    shown = (performance.now() - started) / 1000;
    await s.page.locator('.explorer-bar [role=status]').filter({ hasText: 'since the last push or pull' })
      .waitFor({ timeout: 600_000 });
  });
  return { ...cost, seconds: shown, whole: cost.seconds };
}

/**
 * Clicks the dialog's button named `name` at once and waits, checking on every animation frame (so that the
 * wait adds at most a frame to the time measured, unlike a locator's back-off polling), until the dialog shows
 * an enabled button named one of `buttons`, a banner of class `banner` (and whose text starts with `text`
 * when given), or an error, which is thrown. Answers the name of the button or banner shown.
 */
async function clickAndWait(page, title, name, { buttons = [], banner, text = '' }) {
  const shown = await page.waitForFunction(({ title, name, buttons, banner, text, clicked }) => {
    const dialog = [...document.querySelectorAll('[role="dialog"]')]
      .find((d) => d.querySelector('h2')?.textContent === title);
    if (!dialog) return null;
    const named = (label) => [...dialog.querySelectorAll('button')]
      .find((b) => b.textContent.trim() === label && !b.disabled);
    if (!window[clicked]) {
      window[clicked] = true;
      named(name).click();
      return null;
    }
    const error = dialog.querySelector('.banner.error');
    if (error) return `error: ${error.textContent}`;
    const button = buttons.find((label) => named(label));
    if (button) return button;
    const found = banner && [...dialog.querySelectorAll(`.banner.${banner}`)]
      .find((b) => b.textContent.startsWith(text));
    return found ? banner : null;
  }, { title, name, buttons, banner, text, clicked: `benchmarkClicked${Math.random()}` },
  { polling: 'raf', timeout: 1_800_000 });
  const what = await shown.jsonValue();
  if (what.startsWith('error: ')) throw new Error(`the app reported: ${what.slice(7)}`);
  return what;
}

/**
 * Closes a push or pull dialog after its measurement, waiting while the project is recorded (seconds at 100,000
 * test cases); when that fails (the page crashed, the dialog hung), the measurement's own error is the one
 * reported.
 */
function closeDialog(dialog) {
  return dialog.getByRole('button', { name: 'Close' }).click({ timeout: 600_000 }).catch(() => {});
}

/** Pushes to `branch` (created from `main` when `create`): Preview, then Push when there is something to push. */
export async function push(s, branch, create, message) {
  const { page } = s;
  const title = 'Push to Bitbucket';
  await page.getByRole('button', { name: 'Push…' }).click();
  const dialog = page.getByRole('dialog', { name: title });
  await dialog.getByLabel('New branch', { exact: true }).setChecked(create);
  await dialog.locator('#push-branch').fill(branch);
  await field(dialog, 'Commit message').fill(message);
  return measure(s, async () => {
    const next = await clickAndWait(page, title, 'Preview', { buttons: ['Push'], banner: 'info', text: 'Nothing to push:' });
    if (next === 'Push') await clickAndWait(page, title, 'Push', { banner: 'success' });
  }).finally(() => closeDialog(dialog));
}

/** Pulls `branch` (restoring the project to it when `restore`): Preview, then Apply (or Restore). */
export async function pull(s, branch, restore) {
  const { page } = s;
  const title = 'Pull from Bitbucket';
  await page.getByRole('button', { name: 'Pull…' }).click();
  const dialog = page.getByRole('dialog', { name: title });
  await dialog.getByLabel('Pull from').selectOption('branch');
  await dialog.locator('#pull-name').fill(branch);
  if (restore) await dialog.getByLabel(/^Restore/).check();
  const apply = restore ? 'Restore' : 'Apply';
  return measure(s, async () => {
    await clickAndWait(page, title, 'Preview', { buttons: [apply] });
    await clickAndWait(page, title, apply, { banner: 'success' });
  }).finally(() => closeDialog(dialog));
}

/** Edits the first step's keyword of the first `count` test cases in the tree, as a user does, each saved. */
export async function editTestCases(s, count, tag) {
  const { page } = s;
  const tree = page.getByRole('navigation', { name: 'Artifacts' });
  // Test cases are the items two groups deep; a collapsed item's triangle shows what it holds.
  const cases = tree.locator('[role=group] [role=group] > [role=treeitem]');
  const triangle = (item) => tree.locator(`${item}[aria-expanded="false"] > .tree-row > .disclosure`).first();
  for (let scenario = 0; (await cases.count()) < count; scenario += 1) {
    if (scenario === 0) await triangle('[role=treeitem]').click();
    await triangle('[role=group] > [role=treeitem]').click();
  }
  for (let i = 0; i < count; i += 1) {
    await cases.nth(i).locator(':scope > .tree-row').click();
    const keyword = page.getByLabel('Keyword').first();
    await keyword.fill(`${tag} ${i}`);
    await keyword.press('Enter');
    await keyword.blur();
    await page.getByText('All changes saved in this browser.').waitFor({ timeout: 600_000 });
  }
}

/** Runs `action` and answers what it cost: wall time, requests, bytes, commits, peak memory. */
export async function measure(s, action) {
  const first = s.traffic.length;
  let peakHeap = 0;
  let peakWasm = 0;
  let sampling = true;
  // The heap the allocator counts: what the app held when the operation started, and the most it held while it ran.
  const heldBefore = await s.page.evaluate(() => {
    const wasm = window.__benchmarkWasm;
    wasm?.benchmarkHeapReset?.();
    return wasm?.benchmarkHeapHeld?.() ?? 0;
  });
  const sample = async () => {
    while (sampling) {
      const [{ usedSize }, wasm] = await Promise.all([
        s.cdp.send('Runtime.getHeapUsage'),
        s.page.evaluate(() => window.__benchmarkWasmMemory?.buffer.byteLength ?? 0),
      ]).catch(() => [{ usedSize: 0 }, 0]);
      peakHeap = Math.max(peakHeap, usedSize);
      peakWasm = Math.max(peakWasm, wasm);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const sampler = sample();
  const started = performance.now();
  try {
    await action();
  } finally {
    sampling = false;
  }
  const seconds = (performance.now() - started) / 1000;
  await sampler;
  const peakHeld = await s.page.evaluate(() => window.__benchmarkWasm?.benchmarkHeapPeak?.() ?? 0);
  const requests = s.traffic.slice(first);
  let sent = 0;
  let received = 0;
  let commits = 0;
  for (const request of requests) {
    const sizes = await request.sizes().catch(() => null);
    if (sizes) {
      sent += sizes.requestHeadersSize + sizes.requestBodySize;
      received += sizes.responseHeadersSize + sizes.responseBodySize;
    }
    const response = await request.response().catch(() => null);
    const status = response?.status() ?? 0;
    const path = new URL(request.url()).pathname;
    const cloudCommit = request.method() === 'POST' && /\/src\/?$/.test(path) && status === 201;
    const dataCenterCommit = request.method() === 'PUT' && path.includes('/browse/') && status === 200;
    // A push over git: one receive-pack, one commit (the app stops on any ref the report refuses).
    const gitCommit = request.method() === 'POST' && path.endsWith('/git-receive-pack') && status === 200;
    if (cloudCommit || dataCenterCommit || gitCommit) commits += 1;
  }
  return { seconds, requests: requests.length, sent, received, commits, peakHeap, peakWasm, heldBefore, peakHeld };
}
