/**
 * Builds the browser UI into dist/web: one hashed script and stylesheet, index.html pointing
 * at them, and gzip and brotli copies of each made here once, so the server only picks one.
 * Run by `npm run build` (node --import tsx web/build.ts).
 */
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, 'dist', 'web');

/** The browsers the bundle is written for: anything from the last few years. */
const TARGETS = ['chrome100', 'firefox100', 'safari15', 'edge100'];

function compress(path: string): { raw: number; gzip: number } {
  const body = readFileSync(path);
  const gz = gzipSync(body, { level: 9 });
  const br = brotliCompressSync(body, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
  });
  writeFileSync(`${path}.gz`, gz);
  writeFileSync(`${path}.br`, br);
  return { raw: body.length, gzip: gz.length };
}

async function main(): Promise<void> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: { app: join(root, 'web/src/main.ts'), style: join(root, 'web/src/styles.css') },
    entryNames: '[name]-[hash]',
    outdir,
    bundle: true,
    minify: true,
    format: 'iife',
    target: TARGETS,
    charset: 'utf8',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
  const js = outputs.find((n) => n.endsWith('.js'));
  const css = outputs.find((n) => n.endsWith('.css'));
  if (js === undefined || css === undefined)
    throw new Error(`web build: missing outputs in ${outputs.join(', ')}`);
  const html = readFileSync(join(root, 'web/index.html'), 'utf8')
    .replace('/__JS__', `/${js}`)
    .replace('/__CSS__', `/${css}`);
  writeFileSync(join(outdir, 'index.html'), html);
  const sizes = [js, css, 'index.html'].map((name) => ({ name, ...compress(join(outdir, name)) }));
  const line = sizes.map((s) => `${s.name} ${s.raw} B (${s.gzip} B gzip)`).join(', ');
  process.stdout.write(`web: ${line}\n`);
}

await main();
