// The browser benchmarks: the release app in Debian's Chromium against the sandbox (over HTTPS and HTTP/2, as
// Bitbucket serves it, so that 20 requests can be in flight) with injected latency, on synthetic projects.
// Strategies, interleaved run by run: A one request and one commit per file, one at a time; B the same with
// `scm_export_worker_count` (20) in flight; C the product as it ships. Started by scripts/bench.sh; writes
// BENCHMARKS.md, benchmarks.svg and benchmarks.png at the repository's root (and the raw results under
// target/benchmark/). `--quick` runs a small matrix to check the harness.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { REPOSITORIES, startRelay } from '../support.mjs';
import { connect, editTestCases, importProject, openArtifacts, pull, push, session } from './browser.mjs';
import { syntheticProject } from './projects.mjs';
import { report } from './report.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cache = join(root, 'target', 'benchmark');
// The sandbox's certificate is made at its start; this process talks to it only to set its latency.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const quick = process.argv.includes('--quick');
const ALL = ['open explorer', 'first push', 'no change', 'restore', '10 changes push', '10 changes pull'];
const TRANSFERS = ['first push', 'restore'];

/**
 * What runs: each row a flavour, a latency, a strategy, the sizes, the scenarios and the runs. A (one request
 * at a time) is measured where its time stays within minutes per run; the notes of BENCHMARKS.md say where it
 * is left out.
 */
const MATRIX = narrowed(quick
  ? [
    { flavour: 'cloud', latency: 50, strategy: 'C', sizes: [100], scenarios: ALL, runs: 1 },
    { flavour: 'cloud', latency: 50, strategy: 'B', sizes: [100], scenarios: ALL, runs: 1 },
    { flavour: 'cloud', latency: 50, strategy: 'A', sizes: [100], scenarios: ALL, runs: 1 },
    { flavour: 'dc', latency: 50, strategy: 'C', sizes: [100], scenarios: ALL, runs: 1 },
  ]
  : [
    { flavour: 'cloud', latency: 50, strategy: 'C', sizes: [100, 1000, 10000, 100000], scenarios: ALL, runs: 5 },
    { flavour: 'cloud', latency: 50, strategy: 'B', sizes: [100, 1000], scenarios: ALL, runs: 5 },
    { flavour: 'cloud', latency: 50, strategy: 'A', sizes: [100], scenarios: ALL, runs: 5 },
    { flavour: 'dc', latency: 50, strategy: 'C', sizes: [100, 1000, 10000], scenarios: ALL, runs: 5 },
    { flavour: 'dc', latency: 50, strategy: 'B', sizes: [100, 1000], scenarios: ALL, runs: 5 },
    ...[0, 150].flatMap((latency) => ['C', 'B'].map((strategy) => (
      { flavour: 'cloud', latency, strategy, sizes: [1000], scenarios: TRANSFERS, runs: 5 }))),
  ]);
const NAVIGATIONS = quick ? 3 : 7;
/** Bare `fetch` calls per calibration: what the browser itself needs for that many API requests. */
const CALIBRATION_FETCHES = quick ? 200 : 1000;
const IN_FLIGHT = 20;

/** `--flavour cloud|dc`, `--strategy A|B|C`, `--size N`, `--runs N`: narrow the matrix (e.g. to rerun one cell). */
function narrowed(matrix) {
  const option = (name) => {
    const index = process.argv.indexOf(`--${name}`);
    return index > 0 ? process.argv[index + 1] : undefined;
  };
  const [flavour, strategy, size, runs] = ['flavour', 'strategy', 'size', 'runs'].map(option);
  return matrix
    .filter((row) => (!flavour || row.flavour === flavour) && (!strategy || row.strategy === strategy))
    .map((row) => ({ ...row, sizes: size ? row.sizes.filter((s) => s === Number(size)) : row.sizes,
      runs: runs ? Number(runs) : row.runs }))
    .filter((row) => row.sizes.length > 0);
}

/**
 * The benchmarks' build of the app (scripts/bench.sh): the release build with the per-file strategies A and B and
 * their switch (feature `benchmark-strategies`), which the shipped build in dist/ does not hold.
 */
const BENCHMARK_DIST = join(root, 'target', 'benchmark-dist');

/**
 * Starts the release sandbox with TLS on a free port, serving the benchmarks' build, its repositories in memory
 * where the machine has a memory file system (the time a commit takes is then the server's work, not this
 * machine's disk).
 */
