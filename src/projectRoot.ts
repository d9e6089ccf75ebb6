import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'gatehouse';

let cached: string | undefined;

/**
 * The repository root: the nearest folder, upwards from this module, whose package.json is
 * Gatehouse's. Found by walking up rather than by a fixed relative path because this module
 * runs from two places: src/ (tsx) and the server bundle under node_modules/.cache
 * (bin/gatehouse.js builds it for `serve`).
 */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (isGatehousePackage(path.join(dir, 'package.json'))) return (cached = dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no ${PACKAGE_NAME} package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

function isGatehousePackage(file: string): boolean {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

/** 'bundle' when this code runs from bin/bundle.js's output, 'sources' under tsx (logged at start). */
export function codeSource(): 'bundle' | 'sources' {
  return import.meta.url.endsWith('.mjs') ? 'bundle' : 'sources';
}
