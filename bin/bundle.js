// Builds one TypeScript entry point and everything it imports from this repository into a
// single ES module (npm packages stay imports), for `gatehouse serve` (bin/gatehouse.js) and
// the benchmark servers. Why not run the sources through tsx, as the other commands do: tsx's
// module loader runs on a thread of its own with its own V8 heap, ~40 MB of resident memory
// for the life of the server (bench/README.md). esbuild (already used for the web UI) takes
// about a tenth of a second. Plain JavaScript: it runs before anything can compile TypeScript.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
/** Under node_modules, so that the bundle's package imports resolve as the sources' do. */
export const BUNDLE_DIR = path.join(ROOT, 'node_modules', '.cache', 'gatehouse');

/**
 * Bundles `entry` (a path relative to the repository root) and returns the bundle's file.
 * The file is named by its content's hash and written atomically (temporary file, then
 * rename), so processes starting at once never read a half-written or mismatched bundle,
 * and a bundle always matches the sources it was built from. Earlier bundles of the same
 * entry are removed.
 */
export async function bundleEntry(entry) {
  const result = await build({
    entryPoints: [path.join(ROOT, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    write: false,
    logLevel: 'silent',
    // Function and class names as in the sources: error stacks and logs stay readable.
    keepNames: true,
    // A map beside the bundle (no comment in it, so the hash stays the code's own), without the
    // sources' text: bench/topFunctions.ts reads it to name the src/ file behind a profile frame.
    sourcemap: 'external',
    sourcesContent: false,
    outfile: path.join(BUNDLE_DIR, 'bundle.mjs'),
  });
  const code = result.outputFiles.find((f) => f.path.endsWith('.mjs')).contents;
  const map = result.outputFiles.find((f) => f.path.endsWith('.map')).contents;
  const stem = entry.replace(/\.ts$/, '').replace(/[^A-Za-z0-9]+/g, '-');
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const file = path.join(BUNDLE_DIR, `${stem}.${hash}.mjs`);
  if (!fs.existsSync(file) || !fs.existsSync(`${file}.map`)) {
    fs.mkdirSync(BUNDLE_DIR, { recursive: true });
    // The map first: whoever finds the bundle finds its map.
    for (const [target, contents] of [[`${file}.map`, map], [file, code]]) {
      const temporary = `${target}.${process.pid}.tmp`;
      fs.writeFileSync(temporary, contents);
      fs.renameSync(temporary, target);
    }
    removeOlder(stem, file);
  }
  return file;
}

/** Earlier bundles of the same entry (a process still running one has it loaded already). */
function removeOlder(stem, keep) {
  for (const name of fs.readdirSync(BUNDLE_DIR)) {
    const other = path.join(BUNDLE_DIR, name);
    const isBundle = name.endsWith('.mjs') || name.endsWith('.mjs.map');
    if (other !== keep && other !== `${keep}.map` && name.startsWith(`${stem}.`) && isBundle) fs.rmSync(other, { force: true });
  }
}
