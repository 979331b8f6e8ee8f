// Hardening: the standalone page's Content-Security-Policy (index.html) lets the app start, connect to Bitbucket
// and preview a push without a single violation; projects the browser removed are reported, not quietly replaced;
// redirects are refused; a reset connection stays reset; a damaged stored connection is said to be damaged; the
// benchmarks' switch to per-file strategies does nothing in the app as it ships.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  REPOSITORIES, axeViolationsEverywhere, cloudManifest, commitOnCloud, connectAndOpenArtifacts, control, field,
  editFirstStep, fillLeeConnection, openBitbucketPage, openPage, previewPull, push, signInAs, waitUntil,
  withSandboxAndBrowser,
} from './support.mjs';

const env = withSandboxAndBrowser();

const RECORD_KEY = 'bitbucket-versioning/connection/checkout-web';
const TOKEN_KEY = 'bitbucket-versioning/session-token/checkout-web';
/** The switch to the per-file strategies that only the benchmarks' build reads (e2e/benchmark/browser.mjs). */
const STRATEGY_KEY = 'bitbucket-versioning.strategy';

/** Opens Checkout Web's Bitbucket page in a new browser session as Lee and presses Create with Lee's Cloud credentials. */
async function createAsLee(extra = () => {}) {
  const { context, page } = await openPage(env.browser);
  await extra(page);
  await openBitbucketPage(page, env.sandbox);
  await signInAs(page, 'Lee Lead (Quality Lead)');
  await fillLeeConnection(page, env.sandbox);
  await page.getByRole('button', { name: 'Create' }).click();
  return { context, page };
}

/** Runs `body` with the sandbox's faults set to `faults`, and resets the sandbox after it. */
async function withFaults(faults, body) {
  await control(env.sandbox, 'faults', 'PUT', faults);
  try {
    await body();
  } finally {
    await control(env.sandbox, 'reset', 'POST');
  }
}

/** The stored connection record and session token of Checkout Web, as the browser holds them. */
function stored(page) {
  return page.evaluate(([record, token]) => ({
    record: localStorage.getItem(record),
    token: sessionStorage.getItem(token),
  }), [RECORD_KEY, TOKEN_KEY]);
}

/**
 * Counts the page's requests to the API that have not ended; resolves once none has been open for `quietMs`
 * (the connection test sends its steps back to back, so a gap that long means it has stopped).
 */
