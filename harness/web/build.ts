// Builds the web page into harness/web/dist/: one ES-module bundle of harness/web/main.ts (with src/ and
// every shaders/**/*.wgsl file, see esbuild_plugins.ts), the HTML and CSS, and the default checkpoint.
// Usage: tsx harness/web/build.ts   (npm run build:web)
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { nodeStubPlugin, shadersPlugin } from './esbuild_plugins.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const DIST_DIR = join(here, 'dist');
export const DEFAULT_MODEL = join(here, 'assets', 'default_model.safetensors');
const STATIC = ['index.html', 'style.css'];

/** Bundles the page into `outDir`; returns the Node modules that were replaced by stand-ins. */
export async function buildWeb(outDir = DIST_DIR, opts: { minify?: boolean } = {}): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const stubbed = new Set<string>();
  await esbuild.build({
    entryPoints: [join(here, 'main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: join(outDir, 'app.js'),
    sourcemap: true,
    minify: opts.minify ?? false,
    charset: 'utf8', // NOTE: keeps the WGSL text byte for byte (comments hold × and ³)
    logLevel: 'warning',
    plugins: [shadersPlugin(resolve(here, '../../shaders')), nodeStubPlugin(stubbed)],
  });
  for (const f of STATIC) copyFileSync(join(here, f), join(outDir, f));
  if (existsSync(DEFAULT_MODEL)) copyFileSync(DEFAULT_MODEL, join(outDir, 'default_model.safetensors'));
  else console.warn(`build: ${DEFAULT_MODEL} is missing (run: npx tsx harness/web/train_default.ts); the page will report it`);
  return [...stubbed].sort();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = performance.now();
  const stubbed = await buildWeb();
  console.log(`built ${DIST_DIR} in ${((performance.now() - t0) / 1000).toFixed(1)} s` + (stubbed.length ? `; Node-only imports left out: ${stubbed.join(', ')}` : ''));
}
