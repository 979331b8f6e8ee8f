// Shared set-up of the end-to-end tests: the sandbox serving the built app, the shipped Data Center relay in
// Debian's nginx, Debian's Chromium, axe-core.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const require = createRequire(import.meta.url);

/** Chromium flags for a closed network and a root user. */
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-sync',
  '--disable-background-networking', '--disable-component-update', '--disable-dev-shm-usage',
];

/** Starts the sandbox on a free port, serving dist/; resolves once it prints its address. */
export function startSandbox(extraArgs = []) {
  const binary = join(root, 'target', 'debug', 'bitbucket-sandbox');
  const child = spawn(binary, ['--serve', join(root, 'dist'), '--port', '0', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = [];
  child.stderr.on('data', (chunk) => log.push(chunk.toString()));
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.on('exit', (code) => reject(new Error(`sandbox exited (${code}): ${log.join('')}`)));
    child.stdout.on('data', (chunk) => {
      buffer += chunk.toString();
      const match = buffer.match(/listening on (http:\/\/127\.0\.0\.1:(\d+))/);
      if (match) {
        const port = Number(match[2]);
        resolve({
          url: match[1],
          port,
          /** The API origin as the app sees it: another origin than the page, as in production. */
          apiOrigin: `http://localhost:${port}`,
          log,
          stop: () => new Promise((done) => { child.removeAllListeners('exit'); child.on('exit', done); child.kill(); }),
        });
      }
    });
  });
}

/** A port of 127.0.0.1 that was free a moment ago. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The shipped relay (relay/), whose values marked EDIT this harness replaces. */
const RELAY_FILES = ['nginx-datacenter.conf', 'bitbucket-datacenter-proxy.conf'];

/** What the relay's files lose to pass `/rest` only: the same-origin server's `/scm` location, the CORS relay's `scm`. */
const WITHOUT_SCM = [
  [[
    '    location /bitbucket/scm/ {',
    '        proxy_pass https://bitbucket.example.com/scm/;  # EDIT',
    '        include bitbucket-relay/bitbucket-datacenter-proxy.conf;',
    '    }',
    '',
  ].join('\n'), ''],
  ['location ~ ^/(?:rest|scm)/ {', 'location ~ ^/rest/ {'],
];

/** `text` with each `[example, value]` of `values` replaced. */
function substitute(text, values) {
  return values.reduce((result, [example, value]) => result.replaceAll(example, value), text);
}

/** Whether something accepts TCP connections on `port` of 127.0.0.1. */
function listening(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => socket.end(() => resolve(true)));
    socket.on('error', () => resolve(false));
  });
}

/**
 * Starts Debian's nginx with the shipped relay in front of the sandbox's Data Center, as the current user, in a
 * temporary prefix (configuration, pid, logs, temporary files), in the foreground; with `tls`, both servers answer
 * HTTPS and HTTP/2 with a self-signed certificate for localhost and 127.0.0.1 (as the benchmarks' sandbox does).
 * Resolves once both servers listen, with `cors` (the CORS relay's origin), `api` (the API base URL a connection
 * sets for it) and `sameOrigin` (the server that serves the app and passes `/bitbucket/` to Data Center), both on
 * `localhost` as the sandbox's API is (so the API base URL names the repository's host). The ports are picked free just before nginx binds them: should another process
 * take one in between, nginx is started again on others. With `scm: false`, both servers pass `/rest` only, as a
 * relay deployed without its `/scm` locations does: the page cannot reach git, and Data Center pushes go through the
 * REST API.
 */
