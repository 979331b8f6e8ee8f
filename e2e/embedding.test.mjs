// Embedding: an example portal page (examples/portal) mounts the module twice, once with mount() and once as the
// <bitbucket-versioning> element. The module uses the portal's users and storage, stays inside its elements (URL,
// styles and nodes of the portal untouched), works through create → push → pull, tells the portal by DOM events,
// and unmounts without leaving anything behind. A portal may also supply the test artifacts themselves.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import {
  REPOSITORIES, cloudManifest, connectAndOpenArtifacts, control, editFirstStep, field, fillLeeConnection, firstKeyword,
  flatManifest, openInTree, openPage, previewPull, pullMain, push, waitUntil, withSandboxAndBrowser,
} from './support.mjs';

const env = withSandboxAndBrowser();
/** Opens the example portal (examples/portal, which the build copies to /portal/ beside the module). */
async function openPortal() {
  const { context, page } = await openPage(env.browser);
  await page.goto(`${env.sandbox.url}/portal/index.html`);
  const first = page.locator('#first-instance');
  const second = page.locator('#second-instance');
  await first.getByRole('heading', { level: 1, name: 'Bitbucket' }).waitFor();
  await second.getByRole('heading', { level: 1, name: 'Bitbucket' }).waitFor();
  return { context, page, first, second };
}

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const TYPES = { '.html': 'text/html', '.css': 'text/css', '.js': 'text/javascript', '.wasm': 'application/wasm' };

/**
 * A plain static server of dist/ under the sub-path /apps/versioning/ (no fallback to index.html, nothing else),
 * sending the content security policy that dist/index.html ships as a header on every file.
 */
