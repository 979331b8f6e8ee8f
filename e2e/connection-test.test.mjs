// Create tests the connection against the sandbox and says precisely what is wrong when it fails.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { axeViolationsEverywhere, control, fillConnection, openBitbucketPage, openPage, screenshot, waitUntil, withSandboxAndBrowser } from './support.mjs';

const env = withSandboxAndBrowser();

beforeEach(async () => {
  await control(env.sandbox, 'faults', 'PUT', {});
});

const cloudUrl = () => `${env.sandbox.apiOrigin}/acme/checkout-tests.git`;
const dcUrl = () => `${env.sandbox.apiOrigin}/scm/qa/regression-suite.git`;

/** Fills, presses Create, and waits for the saved connection or the failure banner. */
async function create(values, shot) {
  const { context, page } = await openPage(env.browser);
  await openBitbucketPage(page, env.sandbox);
  await fillConnection(page, { 'Connection Name': 'Checkout tests', ...values });
  await page.getByRole('button', { name: 'Create' }).click();
  const saved = page.getByRole('heading', { name: 'Saved connection' });
  const failed = page.getByRole('alert');
  await saved.or(failed).first().waitFor();
  if (shot) await screenshot(page, shot);
  const tokens = Object.values(values).filter((v) => typeof v === 'string' && /demo/.test(v));
  for (const token of tokens) {
    assert.ok(!page.requestUrls.some((u) => u.includes(token)), 'the token is in no request URL');
    assert.ok(!page.consoleMessages.some((m) => m.includes(token)), 'the token is in no console message');
  }
  return { context, page, saved: await saved.isVisible() };
}

const fact = (page, name) => page.locator(`[data-fact=${name}]`).textContent();

async function failureText(page) {
  return (await page.getByRole('alert').textContent()).replace(/\s+/g, ' ');
}

