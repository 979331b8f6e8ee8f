// BENCHMARKS.md and its chart from the results of one run of the browser benchmarks.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SCENARIOS = ['open explorer', 'first push', 'no change', '10 changes push', 'restore', '10 changes pull'];
const FLAVOURS = { cloud: 'Bitbucket Cloud', dc: 'Bitbucket Data Center' };
/** The link rate the floor assumes for the bytes (the sandbox adds latency, not a bandwidth limit). */
const LINK_BYTES_PER_SECOND = 100e6 / 8;
const IN_FLIGHT = 20;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const kb = (bytes) => `${(bytes / 1024).toFixed(bytes < 10240 ? 1 : 0)}`;
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const secs = (s) => (s < 10 ? s.toFixed(2) : s.toFixed(1));

/** The runs of one cell, summarised: medians, and the range of the wall time. */
function summary(runs) {
  if (runs.length === 0) return null;
  const pick = (key) => median(runs.map((r) => r[key]));
  const seconds = runs.map((r) => r.seconds);
  return {
    runs: runs.length,
    seconds: pick('seconds'),
    min: Math.min(...seconds),
    max: Math.max(...seconds),
    requests: pick('requests'),
    sent: pick('sent'),
    received: pick('received'),
    commits: pick('commits'),
    peakHeap: Math.max(...runs.map((r) => r.peakHeap)),
    peakWasm: Math.max(...runs.map((r) => r.peakWasm)),
    heldBefore: pick('heldBefore'),
    peakHeld: Math.max(...runs.map((r) => r.peakHeld)),
    whole: runs.every((r) => r.whole !== undefined) ? pick('whole') : undefined,
  };
}

/**
 * The least time the product's requests can take, the larger of two bounds. The network: pushes are a chain
 * (each request waits for the one before), pulls read the tip, the manifest (and the diff since the base, or the
 * folder in one request) in turn, then download `IN_FLIGHT` at a time; plus the bytes at 100 Mbit/s. The browser: as many bare `fetch` calls as
 * requests, at the cost per call measured in the same browser at the same latency (`perRequest`, seconds).
 */
function floor(scenario, cell, latency, perRequest) {
  const serial = scenario === 'restore' ? 2 : 3;
  const rounds = scenario.includes('pull') || scenario === 'restore'
    ? Math.min(cell.requests, serial) + Math.ceil(Math.max(0, cell.requests - serial) / IN_FLIGHT)
    : cell.requests;
  const network = (rounds * latency) / 1000 + (cell.sent + cell.received) / LINK_BYTES_PER_SECOND;
  return Math.max(network, cell.requests * (perRequest ?? 0));
}

/** The measured cost of one bare fetch for a flavour and latency (the mean over the groups that measured it). */
function fetchCosts(calibrations) {
  return (flavour, latency) => {
    const own = calibrations.filter((c) => c.flavour === flavour && c.latency === latency);
    return own.length ? own.reduce((sum, c) => sum + c.perRequest, 0) / own.length : null;
  };
}

function cells(results) {
  const map = new Map();
  for (const r of results) {
    const key = [r.scenario, r.flavour, r.latency, r.size, r.strategy].join('|');
    if (!map.has(key)) map.set(key, []);
    map.get(key).push(r);
  }
  return (scenario, flavour, latency, size, strategy) =>
    summary(map.get([scenario, flavour, latency, size, strategy].join('|')) ?? []);
}

