// The shipped Data Center relay (relay/, in Debian's nginx, as the other tests run it): a browser's POST reaches
// Data Center only through it, on either server; its CORS answers; a body above nginx's default limit passes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startRelay, startSandbox } from './support.mjs';

const env = {};
before(async () => {
  env.sandbox = await startSandbox();
  env.relay = await startRelay(env.sandbox);
});
after(async () => {
  await env.relay?.stop();
  await env.sandbox?.stop();
});

/** The demo Data Center repository's REST path, below a Data Center API base URL. */
const REPOSITORY = '/api/latest/projects/QA/repos/regression-suite';

/** What Chromium sends on the app's page (127.0.0.1, another origin than the API), with Lee's token. */
const fromTheApp = () => ({
  Authorization: 'Bearer BBDC-demo-lee',
  'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  Origin: env.sandbox.url,
  Referer: `${env.sandbox.url}/projects/checkout-web/artifacts`,
});

/** POSTs `body` as JSON to `path` below `api` as the app's page does. */
function post(api, path, body) {
  return fetch(`${api}${path}`, {
    method: 'POST',
    headers: { ...fromTheApp(), 'Content-Type': 'application/json', 'X-Atlassian-Token': 'no-check' },
    body: JSON.stringify(body),
  });
}

describe('Data Center relay', () => {
  it("lets a browser's POST reach Data Center only through the relay, on either server", async () => {
    const apis = {
      direct: `${env.sandbox.apiOrigin}/rest`,
      cors: env.relay.api,
      sameOrigin: `${env.relay.sameOrigin}/bitbucket/rest`,
    };
    for (const [way, api] of Object.entries(apis)) {
      const tag = await post(api, `${REPOSITORY}/tags`, { name: `v-${way}`, startPoint: 'main' });
      const branch = await post(api, '/branch-utils/latest/projects/QA/repos/regression-suite/branches', {
        name: `feature/${way}`, startPoint: 'main',
      });
      if (way === 'direct') {
        for (const refused of [tag, branch]) {
          assert.equal(refused.status, 403);
          assert.equal(await refused.text(), 'XSRF check failed');
        }
      } else {
        assert.equal(tag.status, 200, await tag.text());
        assert.equal(branch.status, 201, await branch.text());
      }
    }
  });

  it("answers preflights for the app's origin only, allowing the headers the app sends, and exposes X-AUSERNAME", async () => {
    const preflight = (origin) => fetch(`${env.relay.api}${REPOSITORY}/tags`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
    });
    const allowed = await preflight(env.sandbox.url);
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get('access-control-allow-origin'), env.sandbox.url);
    assert.match(allowed.headers.get('access-control-allow-methods'), /\bPOST\b.*\bPUT\b/);
    const headers = allowed.headers.get('access-control-allow-headers').split(/,\s*/).map((name) => name.toLowerCase());
    for (const name of ['authorization', 'content-type', 'accept', 'x-atlassian-token']) assert.ok(headers.includes(name), name);
    assert.equal((await preflight('http://evil.example')).headers.get('access-control-allow-origin'), null);

    const { Authorization, Origin } = fromTheApp();
    const answer = await fetch(`${env.relay.api}/api/latest/application-properties`, { headers: { Authorization, Origin } });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('x-ausername'), 'lee');
    assert.match(answer.headers.get('access-control-expose-headers'), /\bX-AUSERNAME\b/);
    const refused = await fetch(`${env.relay.api}${REPOSITORY}/branches`, { headers: { Origin } });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('access-control-allow-origin'), Origin, 'Data Center refusals are readable too');
  });

  it("passes a file above nginx's default body limit of 1 MiB", async () => {
    const form = new FormData();
    form.append('content', new Blob(['x'.repeat(3 * 1024 * 1024)]), 'large.txt');
    form.append('branch', 'feature/large');
    form.append('sourceBranch', 'main');
    form.append('message', 'A large file');
    const answer = await fetch(`${env.relay.api}${REPOSITORY}/browse/large.txt`, {
      method: 'PUT', headers: { ...fromTheApp(), 'X-Atlassian-Token': 'no-check' }, body: form,
    });
    assert.equal(answer.status, 200, await answer.text());
  });
});
