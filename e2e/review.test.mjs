// Review: a Quality Engineer refused on the main branch pushes a new branch and opens a pull request from the push
// dialog; a Quality Lead approves and merges it in Bitbucket; the History shows the pull request open, approved, then
// merged, and its "Pull main" brings the merged artifacts back; a branch with nothing to merge is refused in
// Bitbucket's words. On both products.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  axeViolationsEverywhere, connectAndOpenArtifacts, editFirstStep, field, fillConnection, firstKeyword, logMark,
  logSince, openPage, signInAs, withSandboxAndBrowser,
} from './support.mjs';

const env = withSandboxAndBrowser();

/** The demo repositories with Eve's (Quality Engineer) credentials: the pull requests she opens are hers. */
const EVE = {
  cloud: { token: 'ATATT-demo-eve-cloud', user: 'eve@example.com', path: 'acme/checkout-tests' },
  dataCenter: { token: 'BBDC-demo-eve', user: 'eve', path: 'scm/qa/regression-suite.git', relay: true },
};

/** Lee's (Quality Lead) approval and merge of a pull request, sent by another tool than the page. */
const LEE = {
  cloud: {
    headers: { Authorization: `Basic ${Buffer.from('lee@example.com:ATATT-demo-lee-cloud').toString('base64')}` },
    pullRequest: (sandbox, id) => `${sandbox.apiOrigin}/2.0/repositories/acme/checkout-tests/pullrequests/${id}`,
    async approve(sandbox, id) {
      return send('POST', `${this.pullRequest(sandbox, id)}/approve`, this.headers);
    },
    async merge(sandbox, id) {
      return send('POST', `${this.pullRequest(sandbox, id)}/merge`, this.headers, {});
    },
  },
  // Straight to the sandbox's Data Center: its XSRF rule lets a client that is not a browser post.
  dataCenter: {
    headers: { Authorization: 'Bearer BBDC-demo-lee' },
    pullRequest: (sandbox, id) => `${sandbox.apiOrigin}/rest/api/latest/projects/QA/repos/regression-suite/pull-requests/${id}`,
    async approve(sandbox, id) {
      return send('PUT', `${this.pullRequest(sandbox, id)}/participants/lee`, this.headers, { status: 'APPROVED' });
    },
    async merge(sandbox, id) {
      const { version } = await send('GET', this.pullRequest(sandbox, id), this.headers);
      return send('POST', `${this.pullRequest(sandbox, id)}/merge?version=${version}`, this.headers, {});
    },
  },
};

/** Bitbucket's refusal of a pull request from a branch main already holds, as the page shows it. */
const NOTHING_TO_MERGE = {
  cloud: /^Bitbucket did not open the pull request: There are no changes to be pulled\.$/,
  dataCenter: /^Bitbucket did not open the pull request: The pull request cannot be created: the target branch is already up-to-date with every commit of the source branch\.$/,
};