describe('connection test on Create', () => {
  it('connects with a Cloud API token (email + token): write permission and main branch', async () => {
    const { context, page, saved } = await create({
      'Access Token': 'ATATT-demo-quinn-cloud', 'Repository URL': cloudUrl(), Username: 'quinn@example.com',
    }, 'connection-cloud-saved');
    assert.ok(saved);
    assert.equal(await fact(page, 'permission'), 'write');
    assert.equal(await fact(page, 'main-branch'), 'main');
    assert.match(await fact(page, 'identity'), /Quinn Manager/);
    assert.match(await fact(page, 'restrictions'), /Not visible to this token/);
    assert.equal(await fact(page, 'push'), 'Available');
    const steps = await page.locator('.check.passed').count();
    assert.equal(steps, 4, 'four steps passed, restrictions not visible');
    const userCalls = async () => (await control(env.sandbox, 'log?limit=1000')).filter((l) => l.path === '/2.0/user').length;
    const before = await userCalls();
    await page.getByRole('button', { name: 'Test again' }).click();
    await waitUntil(async () => (await userCalls()) > before && (await page.locator('.check.not-visible').count()) === 1);
    assert.equal(await fact(page, 'permission'), 'write');
    await context.close();
  });

  it('an admin sees the branch restrictions', async () => {
    const { context, page, saved } = await create({
      'Access Token': 'ATATT-demo-ada-cloud', 'Repository URL': cloudUrl(), Username: 'ada@example.com',
    });
    assert.ok(saved);
    assert.equal(await fact(page, 'permission'), 'admin');
    assert.match(await fact(page, 'restrictions'), /push on main/);
    await context.close();
  });

  it('connects with a repository access token as Bearer (PAT), inferring write', async () => {
    const { context, page, saved } = await create({
      'Access Token': 'ATCTT-demo-repo-checkout-tests', 'Repository URL': cloudUrl(), Username: 'ci-bot', pat: true,
    });
    assert.ok(saved);
    assert.match(await fact(page, 'permission'), /^write \(inferred from the kind of token/);
    await context.close();
  });

  it('connects to Data Center with a user token through the relay', async () => {
    const { context, page, saved } = await create({
      'Access Token': 'BBDC-demo-lee', 'Repository URL': dcUrl(), Username: 'lee', 'API base URL': env.sandbox.relay.api,
    }, 'connection-dc-saved');
    assert.ok(saved);
    assert.equal(await fact(page, 'permission'), 'write');
    assert.equal(await fact(page, 'main-branch'), 'main');
    await context.close();
  });

  it('says that Data Center needs the relay when the page reaches it without one', async () => {
    const { context, page, saved } = await create({
      'Access Token': 'BBDC-demo-lee', 'Repository URL': dcUrl(), Username: 'lee',
    }, 'connection-dc-no-relay');
    assert.ok(!saved);
    const text = await failureText(page);
    assert.match(text, /^Connection test failed: Bitbucket Data Center did not answer this page: it needs a relay\. Nothing was saved\./);
    assert.match(text, /install the nginx relay shipped with this app \(see the README, .Data Center: the relay.\)/);
    assert.match(text, /as the API base URL under Advanced/);
    await context.close();
  });

  const failures = [
    ['a wrong token', { 'Access Token': 'ATATT-wrong', Username: 'ada@example.com' }, /^Connection test failed: the credentials were refused\. Nothing was saved\..*(invalid|wrong|expired)/i],
    ['a token without scopes', { 'Access Token': 'ATATT-demo-ada-unscoped', Username: 'ada@example.com' }, /(no Bitbucket scopes|Create API token with scopes)/],
    ['an expired token', { 'Access Token': 'ATATT-demo-ada-expired', Username: 'ada@example.com' }, /expired/i],
  ];
  for (const [what, values, expected] of failures) {
    it(`names the problem with ${what}`, async () => {
      const { context, page, saved } = await create({ 'Repository URL': cloudUrl(), ...values });
      assert.ok(!saved);
      assert.match(await failureText(page), expected);
      assert.match(await failureText(page), /Nothing was saved/);
      await context.close();
    });
  }

  it('shows a failed test without an axe-core violation, light and dark, narrow and wide', async () => {
    const { context, page, saved } = await create({ 'Access Token': 'ATATT-wrong', 'Repository URL': cloudUrl(), Username: 'ada@example.com' });
    assert.ok(!saved);
    assert.deepEqual(await axeViolationsEverywhere(page), []);
    await context.close();
  });

  it('saves a read-only connection with push marked unavailable', async () => {
    const { context, page, saved } = await create({
      'Access Token': 'ATATT-demo-rory-cloud', 'Repository URL': cloudUrl(), Username: 'rory@example.com',
    });
    assert.ok(saved);
    assert.equal(await fact(page, 'permission'), 'read');
    assert.match(await fact(page, 'push'), /^Unavailable: /);
    await context.close();
  });

  it('tells an unknown repository apart from bad credentials', async () => {
    const { context, page, saved } = await create({
      'Access Token': 'ATATT-demo-ada-cloud', 'Repository URL': `${env.sandbox.apiOrigin}/acme/no-such-repo`, Username: 'ada@example.com',
    }, 'connection-not-found');
    assert.ok(!saved);
    const text = await failureText(page);
    assert.match(text, /^Connection test failed: the repository was not found\. Nothing was saved\./);
    assert.match(text, /not found, or these credentials cannot see it/);
    await context.close();
  });

  it('says why and when to retry after Cloud\'s 429, and explains a 503', async () => {
    await control(env.sandbox, 'faults', 'PUT', { fail_next: [429] });
    let run = await create({ 'Access Token': 'ATATT-demo-ada-cloud', 'Repository URL': cloudUrl(), Username: 'ada@example.com' }, 'connection-429');
    assert.ok(!run.saved);
    assert.match(await failureText(run.page), /hourly request limit for this account is used up .* Try again later/);
    await run.context.close();

    await control(env.sandbox, 'faults', 'PUT', { fail_next: [503] });
    run = await create({ 'Access Token': 'ATATT-demo-ada-cloud', 'Repository URL': cloudUrl(), Username: 'ada@example.com' });
    assert.ok(!run.saved);
    assert.match(await failureText(run.page), /Bitbucket had a problem \(HTTP 503\)/);
    await run.context.close();
  });

  it('reports a timeout-free unreachable server as a network problem', async () => {
    const { context, page, saved } = await create({
      'Access Token': 'BBDC-demo-lee', 'Repository URL': 'http://127.0.0.1:9/scm/qa/regression-suite.git', Username: 'lee',
    });
    assert.ok(!saved);
    assert.match(await failureText(page), /Could not reach Bitbucket Data Center/);
    await context.close();
  });
});
