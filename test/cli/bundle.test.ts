import assert from 'node:assert/strict';
import fs from 'node:fs';
import { SourceMap } from 'node:module';
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
    fs.writeFileSync(`${stale}.map`, '{}');
    fs.rmSync(current); // so the next call writes again
    assert.equal(await bundleEntry(ENTRY), current);
    assert.equal(fs.existsSync(stale), false);
    assert.equal(fs.existsSync(`${stale}.map`), false, 'its source map goes with it');
    assert.equal(fs.existsSync(current), true);
    assert.equal(fs.existsSync(`${current}.map`), true);
  });

  it('writes a source map beside the bundle that leads a bundle frame back to its src/ file (bench/topFunctions.ts reads it)', async () => {
    const file = await bundleEntry(ENTRY);
    fs.rmSync(`${file}.map`);
    assert.equal(await bundleEntry(ENTRY), file);
    const map = new SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')));
    const code = fs.readFileSync(file, 'utf8').split('\n');
    const line = code.findIndex((text) => text.includes('function projectRoot('));
    assert.ok(line >= 0, 'projectRoot is in the bundle');
    const entry = map.findEntry(line, code[line]!.indexOf('function')) as { originalSource?: string };
    assert.equal(path.resolve(path.dirname(file), entry.originalSource ?? ''), path.join(projectRoot(), 'src', 'projectRoot.ts'));
    assert.doesNotMatch(fs.readFileSync(file, 'utf8'), /sourceMappingURL/, 'the bundle names no map: its hash is its code\'s own');
  });
});