function table(cell, scenario, results, perRequest) {
  const keys = [...new Set(results.filter((r) => r.scenario === scenario)
    .map((r) => `${r.flavour}|${r.latency}|${r.size}`))];
  const rows = keys.map((key) => key.split('|')).sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1] || a[2] - b[2]);
  // Opening the explorer: the time to the first tree level, and to the project read whole.
  const opening = scenario === 'open explorer';
  const lines = opening
    ? ['| flavour | latency | test cases | strategy | first tree level: median (min–max) | project read whole | peak wasm |',
      '|---|---:|---:|---|---|---:|---:|']
    : ['| flavour | latency | test cases | strategy | wall time: median (min–max) | requests | sent / received KB | commits | vs C | C / floor |',
      '|---|---:|---:|---|---|---:|---:|---:|---:|---:|'];
  for (const [flavour, latency, size] of rows) {
    const c = cell(scenario, flavour, Number(latency), Number(size), 'C');
    for (const strategy of ['A', 'B', 'C']) {
      const s = cell(scenario, flavour, Number(latency), Number(size), strategy);
      if (!s) continue;
      const time = `${secs(s.seconds)} s (${secs(s.min)}–${secs(s.max)}), ${s.runs} runs`;
      if (opening) {
        lines.push(`| ${FLAVOURS[flavour]} | ${latency} ms | ${Number(size).toLocaleString('en')} | ${strategy} | ${time} | `
          + `${secs(s.whole)} s | ${mb(s.peakWasm)} |`);
        continue;
      }
      const ratio = strategy !== 'C' && c ? `${(s.seconds / c.seconds).toFixed(1)} ×` : '';
      const bound = strategy === 'C' ? floor(scenario, s, Number(latency), perRequest(flavour, Number(latency))) : null;
      const distance = bound >= 0.01 ? `${secs(bound)} s (${(s.seconds / bound).toFixed(2)} ×)` : (bound === null ? '' : '0 s');
      lines.push(`| ${FLAVOURS[flavour]} | ${latency} ms | ${Number(size).toLocaleString('en')} | ${strategy} | `
        + `${time} | ${s.requests} | `
        + `${kb(s.sent)} / ${kb(s.received)} | ${s.commits} | ${ratio} | ${distance} |`);
    }
  }
  return lines.join('\n');
}

/**
 * The app's heap in each scenario of C: what it held when the scenario started and the most it held while it
 * ran (counted by the allocator of the benchmarks' build), beside the page's WebAssembly memory, which only
 * grows and so tells the most the session held up to then.
 */
function memoryTable(cell, results) {
  const keys = [...new Set(results.filter((r) => r.strategy === 'C' && r.peakHeld)
    .map((r) => `${r.flavour}|${r.latency}|${r.size}`))];
  const rows = keys.map((key) => key.split('|')).sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1] || a[2] - b[2]);
  const lines = ['| flavour | latency | test cases | scenario | heap at the start | most heap held | wasm memory |',
    '|---|---:|---:|---|---:|---:|---:|'];
  for (const [flavour, latency, size] of rows) {
    for (const scenario of SCENARIOS) {
      const s = cell(scenario, flavour, Number(latency), Number(size), 'C');
      if (!s?.peakHeld) continue;
      lines.push(`| ${FLAVOURS[flavour]} | ${latency} ms | ${Number(size).toLocaleString('en')} | ${scenario} | `
        + `${mb(s.heldBefore)} | ${mb(s.peakHeld)} | ${mb(s.peakWasm)} |`);
    }
  }
  return lines.length > 2 ? lines.join('\n') : 'Not measured.';
}