function trackApiRequests(page) {
  let open = 0;
  let lastChange = Date.now();
  const isApi = (request) => request.url().startsWith(env.sandbox.apiOrigin);
  const change = (delta) => (request) => {
    if (isApi(request)) { open += delta; lastChange = Date.now(); }
  };
  page.on('request', change(1));
  page.on('requestfinished', change(-1));
  page.on('requestfailed', change(-1));
  return { quiet: (quietMs) => waitUntil(() => open === 0 && Date.now() - lastChange > quietMs, 20000) };
}

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
    await dialog.getByText(/ files? to write/).waitFor();

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
    await withFaults({ fault_cors: 'absent', fail_next: [429, 429, 429, 429] }, async () => {
      const { context, page } = await createAsLee();
      const alert = page.getByRole('alert').filter({ hasText: 'Could not reach api.bitbucket.org' });
      await alert.waitFor();
      const text = (await alert.textContent()).replace(/\s+/g, ' ');
      assert.match(text, /Bitbucket may be limiting requests/);
      assert.match(text, /Wait a minute and try again/);
      assert.equal(await page.getByRole('heading', { name: 'Saved connection' }).count(), 0);
      await context.close();
    });
  });

  it('refuses a redirect and says so: the token is never sent to the redirect target', async () => {
    await withFaults({ redirect_next: 10 }, async () => {
      const { context, page } = await createAsLee();
      const alert = page.getByRole('alert').filter({ hasText: 'Connection test failed' });
      await alert.waitFor();
      assert.match((await alert.textContent()).replace(/\s+/g, ' '), /answered with a redirect to another address, which this app does not follow/);
      const log = await control(env.sandbox, 'log?limit=1000');
      assert.ok(log.some((line) => line.status === 301), 'Bitbucket answered with a redirect');
      assert.deepEqual(log.filter((line) => line.path.startsWith('/_sandbox/moved')), [], 'the redirect was not followed');
      assert.equal(await page.getByRole('heading', { name: 'Saved connection' }).count(), 0);
      assert.equal((await stored(page)).record, null, 'nothing was saved');
      await context.close();
    });
  });

  it('Reset during a running connection test cancels it: nothing is saved back when it would have ended', async () => {
    await withFaults({ latency_ms: 300 }, async () => {
      let requests;
      const { context, page } = await createAsLee((p) => { requests = trackApiRequests(p); });
      await page.locator('.check.running').first().waitFor();
      await page.getByRole('button', { name: 'Reset', exact: true }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: 'Reset' }).click();
      await requests.quiet(1500);
      assert.deepEqual(await stored(page), { record: null, token: null });
      assert.equal(await page.getByRole('heading', { name: 'Saved connection' }).count(), 0);
      assert.equal(await field(page, 'Connection Name').inputValue(), '');
      await page.reload();
      await field(page, 'Connection Name').waitFor();
      assert.equal(await page.getByRole('heading', { name: 'Saved connection' }).count(), 0);
      await context.close();
    });
  });

  it('Test again by a Quality Engineer tests the saved connection and saves nothing', async () => {
    const { context, page } = await createAsLee();
    await page.getByRole('heading', { name: 'Saved connection' }).waitFor();
    // Date the saved test in the past, so that any save by the next test would show.
    await page.evaluate((key) => {
      const record = JSON.parse(localStorage.getItem(key));
      record.last_test.tested_at = '2020-01-02T03:04:05Z';
      localStorage.setItem(key, JSON.stringify(record));
    }, RECORD_KEY);
    const before = (await stored(page)).record;
    await page.reload();
    await signInAs(page, 'Eve Engineer (Quality Engineer)');
    const userCalls = async () => (await control(env.sandbox, 'log?limit=1000')).filter((l) => l.path === '/2.0/user').length;
    const calls = await userCalls();
    await page.getByRole('button', { name: 'Test again' }).click();
    await waitUntil(async () => (await userCalls()) > calls
      && (await page.locator('.check.running, .check.pending').count()) === 0
      && (await page.locator('.check.passed').count()) > 0);
    await page.getByRole('button', { name: 'Test again' }).waitFor();
    assert.equal((await stored(page)).record, before, 'the saved connection is unchanged');
    assert.match(await page.locator('[data-fact="tested"] time').getAttribute('datetime'), /^2020-01-02/);
    await context.close();
  });

  it('says that a damaged stored connection is damaged, and Reset removes it', async () => {
    const { context, page } = await openPage(env.browser);
    await openBitbucketPage(page, env.sandbox);
    await page.evaluate((key) => localStorage.setItem(key, '{"name": "Checkout tests", "repository_url": '), RECORD_KEY);
    await page.reload();
    await page.getByRole('heading', { name: 'Connection damaged' }).waitFor();
    assert.match(await page.getByRole('alert').first().textContent(), /is damaged and cannot be read/);
    assert.equal(await page.getByRole('heading', { name: 'Not connected' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Create' }).count(), 0, 'no form to save over it');
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Reset' }).click();
    await page.getByRole('button', { name: 'Create' }).waitFor();
    assert.equal((await stored(page)).record, null);
    await context.close();
  });

  it('reports a file changed outside the app inside its row, with advice the user can follow', async () => {
    const { context, page } = await openPage(env.browser);
    await connectAndOpenArtifacts(page, env.sandbox, REPOSITORIES.cloud);
    await push(page, 'Versioned from the app');
    const testCase = (await cloudManifest(env.sandbox)).files.find((file) => file.kind === 'test_case').path;
    await commitOnCloud(env.sandbox, { [testCase]: '{"changed": "outside the app"}\n' });

    const dialog = await previewPull(page);
    const row = dialog.getByRole('alert').filter({ hasText: 'cannot be used' }).locator('li')
      .filter({ hasText: testCase }).filter({ hasText: 'does not match the manifest' });
    const text = (await row.textContent()).replace(/\s+/g, ' ');
    assert.match(text, /does not match the manifest \(SHA-256 [0-9a-f]{64}\)/);
    assert.match(text, /make the change in the app instead, then push or export the project/);
    assert.doesNotMatch(text, /verify_manifest/, 'no setting the user cannot reach');
    for (const width of [1280, 360]) {
      await page.setViewportSize({ width, height: 900 });
      const overflow = await row.evaluate((li) => Math.max(li.scrollWidth - li.clientWidth, li.parentElement.scrollWidth - li.parentElement.clientWidth));
      assert.equal(overflow, 0, `the hash wraps inside its row at ${width} px`);
    }
    assert.deepEqual(await axeViolationsEverywhere(page), []);
    await context.close();
  });

  it('names every file of a branch edited by hand that the manifest does not account for, and keeps the local copy', async () => {
    // The seeded repository, whatever the tests before pushed or wrote by hand.
    await control(env.sandbox, 'reset', 'POST');
    const { context, page } = await openPage(env.browser);
    await connectAndOpenArtifacts(page, env.sandbox, REPOSITORIES.cloud);
    await push(page, 'Versioned from the app');
    const { files } = await cloudManifest(env.sandbox);
    const projectFile = files.find((file) => file.kind === 'project').path;
    const testCase = files.find((file) => file.kind === 'test_case').path;
    const folder = testCase.slice(0, testCase.lastIndexOf('/'));
    const unlisted = {
      [`${folder}/broken--t9.json`]: '{ not json',
      [`${folder}/newer--t8.json`]: '{"schema_version": 99, "id": "t8"}\n',
      [`${folder}/copy-${testCase.slice(folder.length + 1)}`]: '{"id": "the same id as another"}\n',
      'test-artifacts/notes/readme.txt': 'notes\n',
      'test-artifacts/data-tables/huge--d9.csv': 'a,b\n'.repeat(30 * 1024 * 1024 / 4),
    };
    await commitOnCloud(env.sandbox, {
      ...unlisted,
      [projectFile]: '{"changed": "in git"}\n',
      'elsewhere/x--t2.json': '{}\n',
    });

    const dialog = await previewPull(page);
    await dialog.getByText(/0 incoming changes, 0 conflicts/).waitFor();
    const ignored = dialog.locator('.banner.info').filter({ hasText: '5 files in git not in the manifest (ignored)' });
    for (const path of Object.keys(unlisted)) {
      await ignored.locator('li').filter({ hasText: path }).filter({ hasText: 'added or changed in git since your last sync, outside the app' }).waitFor();
    }
    const refused = dialog.getByRole('alert').filter({ hasText: '1 file of the repository cannot be used' });
    await refused.locator('li').filter({ hasText: projectFile }).filter({ hasText: 'changed in git since your last sync' }).waitFor();
    assert.equal(await dialog.getByText('elsewhere/').count(), 0, 'files outside the artifact folder are not artifacts');
    assert.deepEqual(await axeViolationsEverywhere(page), []);
    await context.close();
  });

  it('ships without the benchmarks\' strategy switch: with it set to a per-file strategy, a push is still one commit with parents', async () => {
    const { context, page } = await openPage(env.browser);
    // A: one commit per file, without `parents` on Cloud, in the benchmarks' build.
    await context.addInitScript((key) => localStorage.setItem(key, 'A'), STRATEGY_KEY);
    await connectAndOpenArtifacts(page, env.sandbox, REPOSITORIES.cloud);
    assert.equal(await page.evaluate((key) => localStorage.getItem(key), STRATEGY_KEY), 'A');
    await editFirstStep(page, 'Hover');
    const commits = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname.endsWith('/src')) {
        commits.push(request.postDataBuffer()?.toString('latin1') ?? '');
      }
    });
    const since = new Date().toISOString().slice(0, 19);
    await push(page, 'Pushed with the switch set', undefined, 'switch-set');

    const log = (await control(env.sandbox, 'log?limit=1000'))
      .filter((line) => line.time.slice(0, 19) >= since && line.method === 'POST' && line.path.endsWith('/src'));
    assert.deepEqual(log.map((line) => line.status), [201], 'one commit for the whole push');
    assert.equal(commits.length, 1);
    assert.match(commits[0], /name="parents"/, 'the commit names the tip it was planned on');
    assert.match(commits[0], /name="test-artifacts\/\.manifest\.json"/, 'the manifest is in the same commit');
    await context.close();
  });
});
