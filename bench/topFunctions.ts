/**
 * Summarises a V8 CPU profile (written by `npm run bench -- --cpu-prof`): the functions with
 * the most self time, and self time per package or source folder.
 *
 *   node --import tsx bench/topFunctions.ts bench/results/profiles/gatehouse-read [count] [skipSeconds]
 *
 * `skipSeconds` leaves out the start of the profile (start-up and warm-up: ~6 s by default
 * settings); a negative value keeps only that many last seconds instead (the measured run is
 * the end of a server's profile). Percentages are of the busy (non-idle) time.
 *
 * Besides self time, it attributes every sample to the nearest frame of this repository's
 * src/ on its stack (the code that caused the work: Kysely, SQLite or node:crypto time lands
 * on the src folder that called it), and counts each src folder's inclusive time (samples
 * with any of its frames on the stack).
 *
 * Given a directory, it reads the largest profile in it: node writes one per thread, and the
 * main thread's is the large one (tsx's module loader thread has its own, nearly idle).
 *
 * Servers run from esbuild bundles (bin/bundle.js): a frame in a bundle is mapped back to its
 * source file and line through the map written beside the bundle, so src/ attribution works.
 */
import fs from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** node_modules/<pkg> (or @scope/pkg), a folder of this repository, or node's own modules. */
function ownerOf(url: string): string {
  if (url === '') return '(native / V8)';
  if (url.startsWith('node:')) return 'node core';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 'node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url);
  }
  const src = url.indexOf('/src/');
  if (src >= 0) return path.dirname(url.slice(src + 1));
  return url;
}

/** Rewrites frames in a bundle to their source file and line (bundles without a map stay as they are). */
function mapBundledFrames(nodes: ProfileNode[]): void {
  const maps = new Map<string, SourceMap | undefined>();
  const mapOf = (url: string) => {
    if (!maps.has(url)) {
      const mapFile = `${fileURLToPath(url)}.map`;
      maps.set(url, fs.existsSync(mapFile) ? new SourceMap(JSON.parse(fs.readFileSync(mapFile, 'utf8'))) : undefined);
    }
    return maps.get(url);
  };
  for (const { callFrame: frame } of nodes) {
    if (!frame.url.startsWith('file:') || !frame.url.endsWith('.mjs')) continue;
    const map = mapOf(frame.url);
    const entry = map?.findEntry(frame.lineNumber, frame.columnNumber ?? 0) as { originalSource?: string; originalLine?: number } | undefined;
    if (!entry?.originalSource) continue;
    const source = path.resolve(path.dirname(fileURLToPath(frame.url)), entry.originalSource);
    frame.url = pathToFileURL(source).href;
    frame.lineNumber = entry.originalLine ?? frame.lineNumber;
  }
}

function largestProfile(target: string): string {
  if (!fs.statSync(target).isDirectory()) return target;
  const files = fs.readdirSync(target).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(target, f));
  const largest = files.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
  if (!largest) throw new Error(`no .cpuprofile in ${target}`);
  return largest;
}

function main(): void {
  const [target, countArg, skipArg] = process.argv.slice(2);
  if (!target) throw new Error('usage: bench/topFunctions.ts <file.cpuprofile | directory> [count]');
  const file = largestProfile(target);
  const count = Number(countArg ?? 15);
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  mapBundledFrames(profile.nodes);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMicros = new Map<number, number>();
  const skip = Number(skipArg ?? 0);
  const totalMicros = profile.timeDeltas.reduce((a, b) => a + b, 0);
  const skipMicros = skip >= 0 ? skip * 1e6 : totalMicros + skip * 1e6;
  let elapsed = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    elapsed += delta;
    if (elapsed >= skipMicros) selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
  });
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const srcOf = (url: string) => (url.includes('/src/') ? ownerOf(url) : undefined);

  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  const byNearestSrc = new Map<string, number>();
  const byNearestFunction = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, micros] of selfMicros) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    if (frame.functionName === '(idle)') {
      idle += micros;
      continue;
    }
    total += micros;
    const where = frame.url ? `${frame.url.replace(/^file:\/\/.*?\/(node_modules|src)\//, '$1/')}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName || '(anonymous)'} ${where}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
    byOwner.set(ownerOf(frame.url), (byOwner.get(ownerOf(frame.url)) ?? 0) + micros);
    // Walk up the stack: the nearest src/ frame (function and folder), and every src folder on it.
    let nearest: string | undefined;
    let nearestFunction: string | undefined;
    const folders = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)?.callFrame;
      const folder = f && srcOf(f.url);
      if (!f || !folder) continue;
      if (nearest === undefined) {
        nearest = folder;
        nearestFunction = `${f.functionName || '(anonymous)'} ${f.url.replace(/^file:\/\/.*?\/src\//, 'src/')}:${f.lineNumber + 1}`;
      }
      folders.add(folder);
    }
    const attributed = nearest ?? '(no src frame: framework, I/O, GC)';
    byNearestSrc.set(attributed, (byNearestSrc.get(attributed) ?? 0) + micros);
    if (nearestFunction) byNearestFunction.set(nearestFunction, (byNearestFunction.get(nearestFunction) ?? 0) + micros);
    for (const folder of folders) inclusive.set(folder, (inclusive.get(folder) ?? 0) + micros);
  }
  const print = (title: string, entries: Map<string, number>, n: number) => {
    process.stdout.write(`\n${title}\n`);
    for (const [key, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, n)) {
      process.stdout.write(`${(micros / 1000).toFixed(0).padStart(8)} ms ${((100 * micros) / total).toFixed(1).padStart(5)}%  ${key}\n`);
    }
  };
  const window = skip > 0 ? ` (first ${skip} s left out)` : skip < 0 ? ` (last ${-skip} s only)` : '';
  process.stdout.write(`${file}: ${(total / 1000).toFixed(0)} ms busy, ${(idle / 1000).toFixed(0)} ms idle${window}\n`);
  print(`top ${count} functions by self time`, byFunction, count);
  print('self time by package / source folder', byOwner, count);
  print('self time attributed to the nearest src/ folder on the stack (what caused it)', byNearestSrc, count);
  print(`top ${count} nearest src/ functions on the stack`, byNearestFunction, count);
  print('inclusive time per src/ folder (any of its frames on the stack; overlaps)', inclusive, count);
}

main();