function startStaticServer() {
  const policy = readFileSync(join(dist, 'index.html'), 'utf8').match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)[1];
  const server = createServer((request, response) => {
    const path = new URL(request.url, 'http://x').pathname;
    const file = path.startsWith('/apps/versioning/') ? normalize(join(dist, path.slice('/apps/versioning/'.length))) : '';
    try {
      if (!file.startsWith(dist)) throw new Error('outside');
      const body = readFileSync(file);
      response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Security-Policy': policy });
      response.end(body);
    } catch {
      response.writeHead(404);
      response.end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}`,
    stop: () => new Promise((done) => server.close(done)),
  })));
}

/**
 * From now on, keeps in `window.pendingTimers` the timers started and neither run nor cleared yet (intervals
 * until cleared).
 */
function trackTimers(page) {
  return page.evaluate(() => {
    const pending = new Set();
    window.pendingTimers = pending;
    const wrap = (start, repeats) => (callback, ...rest) => {
      const id = start((...args) => {
        if (!repeats) pending.delete(id);
        if (typeof callback === 'function') callback(...args);
      }, ...rest);
      pending.add(id);
      return id;
    };
    const unwrap = (stop) => (id) => {
      pending.delete(id);
      stop(id);
    };
    window.setTimeout = wrap(window.setTimeout.bind(window), false);
    window.setInterval = wrap(window.setInterval.bind(window), true);
    window.clearTimeout = unwrap(window.clearTimeout.bind(window));
    window.clearInterval = unwrap(window.clearInterval.bind(window));
  });
}

/** The portal's event log, one line per event. */
function events(page) {
  return page.locator('#event-log li').allTextContents();
}

describe('embedding in a portal', () => {
  it('mounts twice as the portal\'s users, inside its elements: the portal\'s URL, styles and nodes stay as they were', async () => {
    const { context, page, first, second } = await openPortal();
    const url = page.url();
    await first.getByText('Lee Lead').waitFor();
    await second.getByText('Eve Engineer').waitFor();
    assert.equal(await second.locator('.role-badge').textContent(), 'Quality Engineer');
    assert.equal(await page.getByLabel('Demo user').count(), 0, 'no demo user switcher');
    assert.match(await second.getByRole('status').first().textContent(), /Quality Engineer/, 'the role policy uses the portal\'s role');

    await first.getByRole('link', { name: 'Manage Integration' }).click();
    await first.getByRole('heading', { level: 1, name: 'Manage Integration' }).waitFor();
    assert.equal(page.url(), url, 'the portal\'s URL did not change');
    await second.getByRole('heading', { level: 1, name: 'Bitbucket' }).waitFor();

    const styles = await page.evaluate(() => {
      const host = document.getElementById('first-instance');
      const button = host.shadowRoot.querySelector('button');
      const card = host.shadowRoot.querySelector('.card, .page');
      return {
        portalTitle: getComputedStyle(document.querySelector('.portal-header h1')).fontSize,
        portalBody: getComputedStyle(document.body).fontFamily,
        moduleButton: getComputedStyle(button).backgroundColor,
        moduleButtonFont: getComputedStyle(button).fontFamily,
        moduleBorder: getComputedStyle(card).borderTopStyle,
        bodyChildren: [...document.body.children].map((el) => el.tagName),
      };
    });
    assert.equal(styles.portalTitle, '40px', 'the module\'s styles do not reach the portal');
    assert.match(styles.portalBody, /Georgia/);
    assert.notEqual(styles.moduleButton, 'rgb(255, 0, 255)', 'the portal\'s styles do not reach the module');
    assert.doesNotMatch(styles.moduleButtonFont, /Comic Sans/);
    assert.notEqual(styles.moduleBorder, 'dashed');
    assert.deepEqual(styles.bodyChildren, ['HEADER', 'MAIN'], 'no node added outside the portal\'s elements');

    // Mounted again with the portal's relay as the API base URL: a new connection starts with it.
    await page.evaluate(async () => {
      window.portal.handle.unmount();
      const options = { ...window.portal.options, apiBaseUrl: 'https://portal.example.com/bitbucket-relay/2.0' };
      window.portal.handle = await window.portal.mount(window.portal.element, options);
    });
    await first.getByText('Advanced').click();
    assert.equal(await field(first, 'API base URL').inputValue(), 'https://portal.example.com/bitbucket-relay/2.0');
    assert.deepEqual(page.consoleMessages.filter((text) => /error|panic/i.test(text)), []);
    await context.close();
  });

  it('works through create, push and pull, and tells the portal by DOM events', async () => {
    const { context, page, first, second } = await openPortal();
    // A wrong token: the connection test fails, and the portal hears the error the user is shown.
    await fillLeeConnection(first, env.sandbox);
    await field(first, 'Access Token').fill('ATATT-not-a-valid-token');
    await first.getByRole('button', { name: 'Create' }).click();
    await first.getByRole('alert').getByText(/^Connection test failed/).waitFor();
    await waitUntil(async () => (await events(page)).length === 1);
    const [error] = await events(page);
    assert.match(error, /^error \{"project":"checkout-web","activity":"connection_test","message":"Connection test failed: [^"]+\. [^"]+"\}$/);
    assert.doesNotMatch(error, /ATATT-not-a-valid-token/, 'no token in the event');

    await fillLeeConnection(first, env.sandbox);
    await first.getByRole('button', { name: 'Create' }).click();
    await first.getByRole('heading', { name: 'Saved connection' }).waitFor();

    // The second instance's user is a Quality Engineer (the element's attributes): refused on the main branch.
    await second.evaluate((element) => element.setAttribute('start', '/projects/checkout-web/artifacts'));
    await second.getByRole('button', { name: 'Push…' }).click();
    const refused = second.getByRole('dialog', { name: 'Push to Bitbucket' });
    await field(refused, 'Branch').fill('main');
    await refused.getByText('Quality Engineers cannot push to the main branch main.').waitFor();
    assert.ok(await refused.getByRole('button', { name: 'Preview' }).isDisabled());
    await refused.getByRole('button', { name: 'Close' }).click();

    assert.match((await events(page))[1], /^connection-created \{"project":"checkout-web","repository":"http:\/\/localhost:\d+\/acme\/checkout-tests"\}$/);

    await page.evaluate(() => window.portal.handle.update({ ...window.portal.options, start: '/projects/checkout-web/artifacts' }));
    await first.getByRole('heading', { level: 1, name: 'Test artifacts' }).waitFor();
    await push(first, 'From the portal');
    assert.match((await events(page))[2], /^push-done \{"project":"checkout-web","branch":"main","commits":\["[0-9a-f]{40}"\]\}$/);

    // Someone else changes a test case and pushes, from the standalone app.
    const other = await openPage(env.browser);
    await connectAndOpenArtifacts(other.page, env.sandbox, REPOSITORIES.cloud);
    await pullMain(other.page);
    await editFirstStep(other.page, 'Visit');
    await push(other.page, 'From elsewhere');
    await other.context.close();

    const dialog = await previewPull(first);
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.locator('.banner.success').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    assert.equal(await firstKeyword(first), 'Visit');
    assert.match((await events(page))[3], /^pull-applied \{"project":"checkout-web","summary":"Applied: 0 added, 1 changed/);

    // Everything went through the portal's storage: the module kept nothing of its own in the browser.
    const kept = await page.evaluate(async () => ({
      local: Object.keys(localStorage).sort(),
      session: Object.keys(sessionStorage).sort(),
      databases: (await indexedDB.databases()).map((d) => d.name),
    }));
    assert.deepEqual(kept.local, [
      'acme-portal/versioning/connection/checkout-web',
      'acme-portal/versioning/project/checkout-web',
      'acme-portal/versioning/project/mobile-banking',
      'acme-portal/versioning/project/partner-api',
    ]);
    assert.deepEqual(kept.session, ['acme-portal/versioning/token/checkout-web']);
    assert.deepEqual(kept.databases, []);
    await context.close();
  });

  it('unmounts cleanly: no node, listener, timer or error left, and memory does not grow over 20 mounts, each moved to the explorer\'s build', async () => {
    const { context, page } = await openPortal();
    const client = await context.newCDPSession(page);
    await trackTimers(page);
    const windowListeners = async () => {
      const { result } = await client.send('Runtime.evaluate', { expression: 'window' });
      const { listeners } = await client.send('DOMDebugger.getEventListeners', { objectId: result.objectId });
      return listeners.length;
    };
    const cycle = (times) => page.evaluate(async (n) => {
      const { element, options, mount } = window.portal;
      window.portal.handle.unmount();
      for (let i = 0; i < n; i += 1) {
        const handle = await mount(element, options);
        // Shown: a heading, in the one app of the element (the first build's, then the explorer's).
        const shown = (title) => new Promise((resolve) => {
          const apps = () => element.shadowRoot.querySelectorAll('.bitbucket-versioning');
          const ready = () => (apps().length === 1 && apps()[0].querySelector('h1')?.textContent.startsWith(title)
            ? resolve() : requestAnimationFrame(ready));
          ready();
        });
        await shown('Bitbucket');
        handle.update({ ...options, start: '/projects/checkout-web/artifacts' });
        await shown('Test artifacts');
        handle.unmount();
      }
      window.portal.handle = { unmount() {} };
      return { children: element.shadowRoot.childNodes.length, light: element.childNodes.length };
    }, times);
    const heap = async () => {
      await client.send('HeapProfiler.collectGarbage');
      return (await client.send('Runtime.getHeapUsage')).usedSize;
    };

    const listenersBefore = await windowListeners();
    assert.deepEqual(await cycle(5), { children: 0, light: 0 }, 'nothing left in the element');
    const afterFive = await heap();
    await cycle(20);
    const afterTwentyFive = await heap();
    assert.ok(await windowListeners() <= listenersBefore, 'no window listener left behind');
    assert.equal(await page.evaluate(() => window.pendingTimers.size), 0, 'no timer left behind');
    assert.ok(afterTwentyFive - afterFive < 2 * 1024 * 1024,
      `JS heap grew by ${afterTwentyFive - afterFive} bytes over 20 mounts`);
    assert.deepEqual(page.consoleMessages.filter((text) => /error|panic/i.test(text)), []);
    await context.close();
  });

  it('stops a running job when unmounted: its request timeout is cleared, no timer is left', async () => {
    const { context, page, first } = await openPortal();
    await trackTimers(page);
    await control(env.sandbox, 'faults', 'PUT', { latency_ms: 3000 });
    try {
      await fillLeeConnection(first, env.sandbox);
      await first.getByRole('button', { name: 'Create' }).click();
      // The connection test's first request is in flight, with its timeout running.
      await waitUntil(async () => (await page.evaluate(() => window.pendingTimers.size)) > 0);
      await page.evaluate(() => window.portal.handle.unmount());
      assert.equal(await page.evaluate(() => window.pendingTimers.size), 0, 'no timer left behind');
    } finally {
      await control(env.sandbox, 'faults', 'PUT', {});
    }
    assert.deepEqual(page.consoleMessages.filter((text) => /error|panic/i.test(text)), []);
    await context.close();
  });

  it('takes the test artifacts from the portal\'s provider, pushes them, and gives it back what a pull changed', async () => {
    const { context, page, first } = await openPortal();
    await fillLeeConnection(first, env.sandbox);
    await first.getByRole('button', { name: 'Create' }).click();
    await first.getByRole('heading', { name: 'Saved connection' }).waitFor();

    // The portal's own copy of Checkout Web's test artifacts, in which it changed the sample test case's first step.
    const caseId = await page.evaluate(async (name) => {
      const artifacts = JSON.parse(localStorage.getItem('acme-portal/versioning/project/checkout-web')).project;
      const testCase = artifacts.suites.flatMap((s) => s.scenarios).flatMap((s) => s.test_cases).find((t) => t.name === name);
      testCase.steps[0].keyword = 'Portal step';
      const provider = {
        held: { 'checkout-web': artifacts },
        saved: [],
        async load(id) { return structuredClone(this.held[id] ?? null); },
        async save(id, given) { this.held[id] = given; this.saved.push(id); },
      };
      window.portalArtifacts = provider;
      window.portal.handle.unmount();
      window.portal.handle = await window.portal.mount(window.portal.element,
        { ...window.portal.options, artifacts: provider, start: '/projects/checkout-web/artifacts' });
      return testCase.id;
    }, 'Add one item from the product page');
    await first.getByRole('heading', { level: 1, name: 'Test artifacts' }).waitFor();
    assert.equal(await firstKeyword(first), 'Portal step', 'the module shows the portal\'s artifacts');

    await push(first, 'From the portal\'s artifacts', undefined, 'portal-artifacts');
    const api = `${env.sandbox.apiOrigin}/2.0/repositories/acme/checkout-tests`;
    const auth = { Authorization: `Basic ${Buffer.from('ada@example.com:ATATT-demo-ada-cloud').toString('base64')}` };
    const { tip, ...manifest } = await cloudManifest(env.sandbox, 'portal-artifacts');
    const path = manifest.files.find((entry) => entry.id === caseId).path;
    const pushed = await (await fetch(`${api}/src/${tip}/${path}`, { headers: auth })).text();
    assert.match(pushed, /"Portal step"/, 'the push carried the portal\'s artifacts');

    // Someone changes that step in Bitbucket, with the manifest; the pull gives the portal the change.
    const edited = pushed.replace('"Portal step"', '"Hand step"');
    manifest.files.find((entry) => entry.id === caseId).sha256 = createHash('sha256').update(edited).digest('hex');
    const form = new FormData();
    form.append('message', 'Hand edit');
    form.append('branch', 'portal-artifacts');
    form.append(path, new Blob([edited]), path.split('/').pop());
    form.append('test-artifacts/.manifest.json', new Blob([flatManifest(manifest)]), '.manifest.json');
    assert.equal((await fetch(`${api}/src`, { method: 'POST', headers: auth, body: form })).status, 201);
    const dialog = await previewPull(first, { name: 'portal-artifacts' });
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.locator('.banner.success').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    assert.equal(await firstKeyword(first), 'Hand step');
    const portal = await page.evaluate((id) => {
      const { held, saved } = window.portalArtifacts;
      const testCase = held['checkout-web'].suites.flatMap((s) => s.scenarios).flatMap((s) => s.test_cases).find((t) => t.id === id);
      const record = JSON.parse(localStorage.getItem('acme-portal/versioning/project/checkout-web'));
      return { keyword: testCase.steps[0].keyword, saved, keptSuites: record.project.suites.length, bases: record.bases.length };
    }, caseId);
    assert.equal(portal.keyword, 'Hand step', 'the portal received the pulled change');
    assert.ok(portal.saved.length > 0 && portal.saved.every((id) => id === 'checkout-web'));
    assert.equal(portal.keptSuites, 0, 'the module\'s record keeps no copy of the artifacts');
    assert.ok(portal.bases >= 1, 'the record keeps the synced base');
    assert.match((await events(page)).at(-1), /^pull-applied \{"project":"checkout-web","summary":"Applied: 0 added, 1 changed/);
    assert.deepEqual(page.consoleMessages.filter((text) => /error|panic/i.test(text)), []);
    await context.close();
  });

  it('asks before the page is left while the portal saves a restore\'s Apply, and the restore completes when the user stays', async () => {
    const { context, page, first } = await openPortal();
    await fillLeeConnection(first, env.sandbox);
    await first.getByRole('button', { name: 'Create' }).click();
    await first.getByRole('heading', { name: 'Saved connection' }).waitFor();
    // The portal's artifacts, whose save waits for the test once `hold` is set.
    await page.evaluate(async () => {
      const artifacts = JSON.parse(localStorage.getItem('acme-portal/versioning/project/checkout-web')).project;
      const provider = {
        held: { 'checkout-web': artifacts },
        hold: false,
        async load(id) { return structuredClone(this.held[id] ?? null); },
        async save(id, given) {
          if (this.hold) {
            window.saveStarted = true;
            await new Promise((resolve) => { window.releaseSave = resolve; });
          }
          this.held[id] = given;
        },
      };
      window.portalArtifacts = provider;
      window.portal.handle.unmount();
      window.portal.handle = await window.portal.mount(window.portal.element,
        { ...window.portal.options, artifacts: provider, start: '/projects/checkout-web/artifacts' });
    });
    await first.getByRole('heading', { level: 1, name: 'Test artifacts' }).waitFor();
    const original = await firstKeyword(first);
    await push(first, 'Version one', 'v1', 'unload-guard');
    const keyword = first.getByLabel('Keyword').first();
    await keyword.fill('Local only');
    await keyword.press('Enter');
    await keyword.blur();
    await first.getByText('All changes saved', { exact: false }).waitFor();

    await page.evaluate(() => { window.portalArtifacts.hold = true; });
    const dialog = await previewPull(first, { what: 'version', name: 'v1', restore: true });
    await dialog.getByRole('button', { name: 'Restore' }).click();
    await waitUntil(() => page.evaluate(() => window.saveStarted === true));
    const asked = page.waitForEvent('dialog');
    await page.close({ runBeforeUnload: true });
    const question = await asked;
    assert.equal(question.type(), 'beforeunload');
    await question.dismiss();
    await page.evaluate(() => window.releaseSave());
    await dialog.locator('.banner.success').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    assert.equal(await firstKeyword(first), original, 'the restore was applied');
    await context.close();
  });

  it('shows only the projects the portal names, and tells it when an import fails', async () => {
    const { context, page } = await openPortal();
    const shown = page.locator('#first-instance');
    await page.evaluate(async () => {
      window.portal.handle.unmount();
      window.portal.handle = await window.portal.mount(window.portal.element, { start: '/', projects: ['partner-api'] });
    });
    await shown.locator('.project-card').first().waitFor();
    assert.deepEqual(await shown.locator('.project-card h3').allTextContents(), ['Partner API']);
    // An import that fails is an error the portal hears too, without a project.
    await shown.getByLabel('Project archive (.zip)').setInputFiles({
      name: 'broken.zip', mimeType: 'application/zip', buffer: Buffer.from('not a zip'),
    });
    const message = 'broken.zip is not a valid project: 1 problem. Nothing was imported.';
    await shown.getByRole('alert').getByText(message).waitFor();
    const error = `error ${JSON.stringify({ project: '', activity: 'import', message })}`;
    await page.locator('#event-log li', { hasText: error }).waitFor();
    assert.deepEqual((await events(page)).filter((line) => line.startsWith('error ')), [error]);
    await context.close();
  });

  it('keeps the portal\'s user through updates that do not name one, also in the explorer\'s build, and never offers demo users', async () => {
    const { context, page, first, second } = await openPortal();
    // The element's user attributes removed, then the explorer opened: still the Quality Engineer.
    await second.evaluate((element) => {
      element.removeAttribute('user-name');
      element.removeAttribute('user-role');
      element.setAttribute('start', '/projects/checkout-web/artifacts');
    });
    await second.getByRole('heading', { level: 1, name: 'Test artifacts' }).waitFor();
    assert.equal(await second.locator('.user-name').textContent(), 'Eve Engineer');
    assert.equal(await second.locator('.role-badge').textContent(), 'Quality Engineer');

    // An update that names only the view: the explorer's build starts as Lee Lead, not as a demo user.
    await page.evaluate(() => window.portal.handle.update({ start: '/projects/checkout-web/artifacts' }));
    await first.getByRole('heading', { level: 1, name: 'Test artifacts' }).waitFor();
    assert.equal(await first.locator('.user-name').textContent(), 'Lee Lead');
    assert.equal(await first.locator('.role-badge').textContent(), 'Quality Lead');
    assert.equal(await page.getByLabel('Demo user').count(), 0, 'no demo user switcher');
    assert.deepEqual(page.consoleMessages.filter((text) => /error|panic/i.test(text)), []);
    await context.close();
  });

  it('runs without a user, or with a role it does not know, as the lowest role, never as a demo user', async () => {
    const { context, page, first } = await openPortal();
    await page.evaluate(async () => {
      window.portal.handle.unmount();
      const { user, ...options } = window.portal.options;
      window.portal.handle = await window.portal.mount(window.portal.element, options);
    });
    await first.getByRole('heading', { name: 'Not connected' }).waitFor();
    assert.equal(await first.locator('.user-name').textContent(), 'Portal user');
    assert.equal(await first.locator('.role-badge').textContent(), 'Quality Engineer');
    assert.equal(await page.getByLabel('Demo user').count(), 0, 'no demo user switcher');

    // Named a Quality Lead, then given a role the module does not know: down to the lowest, not kept.
    await page.evaluate(() => window.portal.handle.update({ user: { name: 'Lee Lead', role: 'quality_lead' } }));
    await first.getByRole('button', { name: 'Create' }).waitFor();
    assert.equal(await first.locator('.role-badge').textContent(), 'Quality Lead');
    await page.evaluate(() => window.portal.handle.update({ user: { name: 'Lee Lead', role: 'superuser' } }));
    await first.getByRole('heading', { name: 'Not connected' }).waitFor();
    assert.equal(await first.locator('.role-badge').textContent(), 'Quality Engineer');
    assert.equal(await first.getByRole('button', { name: 'Create' }).count(), 0);
    assert.equal(await page.getByLabel('Demo user').count(), 0, 'no demo user switcher');
    await context.close();
  });

  it('shows a storage answer that is not text as an error and writes nothing over it', async () => {
    const { context, page, first } = await openPortal();
    await page.evaluate(async () => {
      window.portal.handle.unmount();
      window.writes = [];
      // A portal's storage that answers a parsed object instead of the record's text.
      const storage = {
        async get(key) { return key === 'project/checkout-web' ? { revision: 3, project: {} } : null; },
        async put(key) { window.writes.push(`put ${key}`); },
        async delete(key) { window.writes.push(`delete ${key}`); },
      };
      window.portal.handle = await window.portal.mount(window.portal.element,
        { ...window.portal.options, start: '/', storage });
    });
    await first.getByRole('alert').getByText('The portal\'s storage answered project/checkout-web with a value of type '
      + 'object instead of text; nothing was changed.').waitFor();
    assert.equal(await first.locator('.project-card').count(), 0);
    assert.deepEqual(await page.evaluate(() => window.writes), [], 'nothing written over the portal\'s value');
    await context.close();
  });

  it('scrubs the token and its Basic form from the portal storage\'s error texts: neither the screen nor the error event holds them', async () => {
    const { token, user } = REPOSITORIES.cloud;
    const basic = Buffer.from(`${user}:${token}`).toString('base64');
    for (const echoed of [token, basic]) {
      const { context, page, first } = await openPortal();
      await page.evaluate(async () => {
        window.portal.handle.unmount();
        // A portal's storage in memory whose put, once told to refuse, keeps rejecting, echoing what it was given.
        const values = new Map();
        const storage = {
          async get(key) { return values.get(key) ?? null; },
          async put(key, text) {
            if (window.refusing) throw new Error(`cannot store ${key} for ${window.refusing}`);
            values.set(key, text);
          },
          async delete(key) { values.delete(key); },
        };
        window.portal.handle = await window.portal.mount(window.portal.element, { ...window.portal.options, storage });
      });
      await fillLeeConnection(first, env.sandbox);
      await first.getByRole('button', { name: 'Create' }).click();
      await first.getByRole('heading', { name: 'Saved connection' }).waitFor();

      await page.evaluate(() => window.portal.handle.update({ start: '/projects/checkout-web/artifacts' }));
      await first.getByRole('heading', { level: 1, name: 'Test artifacts' }).waitFor();
      // Every text the module shows from now on.
      await page.evaluate((text) => {
        const root = window.portal.element.shadowRoot;
        window.shown = [];
        new MutationObserver(() => window.shown.push(root.textContent))
          .observe(root, { subtree: true, childList: true, characterData: true });
        window.refusing = text;
      }, echoed);
      await openInTree(first, 'Cart', 'Add items', 'Add one item from the product page');
      const keyword = first.getByLabel('Keyword').first();
      await keyword.fill('Refused by the portal');
      await keyword.press('Enter');
      await waitUntil(async () => (await events(page)).some((line) => line.startsWith('error ')));
      const error = (await events(page)).find((line) => line.startsWith('error '));
      const failed = /The portal's storage failed \(cannot store project\/checkout-web for •••\)/;
      assert.match(error, /^error \{"project":"checkout-web","activity":"artifacts","message":"The portal's storage failed \(cannot store project\/checkout-web for •••\)/);
      const shown = await page.evaluate(() => window.shown);
      assert.ok(shown.some((text) => failed.test(text)), 'the error was shown');
      // A refused save is not asked again at once (a store that keeps refusing would freeze the page): the
      // error stays, and the page answers.
      await first.getByText(failed).first().waitFor();
      assert.equal(await first.getByLabel('Keyword').first().inputValue(), 'Refused by the portal');
      for (const secret of [token, basic]) {
        assert.ok(!error.includes(secret), 'no token in the event');
        assert.ok(shown.every((text) => !text.includes(secret)), 'no token on the screen');
      }
      await context.close();
    }
  });

  it('keeps projects per artifact in a storage that declares projectRecordsVersion 2, and refuses a version it does not know', async () => {
    const { context, page, first } = await openPortal();
    const refused = await page.evaluate(async () => {
      const storage = { projectRecordsVersion: 3, async get() { return null; }, async put() {}, async delete() {} };
      window.portal.handle.unmount();
      return window.portal.mount(window.portal.element, { ...window.portal.options, storage })
        .then(() => 'mounted', (error) => String(error.message ?? error));
    });
    assert.match(refused, /storage\.projectRecordsVersion must be 1 or 2, not 3/);

    // Mounts the first instance on Test artifacts with an in-memory storage of version 2, recording its puts.
    const mountPerArtifact = () => page.evaluate(async () => {
      window.portalValues ??= new Map();
      window.portalPuts = [];
      const values = window.portalValues;
      const storage = {
        projectRecordsVersion: 2,
        async get(key) { return values.get(key) ?? null; },
        async put(key, text) { values.set(key, text); window.portalPuts.push(key); },
        async delete(key) { values.delete(key); },
      };
      window.portal.handle.unmount();
      window.portal.handle = await window.portal.mount(window.portal.element,
        { ...window.portal.options, start: '/projects/checkout-web/artifacts', storage });
    });
    await mountPerArtifact();
    await first.getByRole('heading', { level: 1, name: 'Test artifacts' }).waitFor();
    await page.evaluate(() => { window.portalPuts = []; });
    await editFirstStep(first, 'Visit');
    const puts = await page.evaluate(() => window.portalPuts);
    const files = puts.filter((key) => key.startsWith('project/checkout-web/file/'));
    assert.equal(files.length, 1, `one test case's file: ${puts}`);
    assert.ok(puts.every((key) => key.startsWith('project/checkout-web')), puts);
    assert.equal(puts.at(-1), 'project/checkout-web', 'the head is written last');
    const head = await page.evaluate(() => JSON.parse(window.portalValues.get('project/checkout-web')));
    assert.equal(head.format, 2);
    assert.equal(head.project, undefined, 'the artifacts are not in the head');

    await mountPerArtifact();
    assert.equal(await firstKeyword(first), 'Visit', 'read back from the records');
    await context.close();
  });

  it('reads only the options\' own storage and artifacts, never ones inherited from Object.prototype', async () => {
    const { context, page, first } = await openPortal();
    await page.evaluate(async () => {
      window.portal.handle.unmount();
      window.inherited = [];
      const record = (name) => async (key) => { window.inherited.push(`${name} ${key}`); return null; };
      Object.prototype.storage = { get: record('get'), put: record('put'), delete: record('delete') };
      Object.prototype.artifacts = { load: record('load'), save: record('save') };
      window.portal.handle = await window.portal.mount(window.portal.element,
        { user: { name: 'Lee Lead', role: 'quality_lead' }, start: '/', projects: ['partner-api'] });
    });
    try {
      await first.locator('.project-card h3', { hasText: 'Partner API' }).waitFor();
      await page.evaluate(() => window.portal.handle.update({ start: '/projects/partner-api/artifacts' }));
      await first.getByRole('heading', { level: 1, name: 'Test artifacts' }).waitFor();
    } finally {
      await page.evaluate(() => {
        delete Object.prototype.storage;
        delete Object.prototype.artifacts;
      });
    }
    assert.deepEqual(await page.evaluate(() => window.inherited), [], 'the inherited objects were never called');
    await context.close();
  });

  it('is served from a sub-path by a plain static server, under the shipped content security policy, and loads the export only when asked', async () => {
    const server = await startStaticServer();
    try {
      const { context, page } = await openPage(env.browser);
      await context.addInitScript(() => {
        window.violations = [];
        document.addEventListener('securitypolicyviolation', (e) => window.violations.push(`${e.effectiveDirective} ${e.blockedURI}`));
      });
      await page.goto(`${server.url}/apps/versioning/portal/index.html`);
      const first = page.locator('#first-instance');
      await first.getByRole('heading', { level: 1, name: 'Bitbucket' }).waitFor();
      await page.locator('#second-instance').getByRole('heading', { level: 1, name: 'Bitbucket' }).waitFor();
      await fillLeeConnection(first, env.sandbox);
      await first.getByRole('button', { name: 'Create' }).click();
      await first.getByRole('heading', { name: 'Saved connection' }).waitFor();

      // The .zip export's own WebAssembly is fetched only when a project is exported, from the module's sub-path.
      const fetched = [];
      page.on('request', (request) => fetched.push(new URL(request.url()).pathname));
      await page.evaluate(() => window.portal.handle.update({ ...window.portal.options, start: '/projects/checkout-web/artifacts' }));
      await first.getByRole('heading', { level: 1, name: 'Test artifacts' }).waitFor();
      assert.deepEqual(fetched.filter((path) => /zip-worker/.test(path)), [], 'nothing of the export before it is asked for');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        first.getByRole('button', { name: 'Export .zip' }).click(),
      ]);
      assert.equal(download.suggestedFilename(), 'checkout-web.zip');
      assert.equal(readFileSync(await download.path()).subarray(0, 2).toString(), 'PK');
      assert.ok(fetched.includes('/apps/versioning/zip-worker_bg.wasm'), `the export's module was loaded: ${fetched}`);
      assert.deepEqual(await page.evaluate(() => window.violations), []);
      assert.deepEqual(page.consoleMessages.filter((text) => /Content Security Policy|error/i.test(text)), []);
      await context.close();
    } finally {
      await server.stop();
    }
  });
});