/** Targets: each stated with its number and whether it is met. */
function targets(cell, navigations, wasmGzip) {
  const out = [];
  const say = (text, met, number) => out.push(`| ${text} | ${number} | ${met === null ? 'not measured' : met ? 'met' : '**not met**'} |`);
  const first = cell('first push', 'cloud', 50, 1000, 'C');
  const firstB = cell('first push', 'cloud', 50, 1000, 'B');
  say('First push of 1,000 test cases at 50 ms, Cloud: ≤ 4 requests, < 1.5 s, ≥ 10 × faster than B',
    first && firstB ? first.requests <= 4 && first.seconds < 1.5 && firstB.seconds / first.seconds >= 10 : null,
    first && firstB ? `${first.requests} requests, ${secs(first.seconds)} s, ${(firstB.seconds / first.seconds).toFixed(1)} × faster than B` : '–');
  const dcFirst = cell('first push', 'dc', 50, 1000, 'C');
  const dcFirstB = cell('first push', 'dc', 50, 1000, 'B');
  say('First push of 1,000 test cases at 50 ms, Data Center (over git, through the relay): ≤ 4 requests, < 1.5 s, ≥ 5 × faster than B',
    dcFirst && dcFirstB ? dcFirst.requests <= 4 && dcFirst.seconds < 1.5 && dcFirstB.seconds / dcFirst.seconds >= 5 : null,
    dcFirst && dcFirstB ? `${dcFirst.requests} requests, ${secs(dcFirst.seconds)} s, ${(dcFirstB.seconds / dcFirst.seconds).toFixed(1)} × faster than B` : '–');
  const dcLarge = cell('first push', 'dc', 50, 10000, 'C');
  say('First push of 10,000 test cases at 50 ms, Data Center: < 6 s', dcLarge ? dcLarge.seconds < 6 : null,
    dcLarge ? `${dcLarge.requests} requests, ${secs(dcLarge.seconds)} s` : '–');
  const dcTen = cell('10 changes push', 'dc', 50, 1000, 'C');
  say('Push of 10 changes into 1,000 test cases at 50 ms, Data Center: ≤ 4 requests, < 0.6 s',
    dcTen ? dcTen.requests <= 4 && dcTen.seconds < 0.6 : null, dcTen ? `${dcTen.requests} requests, ${secs(dcTen.seconds)} s` : '–');
  const ten = cell('10 changes push', 'cloud', 50, 10000, 'C');
  say('Re-push with 10 changes in 10,000 test cases: ≤ 3 requests, < 1 s', ten ? ten.requests <= 3 && ten.seconds < 1 : null,
    ten ? `${ten.requests} requests, ${secs(ten.seconds)} s` : '–');
  const none = [100, 1000, 10000].map((size) => cell('no change', 'cloud', 50, size, 'C')).filter(Boolean);
  say('Re-push with no change: ≤ 2 requests, no commit', none.length ? none.every((c) => c.requests <= 2 && c.commits === 0) : null,
    none.map((c) => `${c.requests} request(s), ${c.commits} commit(s)`).join('; ') || '–');
  const pull10 = cell('10 changes pull', 'cloud', 50, 10000, 'C');
  say('Pull of 10 changes into 10,000 test cases: ≤ 14 requests, < 1 s', pull10 ? pull10.requests <= 14 && pull10.seconds < 1 : null,
    pull10 ? `${pull10.requests} requests, ${secs(pull10.seconds)} s` : '–');
  const nav = median(navigations);
  say('Navigation to an interactive form on localhost: < 1 s', nav < 1, `median ${secs(nav)} s of ${navigations.length}`);
  say('Release wasm ≤ 400 KB gzip (the first module a page loads)', wasmGzip <= 400 * 1024, `${kb(wasmGzip)} KB`);
  const growth = (scenario) => {
    const small = cell(scenario, 'cloud', 50, 1000, 'C');
    const large = cell(scenario, 'cloud', 50, 10000, 'C');
    return small && large ? large.seconds / small.seconds : null;
  };
  const [push, restore] = [growth('first push'), growth('restore')];
  say('First push and restore grow at most linearly (10 × the test cases: ≤ 10 × the time)',
    push && restore ? push <= 10 && restore <= 10 : null,
    push && restore ? `first push × ${push.toFixed(1)}, restore × ${restore.toFixed(1)} from 1,000 to 10,000` : '–');
  const flat = ['10 changes push', '10 changes pull'].map((scenario) => {
    const small = cell(scenario, 'cloud', 50, 100, 'C');
    const large = cell(scenario, 'cloud', 50, 10000, 'C');
    return small && large ? [scenario, large.seconds / small.seconds] : null;
  }).filter(Boolean);
  say('10-change scenarios stay flat with size (100 → 10,000 test cases)', flat.length ? flat.every(([, r]) => r < 2) : null,
    flat.map(([s, r]) => `${s} × ${r.toFixed(2)}`).join('; ') || '–');
  const big = ['first push', 'restore', '10 changes pull'].map((s) => cell(s, 'cloud', 50, 10000, 'C')).filter(Boolean);
  const wasm = Math.max(0, ...big.map((c) => c.peakWasm));
  say('10,000-test-case push and pull under 256 MB of wasm memory', big.length ? wasm < 256 * 2 ** 20 : null,
    big.length ? `peak ${mb(wasm)} wasm, ${mb(Math.max(...big.map((c) => c.peakHeap)))} JS heap` : '–');
  const opening = cell('open explorer', 'cloud', 50, 100000, 'C');
  say('Opening the explorer on 100,000 test cases: first tree level < 1 s', opening ? opening.seconds < 1 : null,
    opening ? `${secs(opening.seconds)} s (the project read whole: ${secs(opening.whole)} s)` : '–');
  return ['| target | measured | |', '|---|---|---|', ...out].join('\n');
}