function startSandbox() {
  const binary = join(root, 'target', 'release', 'bitbucket-sandbox');
  const data = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'bitbucket-sandbox-'));
  // Without Cloud's hourly limit: the benchmarks measure time, and the per-file strategies they compare with
  // send more requests in a run than Cloud allows a user in an hour (BENCHMARKS.md counts them).
  const child = spawn(binary, ['--serve', BENCHMARK_DIST, '--port', '0', '--tls', '--log', '/dev/null',
    '--data-dir', data, '--cloud-requests-per-hour', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.on('exit', (code) => reject(new Error(`the sandbox exited (${code})`)));
    child.stdout.on('data', (chunk) => {
      buffer += chunk.toString();
      const match = buffer.match(/listening on (https:\/\/127\.0\.0\.1:(\d+))/);
      if (match) {
        resolve({
          url: match[1],
          apiOrigin: `https://localhost:${match[2]}`,
          stop: () => {
            child.removeAllListeners('exit');
            child.kill();
            rmSync(data, { recursive: true, force: true });
          },
        });
      }
    });
  });
}

/**
 * The release build's sizes (dist/, as it ships): the first module's WebAssembly (raw and gzip) and JavaScript, and
 * the same for the build with the explorer, which a page loads when the explorer is first opened.
 */
function releaseSizes() {
  const dist = join(root, 'dist');
  const file = (pattern) => readFileSync(join(dist, readdirSync(dist).find((name) => pattern.test(name))));
  const sizes = (name) => {
    const wasm = file(new RegExp(`^${name}-[0-9a-f]+_bg\\.wasm$`));
    return { raw: wasm.length, gzip: gzipSync(wasm, { level: 9 }).length, js: file(new RegExp(`^${name}-[0-9a-f]+\\.js$`)).length };
  };
  return { ...sizes('bitbucket-versioning'), explorer: sizes('explorer') };
}

async function setLatency(sandbox, latency) {
  const response = await fetch(`${sandbox.url}/_sandbox/faults`, {
    method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ latency_ms: latency }),
  });
  if (!response.ok) throw new Error(`setting the latency: ${response.status}`);
}

/**
 * Time from navigation to an interactive connection form (of the demo project Checkout Web), in a fresh session
 * each time: nothing cached, the demo projects stored on the way.
 */
async function navigation(browser, sandbox) {
  const times = [];
  for (let i = 0; i < NAVIGATIONS; i += 1) {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    const started = performance.now();
    await page.goto(`${sandbox.url}/projects/checkout-web/integrations/versioning/bitbucket`);
    await page.getByLabel(/^Connection Name/).waitFor();
    await page.getByLabel(/^Connection Name/).fill('x');
    times.push((performance.now() - started) / 1000);
    await context.close();
  }
  return times;
}

/**
 * What the browser itself needs for API requests at the group's latency: `CALIBRATION_FETCHES` bare `fetch` calls
 * from the app's page, `IN_FLIGHT` at a time, each to its own URL with the connection's authorization (so each is
 * cross-origin with a preflight, like the app's reads), their bodies read. Answers seconds per request.
 */
async function fetchCost(s, sandbox, group, repository) {
  const cloud = group.flavour === 'cloud';
  const url = cloud
    ? `${sandbox.apiOrigin}/2.0/repositories/${repository.path}/refs/branches/main`
    : `${sandbox.relay.api}/api/latest/projects/QA/repos/regression-suite/branches`;
  const authorization = cloud
    ? `Basic ${Buffer.from(`${repository.user}:${repository.token}`).toString('base64')}`
    : `Bearer ${repository.token}`;
  const seconds = await s.page.evaluate(async ({ url, authorization, count, inFlight }) => {
    const started = performance.now();
    const tag = `${Date.now()}`;
    let next = 0;
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const at = next;
        next += 1;
        const response = await fetch(`${url}?calibration=${tag}-${at}`, { headers: { Authorization: authorization } });
        if (!response.ok) throw new Error(`calibration: ${response.status}`);
        await response.arrayBuffer();
      }
    }));
    return (performance.now() - started) / 1000;
  }, { url, authorization, count: CALIBRATION_FETCHES, inFlight: IN_FLIGHT });
  return seconds / CALIBRATION_FETCHES;
}

/**
 * One run of every scenario of `row` at `size`: X pushes to a fresh branch and again without change; Y (another
 * browser session) restores the branch; X edits 10 test cases and pushes them; Y pulls them.
 */
async function oneRun(row, sessions, size, run, record) {
  const { x, y } = sessions;
  const branch = `bench/${row.flavour}-${row.strategy}-${row.latency}-${size}-${run}-${Date.now()}`;
  const wants = (scenario) => row.scenarios.includes(scenario);
  const keep = (scenario, result) => {
    if (wants(scenario)) record({ ...row, size, run, scenario, ...result });
  };
  keep('first push', await push(x, branch, true, 'Benchmark: first push'));
  if (wants('no change')) keep('no change', await push(x, branch, false, 'Benchmark: no change'));
  if (wants('restore') || wants('10 changes pull')) keep('restore', await pull(y, branch, true));
  if (wants('10 changes push') || wants('10 changes pull')) {
    await editTestCases(x, 10, `Run ${run} of ${row.strategy}`);
    keep('10 changes push', await push(x, branch, false, 'Benchmark: 10 changes'));
  }
  if (wants('10 changes pull')) keep('10 changes pull', await pull(y, branch, false));
}

