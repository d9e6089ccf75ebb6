#!/usr/bin/env node
// Entry point for `gatehouse` and `npm start`. The sources are TypeScript, and a fresh clone
// runs with `npm install && npm start`, no build step: `serve` runs from a bundle built here
// by esbuild in ~0.1 s (bin/bundle.js says why: ~40 MB less memory than tsx); the other
// commands, short-lived, run the sources through tsx (`threats` imports source files by path).
// GATEHOUSE_RUN_SOURCES=1 makes `serve` use tsx too.
import { pathToFileURL } from 'node:url';

const argv = process.argv.slice(2);
const { main } = await loadMain(argv[0] === 'serve' && process.env.GATEHOUSE_RUN_SOURCES !== '1');
process.exitCode = await main(argv);

async function loadMain(bundled) {
  if (bundled) {
    try {
      const { bundleEntry } = await import('./bundle.js');
      return await import(pathToFileURL(await bundleEntry('src/cli/main.ts')).href);
    } catch (err) {
      // A read-only node_modules, say: the sources run as they are, only with more memory.
      process.emitWarning(`could not bundle the server (${err instanceof Error ? err.message : String(err)}); running the sources through tsx`);
    }
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import('../src/cli/main.ts');
}
