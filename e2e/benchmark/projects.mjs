// The synthetic projects the benchmarks push and pull: written by the core's generator
// (crates/core/examples/synthetic_project.rs) in the repository layout, then packed into a .zip for the app's
// import. Generated once per size into target/benchmark/.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { deflateRawSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Little-endian fields, each [width in bytes (2, 4 or 8), value], as one buffer. */
function fields(list) {
  const buffer = Buffer.alloc(list.reduce((sum, [width]) => sum + width, 0));
  let at = 0;
  for (const [width, value] of list) {
    if (width === 8) buffer.writeBigUInt64LE(BigInt(value), at);
    else if (width === 4) buffer.writeUInt32LE(value, at);
    else buffer.writeUInt16LE(value, at);
    at += width;
  }
  return buffer;
}

/**
 * A .zip (deflated entries, UTF-8 names, all dated 1980-01-01) of `files`, a list of [name, bytes]; with more than
 * 65,535 entries, its end records are those of ZIP64, which count them in 64 bits.
 */
export function zip(files) {
  const UTF8 = 0x0800;
  const DEFLATE = 8;
  const DATE = 0x21;
  const locals = [];
  const central = [];
  let offset = 0;
  for (const [name, bytes] of files) {
    const nameBytes = Buffer.from(name, 'utf8');
    const packed = deflateRawSync(bytes);
    const common = [[2, UTF8], [2, DEFLATE], [2, 0], [2, DATE], [4, crc32(bytes)], [4, packed.length],
      [4, bytes.length], [2, nameBytes.length], [2, 0]];
    const local = fields([[4, 0x04034b50], [2, 20], ...common]);
    locals.push(local, nameBytes, packed);
    central.push(fields([[4, 0x02014b50], [2, 20], [2, 20], ...common, [2, 0], [2, 0], [2, 0], [4, 0], [4, offset]]),
      nameBytes);
    offset += local.length + nameBytes.length + packed.length;
  }
  const size = central.reduce((sum, b) => sum + b.length, 0);
  const zip64 = files.length > 0xffff;
  const count = zip64 ? 0xffff : files.length;
  const end = fields([[4, 0x06054b50], [2, 0], [2, 0], [2, count], [2, count], [4, size], [4, offset], [2, 0]]);
  const ends = zip64
    ? [fields([[4, 0x06064b50], [8, 44], [2, 45], [2, 45], [4, 0], [4, 0], [8, files.length], [8, files.length],
      [8, size], [8, offset]]), fields([[4, 0x07064b50], [4, 0], [8, offset + size], [4, 1]]), end]
    : [end];
  return Buffer.concat([...locals, ...central, ...ends]);
}

function walk(folder, root = folder) {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? walk(path, root) : [[relative(root, path), readFileSync(path)]];
  });
}

/**
 * The synthetic project of `testCases` test cases: its id, name, files (count and bytes) and the path of its .zip
 * (beside its folder: a browser is given large files by path). The generator runs
 * once per size (cached under `cache`).
 */
export function syntheticProject(root, cache, testCases, seed = 7) {
  const folder = join(cache, `project-${seed}-${testCases}`);
  if (!existsSync(join(folder, 'test-artifacts', 'project.json'))) {
    execFileSync('cargo', ['run', '--quiet', '--locked', '--release', '-p', 'versioning-core', '--example',
      'synthetic_project', '--', String(seed), String(testCases), folder], { cwd: root, stdio: 'inherit' });
  }
  const files = walk(folder).sort(([a], [b]) => (a < b ? -1 : 1));
  const project = JSON.parse(readFileSync(join(folder, 'test-artifacts', 'project.json'), 'utf8'));
  const archive = `${folder}.zip`;
  writeFileSync(archive, zip(files));
  return {
    id: project.id,
    name: project.name,
    testCases,
    files: files.length,
    bytes: files.reduce((sum, [, bytes]) => sum + bytes.length, 0),
    archive,
  };
}
