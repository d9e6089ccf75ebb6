import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ControlDeclaration } from './control.ts';

/** A declared control and the file that declares it. */
export interface DeclaredControl extends ControlDeclaration {
  readonly declaredIn: string;
}

/**
 * Imports every `controls.ts` under `<root>/src` and returns their CONTROLS, sorted by id.
 * Found by name, so that adding a stage's declarations needs no edit anywhere else.
 */
export async function collectControls(root: string): Promise<DeclaredControl[]> {
  const files = findControlFiles(path.join(root, 'src')).sort();
  const all: DeclaredControl[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(file).href)) as { CONTROLS?: readonly ControlDeclaration[] };
    const declaredIn = path.relative(root, file).split(path.sep).join('/');
    for (const control of mod.CONTROLS ?? []) all.push({ ...control, declaredIn });
  }
  return all.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function findControlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return findControlFiles(full);
    return name === 'controls.ts' ? [full] : [];
  });
}
