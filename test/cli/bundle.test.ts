import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { BUNDLE_DIR, bundleEntry } from '../../bin/bundle.js';
import { codeSource, projectRoot } from '../../src/projectRoot.ts';

const ENTRY = 'test/cli/fixtures/bundledRoot.ts';

describe('bin/bundle.js (the bundle `gatehouse serve` runs from)', () => {
  it('writes a content-hashed bundle under node_modules/.cache that finds the repository root from there', async () => {
    const file = await bundleEntry(ENTRY);
    assert.equal(path.dirname(file), BUNDLE_DIR);
    assert.match(path.basename(file), /^test-cli-fixtures-bundledRoot\.[0-9a-f]{16}\.mjs$/);
    assert.equal(await bundleEntry(ENTRY), file, 'the same sources give the same file');
    const bundled = (await import(pathToFileURL(file).href)) as { projectRoot(): string; codeSource(): string };
    assert.equal(bundled.codeSource(), 'bundle');
    assert.equal(bundled.projectRoot(), projectRoot());
    assert.ok(fs.existsSync(path.join(bundled.projectRoot(), 'web', 'index.html')), 'the web UI sources are found from the bundle');
    assert.equal(codeSource(), 'sources');
  });

  it('removes an earlier bundle of the same entry when it writes a new one', async () => {
    const current = await bundleEntry(ENTRY);
    const stale = path.join(BUNDLE_DIR, 'test-cli-fixtures-bundledRoot.0000000000000000.mjs');
    fs.writeFileSync(stale, 'export {};\n');
    fs.rmSync(current); // so the next call writes again
    assert.equal(await bundleEntry(ENTRY), current);
    assert.equal(fs.existsSync(stale), false);
    assert.equal(fs.existsSync(current), true);
  });
});