/** An SVG chart: requests and seconds against project size (log scales), first push and restore on Cloud. */
function chart(cell) {
  const width = 960;
  const height = 420;
  const series = [];
  for (const scenario of ['first push', 'restore']) {
    for (const strategy of ['A', 'B', 'C']) {
      const points = [100, 1000, 10000].map((size) => [size, cell(scenario, 'cloud', 50, size, strategy)])
        .filter(([, c]) => c);
      if (points.length) series.push({ scenario, strategy, points });
    }
  }
  const colours = { A: '#b42318', B: '#b54708', C: '#175cd3' };
  const panel = (x0, title, key, label) => {
    const values = series.flatMap((s) => s.points.map(([, c]) => c[key])).filter((v) => v > 0);
    const lo = Math.floor(Math.log10(Math.min(...values)));
    const hi = Math.ceil(Math.log10(Math.max(...values)));
    const [left, top, w, h] = [x0 + 60, 50, 380, 300];
    const px = (size) => left + ((Math.log10(size) - 2) / 2) * w;
    const py = (v) => top + h - ((Math.log10(v) - lo) / Math.max(1, hi - lo)) * h;
    const parts = [`<text x="${left + w / 2}" y="30" text-anchor="middle" font-weight="bold">${title}</text>`,
      `<rect x="${left}" y="${top}" width="${w}" height="${h}" fill="none" stroke="#98a2b3"/>`];
    for (let e = lo; e <= hi; e += 1) {
      parts.push(`<line x1="${left}" x2="${left + w}" y1="${py(10 ** e)}" y2="${py(10 ** e)}" stroke="#eaecf0"/>`,
        `<text x="${left - 6}" y="${py(10 ** e) + 4}" text-anchor="end" font-size="11">${10 ** e >= 1 ? (10 ** e).toLocaleString('en') : 10 ** e}</text>`);
    }
    for (const size of [100, 1000, 10000]) {
      parts.push(`<text x="${px(size)}" y="${top + h + 16}" text-anchor="middle" font-size="11">${size.toLocaleString('en')}</text>`);
    }
    parts.push(`<text x="${left + w / 2}" y="${top + h + 34}" text-anchor="middle" font-size="12">test cases</text>`,
      `<text transform="translate(${x0 + 14} ${top + h / 2}) rotate(-90)" text-anchor="middle" font-size="12">${label}</text>`);
    for (const s of series) {
      const d = s.points.map(([size, c], i) => `${i ? 'L' : 'M'}${px(size).toFixed(1)},${py(c[key]).toFixed(1)}`).join(' ');
      const dash = s.scenario === 'restore' ? ' stroke-dasharray="6 4"' : '';
      parts.push(`<path d="${d}" fill="none" stroke="${colours[s.strategy]}" stroke-width="2"${dash}/>`,
        ...s.points.map(([size, c]) => `<circle cx="${px(size).toFixed(1)}" cy="${py(c[key]).toFixed(1)}" r="3" fill="${colours[s.strategy]}"/>`));
    }
    return parts.join('\n');
  };
  const legend = ['A', 'B', 'C'].map((s, i) => `<line x1="${80 + i * 220}" x2="${110 + i * 220}" y1="400" y2="400" stroke="${colours[s]}" stroke-width="2"/>`
    + `<text x="${116 + i * 220}" y="404" font-size="12">${{ A: 'A one per file, sequential', B: 'B one per file, 20 in flight', C: 'C the product' }[s]}</text>`).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" viewBox="0 0 ${width} ${height}">
<rect width="${width}" height="${height}" fill="#fff"/>
${panel(0, 'Requests (Cloud, 50 ms)', 'requests', 'requests')}
${panel(480, 'Wall time (Cloud, 50 ms)', 'seconds', 'seconds')}
${legend}
<text x="740" y="404" font-size="12">solid: first push · dashed: restore</text>
</svg>
`;
}

/** Writes BENCHMARKS.md, benchmarks.svg and benchmarks.png at `root`. */
export async function report(root, browser, { machine, navigations, results, calibrations, failures, projects, wasm }) {
  const cell = cells(results);
  const perRequest = fetchCosts(calibrations);
  const costs = calibrations.map((c) => `${FLAVOURS[c.flavour]} at ${c.latency} ms (${c.size.toLocaleString('en')} test cases): `
    + `${(c.perRequest * 1000).toFixed(2)} ms`).join('; ');
  const svg = chart(cell);
  writeFileSync(join(root, 'benchmarks.svg'), svg);
  const page = await browser.newPage({ viewport: { width: 960, height: 420 } });
  await page.setContent(svg);
  await page.screenshot({ path: join(root, 'benchmarks.png') });
  await page.close();
  const sizes = projects.map((p) => `${p.testCases.toLocaleString('en')} test cases: ${p.files.toLocaleString('en')} files, ${(p.bytes / 2 ** 20).toFixed(1)} MB`).join('; ');
  const text = `# Benchmarks

Push and pull of synthetic projects by the release app in headless Chromium against the local sandbox, with
latency injected on every API answer. Written by \`${machine.command}\` on ${machine.date}; the numbers below are
from that run. Machine: ${machine.cpus}, ${machine.memory}; Chromium ${machine.chromium}; the sandbox over HTTPS
and HTTP/2 on the same machine (as Bitbucket Cloud serves HTTP/2; over HTTP/1.1 a browser keeps at most 6
requests in flight per host).

Strategies, each pushing the same files to a fresh branch, interleaved run by run:
- **A**: one request and one commit per file, one at a time (a naive client);
- **B**: one request and one commit per file, 20 in flight (the approach behind Avo Assure's
  \`scm_export_worker_count = 20\`); a pull lists the folder and reads every file, 20 at a time;
- **C**: the product as it ships (one commit per push on Cloud, a manifest and only the changed files; a pull that
  needs most of the folder, such as a restore, reads it in one request: on Data Center as one zip archive, on Cloud
  as the patch from the commit the folder grew from).

A and B run through the app's own client code in a build of its own, the release build with the feature
\`benchmark-strategies\`: only there does a switch in the browser's storage select them; the app as it ships holds
neither the strategies nor the switch. Each run: session X opens the project's Test artifacts page (**open explorer**:
from the navigation to the first item of its trees shown, then to the project read whole), pushes to a new branch
(**first push**), pushes again (**no change**); session Y
**restores** the branch into its copy of the project; X edits 10 test cases and pushes (**10 changes push**); Y
pulls them (**10 changes pull**). Wall time runs from the click on Preview to the success message (a pull
includes Apply). Requests and bytes are the API calls the page made (headers and bodies); commits are the
writes Bitbucket accepted. "C / floor": the least time C's requests can take, and how far C is from it. It is the
larger of two bounds. The network: a push's requests are a chain; a pull reads the tip, the manifest and the diff in
turn, then downloads 20 at a time; plus the bytes at 100 Mbit/s. The browser: the same number of bare \`fetch\` calls
(cross-origin, authorised, so each needs its CORS preflight, 20 in flight) at the cost per call measured in the same
browser and run: ${costs || 'not measured'}. The sandbox keeps its repositories in memory (\`/dev/shm\`), so that a
commit's time is the server's work and not this machine's disk. Projects: ${sizes}.

![Requests and wall time against project size](benchmarks.png)

## Targets

${targets(cell, navigations, wasm.gzip)}

Release size: the first module's wasm ${kb(wasm.raw)} KB (${kb(wasm.gzip)} KB gzip), JavaScript ${kb(wasm.js)} KB; the
build with the explorer, loaded when the explorer is first opened: wasm ${kb(wasm.explorer.raw)} KB
(${kb(wasm.explorer.gzip)} KB gzip), JavaScript ${kb(wasm.explorer.js)} KB. Navigation to an
interactive connection form (fresh session, 50 ms API latency, nothing cached): median ${secs(median(navigations))} s,
${navigations.map(secs).join(', ')} s.

${SCENARIOS.filter((s) => results.some((r) => r.scenario === s)).map((scenario) => `## ${scenario[0].toUpperCase()}${scenario.slice(1)}

${table(cell, scenario, results, perRequest)}
`).join('\n')}
## Memory

The app's heap in C's scenarios (medians at the start, the most of any run while it ran), and the page's
WebAssembly memory, which never shrinks: it tells the most the session held by the end of the scenario (a
session first imports the project and opens its explorer).

${memoryTable(cell, results)}

## What runs, and what is left out

Five runs a cell. A takes one round trip per file, one after the other (about a minute per operation at 1,000 test
cases, ten at 10,000): it is measured at 100 test cases, where its cost per file is already plain. B is measured at
100 and 1,000 test cases. At 10,000 test cases only C runs (A would take hours, B makes 10,000 commits a run); A and
B make one request per file in every scenario, whatever changed, so their figures grow with the file count. Data
Center runs C at 100, 1,000 and 10,000 test cases and B at 100 and 1,000, through the shipped nginx relay: C pushes
over git (\`/scm\`), one commit per push; B's REST API commits one file per request, 20 at a time.
${failures.length ? `\nCells that failed in this run (left out of the tables):\n${failures.map((f) => `- ${f}`).join('\n')}\n` : ''}`;
  writeFileSync(join(root, 'BENCHMARKS.md'), text);
}