/**
 * Mounts the first instance again with an in-memory portal storage whose connection writes (`connection/…`,
 * `token/…`) are counted in `window.connectionWrites`; `refuse(key, text)` answers the error a write rejects with,
 * if any; the first such put waits, when `holdFirst`, until `window.releaseHeld()` (its key in `window.heldKey`).
 */
async function mountWithConnectionStorage(page, { holdFirst = false, refuse = false } = {}) {
  await page.evaluate(async ({ holdFirst, refuse }) => {
    window.portal.handle.unmount();
    const values = new Map();
    window.portalValues = values;
    window.connectionWrites = 0;
    window.heldKey = null;
    const held = new Promise((resolve) => { window.releaseHeld = resolve; });
    const connectionKey = (key) => !key.startsWith('project/');
    const storage = {
      async get(key) { return values.get(key) ?? null; },
      async put(key, text) {
        if (connectionKey(key) && refuse) throw new Error(`cannot store ${key}: ${text}`);
        if (connectionKey(key) && holdFirst && window.heldKey === null) {
          window.heldKey = key;
          await held;
        }
        values.set(key, text);
        if (connectionKey(key)) window.connectionWrites += 1;
      },
      async delete(key) {
        values.delete(key);
        if (connectionKey(key)) window.connectionWrites += 1;
      },
    };
    window.portal.handle = await window.portal.mount(window.portal.element, { ...window.portal.options, storage });
  }, { holdFirst, refuse });
}