/** Runs one group (a flavour, a latency, a size): sessions for each strategy, then the runs, interleaved. */
async function runGroup(browser, sandbox, projects, group, record, calibrate) {
  await setLatency(sandbox, 0);
  const project = projects.get(group.size);
  const repository = group.flavour === 'cloud' ? REPOSITORIES.cloud : REPOSITORIES.dataCenter;
  const open = new Map();
  for (const row of group.rows) {
    const s = { x: await session(browser, sandbox, row.strategy), y: await session(browser, sandbox, row.strategy) };
    for (const one of [s.x, s.y]) {
      await importProject(one, sandbox, project);
      await connect(one, sandbox, project, repository);
    }
    open.set(row, s);
  }
  try {
    await setLatency(sandbox, group.latency);
    const most = Math.max(...group.rows.map((row) => row.runs));
    for (let run = 1; run <= most; run += 1) {
      for (const row of group.rows.filter((r) => run <= r.runs)) {
        const s = open.get(row);
        const opened = await openArtifacts(s.x, sandbox, project);
        if (row.scenarios.includes('open explorer')) {
          record({ ...row, size: group.size, run, scenario: 'open explorer', ...opened });
        }
        await openArtifacts(s.y, sandbox, project);
        await oneRun(row, s, group.size, run, record);
      }
    }
    const first = open.values().next().value;
    calibrate({ flavour: group.flavour, latency: group.latency, size: group.size,
      perRequest: await fetchCost(first.y, sandbox, group, repository) });
  } finally {
    for (const s of open.values()) {
      await s.x.context.close();
      await s.y.context.close();
    }
  }
}

async function main() {
  mkdirSync(cache, { recursive: true });
  const sizes = [...new Set(MATRIX.flatMap((row) => row.sizes))];
  const projects = new Map(sizes.map((size) => [size, syntheticProject(root, cache, size)]));
  const sandbox = await startSandbox();
  // Data Center through the shipped relay, over HTTPS and HTTP/2 as the sandbox: as a browser reaches it.
  sandbox.relay = await startRelay(sandbox, { tls: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-sync',
      '--disable-background-networking', '--disable-component-update', '--disable-dev-shm-usage',
      '--ignore-certificate-errors'],
  });
  const results = [];
  const failures = [];
  const calibrations = [];
  const calibrate = (calibration) => {
    calibrations.push(calibration);
    console.log(`${calibration.flavour} ${calibration.latency} ms ${calibration.size}: a bare fetch costs `
      + `${(calibration.perRequest * 1000).toFixed(2)} ms with ${IN_FLIGHT} in flight`);
  };
  const record = (result) => {
    results.push(result);
    writeFileSync(join(cache, 'results.json'), JSON.stringify({ results }, null, 1));
    console.log(`${result.flavour} ${result.latency} ms ${result.strategy} ${result.size} #${result.run} ${result.scenario}: `
      + `${result.seconds.toFixed(2)} s, ${result.requests} requests, ${result.commits} commits`);
  };
  try {
    await setLatency(sandbox, 50);
    const navigations = await navigation(browser, sandbox);
    // Sessions per flavour, latency and size: the three strategies reuse them, so that their runs interleave.
    const groups = new Map();
    for (const row of MATRIX) {
      for (const size of row.sizes) {
        const key = `${row.flavour} ${row.latency} ${size}`;
        if (!groups.has(key)) groups.set(key, { flavour: row.flavour, latency: row.latency, size, rows: [] });
        groups.get(key).rows.push(row);
      }
    }
    for (const group of groups.values()) {
      try {
        await runGroup(browser, sandbox, projects, group, record, calibrate);
      } catch (error) {
        const where = `${group.flavour}, ${group.latency} ms, ${group.size} test cases`;
        console.error(`${where}: ${error.message}`);
        failures.push(`${where}: ${error.message.split('\n')[0]}`);
      }
    }
    const machine = {
      cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`,
      memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
      chromium: browser.version(),
      date: new Date().toISOString().slice(0, 10),
      command: ['scripts/bench.sh', ...process.argv.slice(2)].join(' '),
    };
    writeFileSync(join(cache, 'results.json'), JSON.stringify({ machine, navigations, results, calibrations, failures, projects:
      [...projects.values()].map(({ archive, ...rest }) => rest) }, null, 1));
    await report(root, browser,
      { machine, navigations, results, calibrations, failures, projects: [...projects.values()], wasm: releaseSizes() });
  } finally {
    await browser.close();
    await sandbox.relay.stop();
    sandbox.stop();
  }
}

await main();
