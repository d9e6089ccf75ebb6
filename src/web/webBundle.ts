import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { projectRoot } from '../projectRoot.ts';

/** One built asset: its content-hashed name, its bytes and media type. */
export interface WebAsset {
  readonly name: string;
  readonly body: Buffer;
  readonly type: string;
}

/** The built browser UI: the page and the assets it links. */
export interface WebBundle {
  readonly html: string;
  readonly assets: ReadonlyMap<string, WebAsset>;
}

const WEB_DIR = path.join(projectRoot(), 'web') + path.sep;

let cached: Promise<WebBundle> | undefined;

/**
 * Builds web/ in memory with esbuild, once per process. Built at start rather than at install
 * (`prepare`/`postinstall`) so that the bundle always matches the sources being served, nothing
 * is written to disk (no build output to keep in step, no write access to the data dir needed),
 * and `npm start` stays the only command; esbuild takes tens of milliseconds. Cached because
 * the sources do not change while the process runs (the test suite builds many servers).
 */
export function webBundle(): Promise<WebBundle> {
  return (cached ??= buildWebBundle());
}

async function buildWebBundle(): Promise<WebBundle> {
  const result = await build({
    entryPoints: [`${WEB_DIR}src/main.ts`],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const js = Buffer.from(result.outputFiles[0]!.contents);
  const css = await readFile(`${WEB_DIR}app.css`);
  const script = hashed('app', 'js', js, 'text/javascript; charset=utf-8');
  const style = hashed('app', 'css', css, 'text/css; charset=utf-8');
  const template = await readFile(`${WEB_DIR}index.html`, 'utf8');
  const html = template.replace('{{script}}', `/assets/${script.name}`).replace('{{style}}', `/assets/${style.name}`);
  return { html, assets: new Map([[script.name, script], [style.name, style]]) };
}

function hashed(base: string, ext: string, body: Buffer, type: string): WebAsset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
  return { name: `${base}-${hash}.${ext}`, body, type };
}