/** The keys of the connections the in-memory portal storage of `mountWithConnectionStorage` holds. */
function connectionKeys(page) {
  return page.evaluate(() => [...window.portalValues.keys()].filter((key) => !key.startsWith('project/')).sort());
}

describe('the portal\'s storage of connections and artifacts', () => {
  it('writes a Reset after the save it follows: a Reset while the storage still answers the save\'s first write leaves nothing', async () => {
    const { context, page, first } = await openPortal();
    await mountWithConnectionStorage(page, { holdFirst: true });
    await fillLeeConnection(first, env.sandbox);
    await first.getByRole('button', { name: 'Create' }).click();
    await waitUntil(() => page.evaluate(() => window.heldKey !== null));
    await first.getByRole('button', { name: 'Reset' }).click();
    await first.getByRole('alertdialog').getByRole('button', { name: 'Reset' }).click();
    await page.evaluate(() => window.releaseHeld());
    // Both keys written, then both removed.
    await waitUntil(() => page.evaluate(() => window.connectionWrites === 4));
    await page.locator('#event-log li', { hasText: 'connection-reset {"project":"checkout-web"}' }).waitFor();
    assert.deepEqual(await connectionKeys(page), [], 'no token or connection left in the portal\'s storage');
    await first.getByRole('button', { name: 'Create' }).waitFor();
    await context.close();
  });

  it('says on the connection page that the connection was not saved when the portal\'s storage refuses it, with its reason without the token', async () => {
    const { context, page, first } = await openPortal();
    await mountWithConnectionStorage(page, { refuse: true });
    await fillLeeConnection(first, env.sandbox);
    await first.getByRole('button', { name: 'Create' }).click();
    const message = 'The connection was not saved. The portal\'s storage failed (cannot store token/checkout-web: •••).';
    await first.getByRole('alert').getByText(message, { exact: false }).waitFor();
    assert.equal(await first.getByRole('heading', { name: 'Saved connection' }).count(), 0);
    assert.deepEqual(await connectionKeys(page), []);
    const told = (await events(page)).filter((line) => /^(error|storage-failed|connection-created) /.test(line));
    assert.equal(told.length, 2, told.join('\n'));
    assert.match(told[0], /^storage-failed \{"project":"checkout-web","message":"cannot store token\/checkout-web: •••"\}$/);
    assert.match(told[1], /^error \{"project":"checkout-web","activity":"connection_save","message":"The connection was not saved\. The portal's storage failed/);
    const { token } = REPOSITORIES.cloud;
    assert.ok(told.every((line) => !line.includes(token)), 'no token in the events');
    assert.ok(!(await first.locator('.bitbucket-versioning').first().textContent()).includes(token), 'no token on the screen');
    await context.close();
  });

  it('reserves the revision before the portal\'s save: of two tabs saving over one revision, the second is told and never reaches the portal', async () => {
    const { context, page } = await openPortal();
    const other = await context.newPage();
    await other.goto(`${env.sandbox.url}/portal/index.html`);
    await other.locator('#first-instance').getByRole('heading', { level: 1, name: 'Bitbucket' }).waitFor();
    // The portal's artifacts of Checkout Web, shared by its tabs; each tab logs the saves that reached it.
    const mountWithArtifacts = (tab, name) => tab.evaluate(async (name) => {
      const key = 'test-portal/artifacts/checkout-web';
      if (!localStorage.getItem(key)) {
        localStorage.setItem(key, JSON.stringify(JSON.parse(localStorage.getItem('acme-portal/versioning/project/checkout-web')).project));
      }
      window.saveStarted = false;
      const held = new Promise((resolve) => { window.releaseSave = resolve; });
      const provider = {
        async load(id) { return id === 'checkout-web' ? JSON.parse(localStorage.getItem(key)) : null; },
        async save(id, given) {
          window.saveStarted = true;
          // The first tab's save waits until the test lets it answer.
          if (name === 'first') await held;
          localStorage.setItem(key, JSON.stringify(given));
          localStorage.setItem('test-portal/saves', `${localStorage.getItem('test-portal/saves') ?? ''}${name} `);
        },
      };
      window.portal.handle.unmount();
      window.portal.handle = await window.portal.mount(window.portal.element,
        { ...window.portal.options, artifacts: provider, start: '/projects/checkout-web/artifacts' });
    }, name);
    await mountWithArtifacts(page, 'first');
    await mountWithArtifacts(other, 'second');
    const [first, second] = [page.locator('#first-instance'), other.locator('#first-instance')];
    await first.getByRole('heading', { level: 1, name: 'Test artifacts' }).waitFor();
    await second.getByRole('heading', { level: 1, name: 'Test artifacts' }).waitFor();
    assert.equal(await firstKeyword(second), await firstKeyword(first));

    const edit = async (scope, keyword) => {
      const field = scope.getByLabel('Keyword').first();
      await field.fill(keyword);
      await field.press('Enter');
      await field.blur();
    };
    await edit(first, 'From the first tab');
    await waitUntil(() => page.evaluate(() => window.saveStarted));
    await edit(second, 'From the second tab');
    await second.getByText('This project was changed in another tab: reload', { exact: false }).first().waitFor();
    assert.equal(await other.evaluate(() => window.saveStarted), false, 'the stale save never reached the portal');
    await page.evaluate(() => window.releaseSave());
    await first.getByText('All changes saved', { exact: false }).waitFor();
    const kept = await page.evaluate(() => ({
      saves: localStorage.getItem('test-portal/saves'),
      keyword: JSON.parse(localStorage.getItem('test-portal/artifacts/checkout-web'))
        .suites.flatMap((s) => s.scenarios).flatMap((s) => s.test_cases)
        .find((t) => t.name === 'Add one item from the product page').steps[0].keyword,
    }));
    assert.deepEqual(kept, { saves: 'first ', keyword: 'From the first tab' });
    await context.close();
  });
});