/** Sends a request to the sandbox's API and answers its JSON; throws on a refusal. */
async function send(method, url, headers, body) {
  const response = await fetch(url, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** The History's link to pull request `id` in `state`, once the page shows it. */
async function historyShows(page, id, state) {
  const link = page.locator('section.history').getByRole('link', { name: `#${id} ${state}`, exact: true });
  await link.waitFor();
  return link;
}

/** Eve's walk on `product` ("cloud" or "dataCenter"), pushing `branch`. */
async function review(product, branch) {
  const sandbox = env.sandbox;
  const { context, page } = await openPage(env.browser);
  await connectAndOpenArtifacts(page, sandbox, EVE[product]);
  await signInAs(page, 'Eve Engineer (Quality Engineer)');
  await editFirstStep(page, 'Given a reviewed cart');

  // Refused on main, she pushes a new branch from it instead.
  await page.getByRole('button', { name: 'Push…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Push to Bitbucket' });
  await dialog.getByText(/^Quality Engineers cannot push to the main branch main\./).waitFor();
  await dialog.getByRole('button', { name: 'Push a new branch' }).click();
  assert.equal(await dialog.getByLabel('New branch', { exact: true }).isChecked(), true);
  await field(dialog, 'New branch name').fill(branch);
  await field(dialog, 'Commit message').fill('Review the cart');
  await dialog.getByRole('button', { name: 'Preview' }).click();
  await dialog.getByRole('button', { name: 'Push', exact: true }).click();
  await dialog.locator('.banner.success').first().waitFor();

  // The pull request form, prefilled from the push.
  const form = dialog.getByRole('region', { name: 'Open a pull request' });
  assert.equal(await field(form, 'Title').inputValue(), 'Review the cart');
  const description = await field(form, 'Description').inputValue();
  assert.match(description, /\*\*Added\*\*\n/);
  assert.match(description, /- test case: .*Add one item from the product page/);
  assert.equal(await field(form, 'Destination branch').inputValue(), 'main');
  assert.deepEqual(await axeViolationsEverywhere(page), []);
  await form.getByRole('button', { name: 'Open pull request' }).click();
  const opened = form.getByRole('link', { name: /^open pull request #\d+ on Bitbucket$/ });
  await opened.waitFor();
  const id = Number((await opened.textContent()).match(/#(\d+)/)[1]);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await historyShows(page, id, 'open');

  // Lee approves it: the History, shown again, reads it once more.
  await LEE[product].approve(sandbox, id);
  const mark = await logMark(sandbox);
  await page.reload();
  await historyShows(page, id, 'approved');
  const reads = (await logSince(sandbox, mark))
    .filter((line) => line.method === 'GET' && new RegExp(`/pull-?requests/${id}$`).test(line.path));
  assert.equal(reads.length, 1, 'the History reads the open pull request once');

  await LEE[product].merge(sandbox, id);
  await page.reload();
  await historyShows(page, id, 'merged');
  assert.deepEqual(await axeViolationsEverywhere(page), []);

  // Pull main: the merged artifacts come from the main branch.
  await page.locator('section.history').getByRole('button', { name: 'Pull main' }).click();
  const pull = page.getByRole('dialog', { name: 'Pull from Bitbucket' });
  assert.equal(await pull.locator('#pull-name').inputValue(), 'main');
  await pull.getByRole('button', { name: 'Preview' }).click();
  await pull.getByText(/^Commit [0-9a-f]{12}:/).waitFor();
  await pull.getByRole('button', { name: 'Apply' }).click();
  await pull.locator('.banner.success').waitFor();
  await pull.getByRole('button', { name: 'Close' }).click();
  const pulled = page.locator('section.history tbody tr').first();
  assert.match(await pulled.innerText(), /pull\s+main/);
  assert.equal(await firstKeyword(page), 'Given a reviewed cart');

  // A new branch with nothing main does not hold: Bitbucket's refusal, in its words.
  await page.getByRole('button', { name: 'Push…' }).click();
  await dialog.getByRole('button', { name: 'Push a new branch' }).click();
  await field(dialog, 'New branch name').fill(`${branch}-again`);
  await field(dialog, 'Commit message').fill('Nothing new');
  await dialog.getByRole('button', { name: 'Preview' }).click();
  await dialog.getByRole('button', { name: 'Push', exact: true }).click();
  await dialog.getByText(/^Nothing to push/).first().waitFor();
  await form.getByRole('button', { name: 'Open pull request' }).click();
  const refusal = form.getByRole('alert');
  await refusal.waitFor();
  assert.match(await refusal.innerText(), NOTHING_TO_MERGE[product]);
  await context.close();
}

describe('review', () => {
  it('Cloud: a Quality Engineer opens a pull request, approved and merged by a Quality Lead, then pulls main', async () => {
    await review('cloud', 'review/cart-cloud');
  });

  it('Data Center: a Quality Engineer opens a pull request, approved and merged by a Quality Lead, then pulls main', async () => {
    await review('dataCenter', 'review/cart-dc');
  });

  it('Cloud: a token without the pull request scopes is said so where a Quality Engineer is refused on main', async () => {
    const { context, page } = await openPage(env.browser);
    await page.goto(`${env.sandbox.url}/projects/checkout-web/integrations/versioning/bitbucket`);
    await signInAs(page, 'Lee Lead (Quality Lead)');
    await fillConnection(page, {
      'Connection Name': 'Checkout tests',
      'Access Token': 'ATCTT-demo-repo-checkout-tests',
      'Repository URL': `${env.sandbox.apiOrigin}/acme/checkout-tests`,
      Username: 'ci-bot',
      pat: true,
    });
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Saved connection' }).waitFor();
    await page.goto(`${env.sandbox.url}/projects/checkout-web/artifacts`);
    await signInAs(page, 'Eve Engineer (Quality Engineer)');
    await page.getByRole('button', { name: 'Push…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Push to Bitbucket' });
    await dialog.getByRole('button', { name: 'Push a new branch' }).waitFor();
    const warning = dialog.locator('.review-offer .banner.warning');
    assert.match(await warning.innerText(), /^This connection's token cannot open pull requests: it lacks the scope .*pullrequest/);
    await context.close();
  });
});
