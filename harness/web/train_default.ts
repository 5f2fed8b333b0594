// Trains the page's default checkpoint, harness/web/assets/default_model.safetensors: a small SHAPR
// (side 32, filters 4) on the built-in synthetic cells with the topological term, so that the page works
// offline and CI never trains. Deterministic: the same code and GPU driver give the same file.
// Usage: npx tsx harness/web/train_default.ts [--out runs/web_default] [--model PATH]   (about 10 min on 2 CPU cores)
// --model writes the weights elsewhere than the page's asset (to compare a rerun with the committed file).
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { getGpu } from '../../src/gpu/device.ts';
import { checkConfig, TRAIN_DEFAULTS, type TrainConfig } from '../../src/train/config.ts';
import { loadSamples, splitFor } from '../../src/train/data.ts';
import { RUN_FILES, train } from '../../src/train/trainer.ts';
import { writeFileAtomic } from '../../src/util/atomic.ts';
import { DEFAULT_MODEL } from './build.ts';

/** The default model's recipe (the page shows side and filters; the rest is recorded here only). */
export const DEFAULT_RECIPE: TrainConfig = checkConfig({
  ...TRAIN_DEFAULTS,
  syntheticCount: 60, // 36 train / 12 val / 12 test
  syntheticSeed: 1,
  side: 32,
  filters: 4,
  epochs: 30,
  patience: 10,
  lr: 3e-3, // NOTE: higher than the paper's 1e-3: the small net learns the shapes in few epochs
  lambda: 0.1,
});

const outArg = process.argv.indexOf('--out');
const dir = outArg > 0 ? process.argv[outArg + 1] : join('runs', 'web_default');
const modelArg = process.argv.indexOf('--model');
const target = modelArg > 0 ? process.argv[modelArg + 1] : DEFAULT_MODEL;
rmSync(dir, { recursive: true, force: true }); // a fresh run, never a resume of an older recipe
const g = await getGpu();
const samples = loadSamples(DEFAULT_RECIPE);
const t0 = performance.now();
const r = await train(g, DEFAULT_RECIPE, dir, samples, splitFor(samples, DEFAULT_RECIPE), {
  onStep: (e, k, n, p) => console.log(`  epoch ${e + 1} step ${k}/${n}: loss ${p.loss.toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`),
  onEpochEnd: (l) => console.log(`epoch ${l.epoch + 1}: train ${l.train.loss.toFixed(4)} val ${l.val.loss.toFixed(4)} (dice ${l.val.dice.toFixed(3)})${l.improved ? ' best' : ''} ${l.seconds.toFixed(0)} s`),
});
mkdirSync(dirname(target), { recursive: true });
writeFileAtomic(target, readFileSync(join(dir, RUN_FILES.best))); // the page bundles it: never half a file
console.log(`${target}: ${statSync(target).size} bytes, ${r.epochs.length} epochs in ${((performance.now() - t0) / 60000).toFixed(1)} min`);
process.exit(0);
