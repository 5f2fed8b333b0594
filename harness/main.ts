// The main job (npm start): generate the built-in synthetic cells, train SHAPR without (λ = 0) and with the
// topological loss on one fold, compare them, and write the HTML report. Small by default so that it runs
// in minutes on a CPU; `--preset paper --data DIR` runs the paper's protocol (64³, 5 folds, 100 epochs).
// Re-running resumes: finished runs are kept, interrupted ones continue from their last checkpoint.
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeDataset } from '../src/data/dataset_writer.ts';
import { generateDataset } from '../src/data/synthetic.ts';
import { checkConfig, FLAG, TRAIN_DEFAULTS, type TrainConfig } from '../src/train/config.ts';
import { getGpu } from '../src/gpu/device.ts';
import { writeFileAtomic } from '../src/util/atomic.ts';
import { UserError } from '../src/util/errors.ts';
import { readJsonFile } from '../src/util/json_file.ts';
import { writeReport } from './commands/compare.ts';
import { configFrom, optionKey, runTraining, trainOptions, warnUnused } from './commands/train.ts';
import { exitOnError, exitWhenFlushed } from './exit.ts';

/** The demo's defaults: a small network on small volumes (see README for the measured time). */
const DEMO: Partial<TrainConfig> = { side: 16, filters: 4, syntheticCount: 60, epochs: 30, batchSize: 6, topoSize: 16, topoDims: [0, 2], lambda: 0.1 };

const program = trainOptions(new Command('npm start').description('synthetic data → baseline and topological runs → report'))
  .option('--out <dir>', 'where data, runs and the report go', 'runs/demo')
  .option('--preset <name>', "'demo' (default: small, minutes on a CPU) or 'paper' (64³, filters 10, 5 folds, 100 epochs)", 'demo')
  .option('--all-folds', 'train every fold (the paper protocol does)')
  // NOTE: the defaults listed above are train's; the preset replaces those not given
  .addHelpText('after', `\nThe demo preset (the default) sets ${Object.entries(DEMO).map(([k, v]) => `${FLAG[k as keyof TrainConfig] ?? k} ${Array.isArray(v) ? v.join(',') : v}`).join(', ')};\nthe paper preset keeps the defaults above. Flags given on the command line win over either.`);

try {
  program.parse(process.argv);
  const o = program.opts();
  const given = (k: string) => program.getOptionValueSource(k) === 'cli';
  warnUnused(o, given);
  const preset: Partial<TrainConfig> = o.preset === 'paper' ? { ...TRAIN_DEFAULTS } : o.preset === 'demo' ? DEMO : (() => { throw new UserError(`--preset: unknown '${o.preset}'`); })();
  // flags given on the command line win over the preset, the preset over the defaults
  const base = configFrom(o);
  for (const [k, v] of Object.entries(preset)) if (!given(optionKey(k as keyof TrainConfig))) (base as unknown as Record<string, unknown>)[k] = v;
  // the job compares λ = 0 with the λ given: --lambda 0 would compare the baseline with itself
  if (base.lambda === 0) throw new UserError('--lambda: the main job compares λ = 0 with λ > 0; give a positive weight (or use `topo-shapr train --lambda 0` for the baseline alone)');
  const out = resolve(o.out);
  const t0 = performance.now();
  const gpu = await getGpu();
  console.error(`topo-shapr: adapter ${gpu.adapterName}`);
  if (base.data === 'synthetic') {
    const dataDir = join(out, 'data');
    // NOTE: what the cells were generated with is recorded beside them: a rerun with another
    // --synthetic-count, --side or --synthetic-seed reused the old cells while its config said otherwise
    const made = { syntheticCount: base.syntheticCount, side: base.side, syntheticSeed: base.syntheticSeed };
    const marker = join(dataDir, 'synthetic.json');
    if (!existsSync(join(dataDir, 'obj'))) {
      console.error(`generating ${base.syntheticCount} synthetic cells (${base.side}³) → ${dataDir}`);
      writeDataset(dataDir, generateDataset({ n: base.syntheticCount, size: base.side, seed: base.syntheticSeed }));
      writeFileAtomic(marker, JSON.stringify(made) + '\n');
    } else if (existsSync(marker)) {
      const had = readJsonFile(marker, () => `not valid JSON (damaged?); delete ${dataDir} to generate the cells again`) as typeof made;
      const changed = (Object.keys(made) as (keyof typeof made)[]).filter((k) => had[k] !== made[k]);
      if (changed.length) {
        throw new UserError(`${dataDir}: holds cells generated with other options (${changed.map((k) => `${FLAG[k]} ${had[k]} → ${made[k]}`).join(', ')}); use another --out, or delete ${out}`);
      }
    }
    base.data = dataDir;
  }
  const folds = o.allFolds || o.preset === 'paper' ? [...Array(base.folds).keys()] : [base.fold];
  const dirs: string[] = [];
  for (const [name, l] of [['baseline', 0], ['topo', base.lambda]] as const) {
    for (const fold of folds) {
      const dir = join(out, folds.length > 1 ? `${name}-fold${fold}` : name);
      dirs.push(dir);
      // NOTE: a finished run is kept only if it was trained with these options (else refused, naming them)
      await runTraining(checkConfig({ ...base, lambda: l, fold }), dir, `${name}${folds.length > 1 ? ` fold ${fold}` : ''}`);
    }
  }
  const report = await writeReport(dirs, join(out, 'report.html'), { adapter: gpu.adapterName }, async () => gpu);
  console.log(`\nreport: ${report}  (${((performance.now() - t0) / 60000).toFixed(1)} min)`);
  exitWhenFlushed(0);
} catch (err) {
  exitOnError(err);
}