export async function startRelay(sandbox, { tls = false, scm = true } = {}, attempts = 3) {
  const [sameOriginPort, corsPort] = [await freePort(), await freePort()];
  const prefix = mkdtempSync(join(tmpdir(), 'bitbucket-relay-'));
  mkdirSync(join(prefix, 'bitbucket-relay'));
  const [cert, key] = [join(prefix, 'cert.pem'), join(prefix, 'key.pem')];
  if (tls) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', key, '-out', cert], { stdio: 'ignore' });
  }
  const listen = (port) => (tls
    ? `listen 127.0.0.1:${port} ssl http2; ssl_certificate ${cert}; ssl_certificate_key ${key};`
    : `listen 127.0.0.1:${port};`);
  const scheme = tls ? 'https' : 'http';
  const values = [
    ...(scm ? [] : WITHOUT_SCM),
    ['https://bitbucket.example.com', sandbox.url],
    ['https://portal.example.com', sandbox.url],
    ['http://127.0.0.1:3000', sandbox.url],
    ['listen 8080;', listen(sameOriginPort)],
    ['listen 8081;', listen(corsPort)],
  ];
  const shipped = RELAY_FILES.map((name) => readFileSync(join(root, 'relay', name), 'utf8')).join('\n');
  const missing = values.filter(([example]) => !shipped.includes(example)).map(([example]) => example);
  if (missing.length > 0) throw new Error(`relay/ no longer holds ${missing.join(', ')}: update startRelay`);
  for (const name of RELAY_FILES) {
    const text = readFileSync(join(root, 'relay', name), 'utf8');
    writeFileSync(join(prefix, 'bitbucket-relay', name), substitute(text, values));
  }
  const temp = (kind) => `${kind}_temp_path ${join(prefix, kind)};`;
  writeFileSync(join(prefix, 'nginx.conf'), [
    'daemon off;', 'master_process off;', `pid ${join(prefix, 'nginx.pid')};`, `error_log ${join(prefix, 'error.log')};`,
    'events { worker_connections 256; }',
    `http { access_log off; ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join(' ')}`,
    '  include bitbucket-relay/nginx-datacenter.conf; }',
  ].join('\n'));
  const child = spawn('/usr/sbin/nginx', ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'error.log')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const errors = [];
  child.stderr.on('data', (chunk) => errors.push(chunk.toString()));
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const log = () => errors.join('') + readFileSync(join(prefix, 'error.log'), 'utf8');
  let ready = false;
  const started = (async () => {
    while (!ready) {
      ready = (await listening(sameOriginPort)) && (await listening(corsPort));
      if (!ready) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return 'ready';
  })();
  const outcome = await Promise.race([started, exited]);
  if (outcome !== 'ready') {
    ready = true;
    const text = log();
    rmSync(prefix, { recursive: true, force: true });
    if (/Address already in use/.test(text) && attempts > 1) return startRelay(sandbox, { tls, scm }, attempts - 1);
    throw new Error(`nginx exited (${outcome}): ${text}`);
  }
  return {
    cors: `${scheme}://localhost:${corsPort}`,
    api: `${scheme}://localhost:${corsPort}/rest`,
    sameOrigin: `${scheme}://localhost:${sameOriginPort}`,
    stop: async () => {
      child.kill();
      await exited;
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

/** Launches Debian's Chromium, never a downloaded browser. */
export function launchBrowser() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** A page in a fresh context (a new browser session), recording console messages and request URLs. */
export async function openPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  page.consoleMessages = [];
  page.requestUrls = [];
  page.on('console', (message) => page.consoleMessages.push(message.text()));
  page.on('pageerror', (error) => page.consoleMessages.push(`pageerror: ${error.message}`));
  page.on('request', (request) => page.requestUrls.push(request.url()));
  return { context, page };
}

/** Waits until the Yew app has rendered its header. */
export async function waitForApp(page) {
  await page.getByRole('link', { name: 'Bitbucket Versioning' }).waitFor();
}

/**
 * Runs axe-core in the page and returns its violations. Evaluated rather than added as a script tag, which the
 * page's Content-Security-Policy (no inline script) would block.
 */
export async function axeViolations(page) {
  await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/**
 * Runs axe-core in the page in the light and the dark colour scheme, 360 px and 1280 px wide; returns the
 * violations, each prefixed with the scheme and width it was found at. The page is left light, 1280 px wide.
 */
export async function axeViolationsEverywhere(page) {
  const found = [];
  for (const colorScheme of ['dark', 'light']) {
    for (const width of [360, 1280]) {
      await page.emulateMedia({ colorScheme });
      await page.setViewportSize({ width, height: 900 });
      found.push(...(await axeViolations(page)).map((violation) => `${colorScheme}, ${width} px: ${violation}`));
    }
  }
  return found;
}

/** How wide the page is beyond the window (0 when nothing scrolls sideways). */
export function horizontalOverflow(page) {
  return page.evaluate(() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth));
}

/** `iso` as the app shows a time to a user in `timeZone` (an en-US browser): `2026-12-04 14:14 EST`. */
export function localTime(iso, timeZone) {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    timeZoneName: 'short',
  });
  const part = Object.fromEntries(format.formatToParts(new Date(iso)).map(({ type, value }) => [type, value]));
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute} ${part.timeZoneName}`;
}

/** Saves a full-page screenshot under e2e/screenshots/. */
export async function screenshot(page, name) {
  const folder = join(here, 'screenshots');
  mkdirSync(folder, { recursive: true });
  await page.screenshot({ path: join(folder, `${name}.png`), fullPage: true });
}

/** Presses Tab until the focused element satisfies `matches` (given its tag, text and label). */
export async function tabTo(page, matches, limit = 60) {
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      const label = el?.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent ?? '' : '';
      return { tag: el?.tagName ?? '', text: (el?.textContent ?? '').trim(), label: label.trim(), id: el?.id ?? '' };
    });
    if (matches(focused)) return focused;
  }
  throw new Error('focus never reached the expected element');
}

/** The demo credentials of the sandbox (crates/sandbox/demo.toml). */
export const DEMO = {
  cloudEmail: 'ada@example.com',
  cloudToken: 'ATATT-demo-ada-cloud',
};

/** Ada's credentials on the sandbox's Cloud API, sent as another tool would send them. */
const CLOUD_AUTH = { Authorization: `Basic ${Buffer.from(`${DEMO.cloudEmail}:${DEMO.cloudToken}`).toString('base64')}` };

/** The Cloud API of the sandbox's demo repository acme/checkout-tests. */
const cloudRepository = (sandbox) => `${sandbox.apiOrigin}/2.0/repositories/acme/checkout-tests`;

/**
 * The manifest of the artifact folder `test-artifacts`, each file's text given by `read(path)` (a path below the
 * folder): its root, and for layout 2 the parts the root names, as one list of `files`.
 */
export async function readManifest(read) {
  const root = JSON.parse(await read('.manifest.json'));
  if (!root.parts) return root;
  const parts = await Promise.all(root.parts.map(async (name) => JSON.parse(await read(`.manifest/${name}.json`))));
  return { schema_version: root.schema_version, origin: root.origin, parts: root.parts, files: parts.flatMap((p) => p.files) };
}

/** A manifest written as layout 1 did: one `.manifest.json` listing every file (the text to commit). */
export function flatManifest({ origin, files }) {
  return JSON.stringify({ schema_version: 1, files, ...(origin ? { origin } : {}) });
}

/** The manifest at the tip of the Cloud demo repository's main branch, read as another tool would. */
export async function cloudManifest(sandbox, branch = 'main') {
  const api = cloudRepository(sandbox);
  const tip = (await (await fetch(`${api}/refs/branches/${branch}`, { headers: CLOUD_AUTH })).json()).target.hash;
  const read = async (path) => (await fetch(`${api}/src/${tip}/test-artifacts/${path}`, { headers: CLOUD_AUTH })).text();
  return { tip, ...(await readManifest(read)) };
}

/** Commits `files` (path → text) on the Cloud demo repository's main branch, as an edit by hand would. */
export async function commitOnCloud(sandbox, files) {
  const form = new FormData();
  form.append('message', 'Edit by hand');
  form.append('branch', 'main');
  for (const [path, text] of Object.entries(files)) {
    form.append(path, new Blob([text]), path.split('/').pop());
  }
  const response = await fetch(`${cloudRepository(sandbox)}/src`, { method: 'POST', headers: CLOUD_AUTH, body: form });
  if (response.status !== 201) throw new Error(`commit by hand: ${response.status} ${await response.text()}`);
}

/** A point in the sandbox's request log: `logSince` answers what was logged after it. */
export async function logMark(sandbox) {
  const [last] = await control(sandbox, 'log?limit=1');
  return last?.seq ?? 0;
}

/** The sandbox's request log after `mark` (of the last 500 requests, which the sandbox keeps). */
export async function logSince(sandbox, mark) {
  return (await control(sandbox, 'log?limit=500')).filter((line) => line.seq > mark);
}

/** Calls the sandbox's control endpoint (`/_sandbox/...`). */
export async function control(sandbox, path, method = 'GET', body = undefined) {
  const response = await fetch(`${sandbox.url}/_sandbox/${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`control ${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Opens the Bitbucket page of the Checkout Web project directly. */
export async function openBitbucketPage(page, sandbox) {
  await page.goto(`${sandbox.url}/projects/checkout-web/integrations/versioning/bitbucket`);
  await page.getByRole('heading', { level: 1, name: 'Bitbucket' }).waitFor();
}

/**
 * Fills the connection form; `values` maps visible labels to text (`API base URL` opens Advanced first), `pat`
 * ticks the PAT box.
 */
export async function fillConnection(page, { pat = false, ...values }) {
  const advanced = page.locator('details.advanced');
  if ('API base URL' in values && !(await advanced.evaluate((details) => details.open))) {
    await advanced.getByText('Advanced', { exact: true }).click();
  }
  for (const [label, value] of Object.entries(values)) {
    await field(page, label).fill(value);
  }
  const box = page.getByLabel('Personal access token (PAT)');
  if ((await box.isChecked()) !== pat) await box.click();
}

/** Polls `condition` until it holds (at most `ms`), for state outside the page such as the sandbox log. */
export async function waitUntil(condition, ms = 10000) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A form control by its visible label (a required field's label ends with an asterisk). */
export function field(page, label) {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return page.getByLabel(new RegExp(`^${escaped}( \\*)?$`));
}

/**
 * Starts a sandbox serving the app, the Data Center relay in front of it (`sandbox.relay`) and a browser before the
 * file's tests, and stops them after. The returned object holds `sandbox` and `browser` once the tests run.
 */
export function withSandboxAndBrowser(sandboxArgs = []) {
  const env = {};
  before(async () => {
    env.sandbox = await startSandbox(sandboxArgs);
    env.sandbox.relay = await startRelay(env.sandbox);
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.sandbox?.relay?.stop();
    await env.sandbox?.stop();
  });
  return env;
}

/**
 * Starts a relay that passes `/rest` only (`startRelay`'s `scm: false`: a deployment whose relay does not pass `/scm`)
 * in front of `env`'s sandbox before the tests of the enclosing `describe`, and stops it after. Returns a function that
 * gives the sandbox as a connection reaches it through that relay: Data Center pushes go through the REST API.
 */
export function withRestOnlyRelay(env) {
  let relay;
  before(async () => {
    relay = await startRelay(env.sandbox, { scm: false });
  });
  after(async () => {
    await relay?.stop();
  });
  return () => ({ ...env.sandbox, relay });
}

/**
 * The sandbox's demo repositories as Lee (Quality Lead) reaches them: Cloud and Data Center. `gitUser` is the login
 * git sends with the token (on Cloud the username, not the email the REST API takes). A browser reaches Data Center
 * through the relay (`relay`: a connection's API base URL is the relay's).
 */
export const REPOSITORIES = {
  cloud: { token: 'ATATT-demo-lee-cloud', user: 'lee@example.com', gitUser: 'lee', path: 'acme/checkout-tests', clone: 'acme/checkout-tests.git' },
  dataCenter: {
    token: 'BBDC-demo-lee', user: 'lee', gitUser: 'lee', path: 'scm/qa/regression-suite.git', clone: 'scm/qa/regression-suite.git',
    relay: true,
  },
};

/** Switches the standalone demo user (the header's list). */
export async function signInAs(page, label) {
  await page.getByLabel('Demo user').selectOption({ label });
}

/**
 * Fills the connection form in `scope` (a page or an element) with Lee's credentials of `repository`, and the
 * relay's API base URL (`apiBaseUrl`, by default the CORS relay's) when the repository is reached through it.
 */
export async function fillLeeConnection(scope, sandbox, repository = REPOSITORIES.cloud, apiBaseUrl = sandbox.relay.api) {
  await fillConnection(scope, {
    'Connection Name': 'Checkout tests',
    'Access Token': repository.token,
    'Repository URL': `${sandbox.apiOrigin}/${repository.path}`,
    Username: repository.user,
    ...(repository.relay ? { 'API base URL': apiBaseUrl } : {}),
  });
}

/** Creates a project's connection (Checkout Web's by default) as Lee (Quality Lead), then opens its Test artifacts. */
export async function connectAndOpenArtifacts(page, sandbox, repository, project = 'checkout-web') {
  await page.goto(`${sandbox.url}/projects/${project}/integrations/versioning/bitbucket`);
  await signInAs(page, 'Lee Lead (Quality Lead)');
  await fillLeeConnection(page, sandbox, repository);
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('heading', { name: 'Saved connection' }).waitFor();
  await page.goto(`${sandbox.url}/projects/${project}/artifacts`);
  await page.getByRole('heading', { level: 1, name: 'Test artifacts' }).waitFor();
}

/** Exports the project open in `page` (its Test artifacts) and returns the bytes of the `.zip`. */
export async function exportProject(page) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export .zip' }).click(),
  ]);
  return readFileSync(await download.path());
}

/** The sample test case of Checkout Web that the pull tests edit. */
const CASE = 'Add one item from the product page';

/**
 * Pushes the project open in `page` (a page, or the element an app is embedded in) with `message`, optionally
 * tagging `version` or creating `branch`.
 */
export async function push(page, message, version, branch) {
  await page.getByRole('button', { name: 'Push…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Push to Bitbucket' });
  if (branch) {
    await dialog.getByLabel('New branch', { exact: true }).check();
    await field(dialog, 'New branch name').fill(branch);
  }
  await field(dialog, 'Commit message').fill(message);
  if (version) await field(dialog, 'Version name (optional)').fill(version);
  await dialog.getByRole('button', { name: 'Preview' }).click();
  await dialog.getByRole('button', { name: 'Push', exact: true }).click();
  await dialog.locator('.banner.success').waitFor();
  await dialog.getByRole('button', { name: 'Close' }).click();
}

/** The item named `name` in the explorer's artifact trees in `scope` (a page or the element an app is embedded in). */
export function treeItem(scope, name) {
  return scope.getByRole('navigation', { name: 'Artifacts' }).getByRole('treeitem', { name, exact: true });
}

/**
 * Opens the artifacts named `names` in the tree in turn, each inside the one before (a suite, a scenario, a test
 * case), by clicking their names as a user does: an opened item shows what it holds.
 */
export async function openInTree(scope, ...names) {
  for (const name of names) await treeItem(scope, name).locator(':scope > .tree-row').click();
}

/** Opens the test case and sets the keyword of its step number `index` (0 = the first). */
export async function editFirstStep(page, keyword, index = 0) {
  await openInTree(page, 'Cart', 'Add items', CASE);
  const field = page.getByLabel('Keyword').nth(index);
  await field.fill(keyword);
  await field.press('Enter');
  await field.blur();
  await page.getByText('All changes saved in this browser.').waitFor();
}

/** The keyword of step `index` of the sample test case. */
export async function firstKeyword(page, index = 0) {
  await openInTree(page, 'Cart', 'Add items', CASE);
  return page.getByLabel('Keyword').nth(index).inputValue();
}

/** Pulls main into the project open in `page` (a copy that has the same artifacts) and closes the dialog. */
export async function pullMain(page) {
  const dialog = await previewPull(page);
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await dialog.locator('.banner.success').waitFor();
  await dialog.getByRole('button', { name: 'Close' }).click();
}

/** Opens the pull dialog and previews a pull of `name` (a branch unless `what` says otherwise). */
export async function previewPull(page, { what = 'branch', name = 'main', restore = false } = {}) {
  await page.getByRole('button', { name: 'Pull…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Pull from Bitbucket' });
  await dialog.getByLabel('Pull from').selectOption(what);
  await dialog.locator('#pull-name').fill(name);
  if (restore) await dialog.getByLabel(/^Restore/).check();
  await dialog.getByRole('button', { name: 'Preview' }).click();
  await dialog.getByText(/^Commit [0-9a-f]{12}:/).waitFor();
  return dialog;
}
