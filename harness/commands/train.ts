// topo-shapr train: one fold of one configuration into its own run directory (resumable).
import { Option, type Command } from 'commander';
import { getGpu } from '../../src/gpu/device.ts';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkConfig, FLAG, TRAIN_DEFAULTS, unusedFields, type TrainConfig } from '../../src/train/config.ts';
import { isDimList } from '../../src/topo/arguments.ts';
import { loadSamples, splitFor } from '../../src/train/data.ts';
import { warningLines } from './inspect.ts';
import { finishRun } from '../../src/train/finish.ts';
import { checkSameConfig, RUN_FILES, savedConfig, train } from '../../src/train/trainer.ts';
import { listTiffs } from '../../src/data/dataset.ts';
import { readTiff } from '../../src/data/tiff.ts';
import { SIDES } from '../../src/model/shapr_layout.ts';
import { UserError } from '../../src/util/errors.ts';
import { numberOption } from './numbers.ts';
import { isWithin } from './paths.ts';
import { onStopSignal } from '../exit.ts';
import { progress } from '../progress.ts';

const D = TRAIN_DEFAULTS;

export function parseDims(v: string): number[] {
  if (v === 'all') return [0, 1, 2];
  // NOTE: Number('') is 0: an empty item ('2,' or '') must not become dimension 0
  const dims = v.split(',').map((s) => (s.trim() === '' ? NaN : Number(s.trim())));
  if (!isDimList(dims)) throw new UserError(`--topo-dims: '${v}' must list distinct dimensions among 0, 1, 2 (or 'all')`);
  // NOTE: ascending, so that 2,0 and 0,2 are one configuration (a resume, folds pooled by compare)
  return dims.sort((a, b) => a - b);
}

/** Adds the options shared by train and the main job to a command. */
export function trainOptions(cmd: Command): Command {
  return cmd
    .option('--data <dir>', "dataset folder in SHAPR's layout (obj/, mask/, image/), or 'synthetic'", D.data)
    .option('--synthetic-count <n>', 'samples generated when --data synthetic', numberOption('synthetic-count'), D.syntheticCount)
    .option('--synthetic-seed <n>', 'seed of the synthetic generator', numberOption('synthetic-seed'), D.syntheticSeed)
    .option('--side <n>', 'volume side S: input S×S, output S³ (64 = the paper)', numberOption('side'), D.side)
    .option('--filters <n>', 'base filter count (10 = the paper: 10, 20, 40, 80)', numberOption('filters'), D.filters)
    .option('--folds <k>', 'k-fold cross-validation (5: 60/20/20 train/val/test)', numberOption('folds'), D.folds)
    .option('--fold <i>', 'the fold this run trains, 0-based', numberOption('fold'), D.fold)
    .option('--seed <n>', 'seed of initialisation, split, shuffling and augmentation', numberOption('seed'), D.seed)
    .option('--batch-size <n>', 'samples per step', numberOption('batch-size'), D.batchSize)
    .option('--epochs <n>', 'maximum epochs', numberOption('epochs'), D.epochs)
    .option('--patience <n>', 'early stopping: epochs without a better validation loss', numberOption('patience'), D.patience)
    .option('--lr <x>', 'Adam learning rate', numberOption('lr'), D.lr)
    .option('--lr-patience <n>', 'halve the learning rate after this many epochs without improvement', numberOption('lr-patience'), D.lrPatience)
    .option('--lambda <x>', 'weight of the topological loss (0 = the SHAPR baseline)', numberOption('lambda'), D.lambda)
    .option('--topo-size <s>', 'side the topology is computed at (trilinear downsampling); = side for none', numberOption('topo-size'), D.topoSize)
    .addOption(new Option('--topo-dims <list>', "homology dimensions of the loss: e.g. 2, 0,2 or 'all'").argParser(parseDims).default(D.topoDims, D.topoDims.join(',')))
    .option('--q <q>', 'Wasserstein exponent: any number ≥ 1, or inf (bottleneck)', numberOption('q'), D.topoQ)
    .option('--total-persistence <mu>', "weight of the prediction's total persistence (0 = off)", numberOption('total-persistence'), D.topoPersistence)
    .option('--steps-per-epoch <n>', 'cap on steps per epoch (0 = the whole training split)', numberOption('steps-per-epoch'), D.stepsPerEpoch)
    .option('--adversarial-epochs <n>', "SHAPR's adversarial fine-tuning epochs after the supervised phase (0 = off)", numberOption('adversarial-epochs'), D.adversarialEpochs)
    .option('--no-augment', 'disable flips and rotations');
}

export function configFrom(o: Record<string, unknown>): TrainConfig {
  return checkConfig({
    ...D,
    // NOTE: absolute, so that compare and a resume find the folder from anywhere
    data: o.data === 'synthetic' ? 'synthetic' : resolve(String(o.data)),
    syntheticCount: o.syntheticCount as number,
    syntheticSeed: o.syntheticSeed as number,
    side: o.side as number,
    filters: o.filters as number,
    folds: o.folds as number,
    fold: o.fold as number,
    seed: o.seed as number,
    batchSize: o.batchSize as number,
    epochs: o.epochs as number,
    patience: o.patience as number,
    lr: o.lr as number,
    lrPatience: o.lrPatience as number,
    augment: o.augment as boolean,
    lambda: o.lambda as number,
    topoSize: o.topoSize as number,
    topoDims: o.topoDims as number[],
    topoQ: o.q as number,
    topoPersistence: o.totalPersistence as number,
    stepsPerEpoch: o.stepsPerEpoch as number,
    adversarialEpochs: o.adversarialEpochs as number,
  });
}

/** Trains (or resumes) one run and evaluates its test fold; prints a one-line summary. */
export async function runTraining(c: TrainConfig, out: string, label = out): Promise<void> {
  // NOTE: a finished run (its metrics written) is not trained or finished again: a rerun repeated the whole
  // adversarial phase and the predictions
  // (one given more --epochs trains on, below)
  const finishedBefore = existsSync(join(out, RUN_FILES.metrics));
  if (finishedBefore && checkSameConfig(out, c).epochs === undefined) {
    console.error(`${label}: already trained (${join(out, RUN_FILES.metrics)} exists; delete it to finish the run again, or give more --epochs to train on)`);
    return;
  }
  // NOTE: never inside the data: a run directory in DATA or DATA/obj put checkpoints, logs and predictions/
  // among the dataset's files (predict and compare refuse such folders too)
  if (c.data !== 'synthetic' && isWithin(out, c.data)) throw new UserError(`--out ${out}: lies inside the data folder ${c.data}; put the run directory elsewhere`);
  const samples = loadSamples(c, (w) => console.error(warningLines(w).map((x) => `${label}: ${x}`).join('\n')));
  const split = splitFor(samples, c);
  // NOTE: accepted silently, it made every epoch one step of the whole training split
  if (c.batchSize > split.train.length) console.error(`${label}: warning: --batch-size ${c.batchSize} is more than the ${split.train.length} training samples: one step per epoch, of all of them`);
  const g = await getGpu();
  const bar = progress('{label} |{bar}| step {value}/{total} {info} | ETA {eta_formatted}');
  const prep = progress('{label} |{bar}| {value}/{total} samples | ETA {eta_formatted}');
  // NOTE: checkpoints are written atomically, so a signal may stop the run anywhere: say how to go on
  const release = onStopSignal((signal) => {
    prep.stop();
    bar.stop();
    return `${label}: interrupted (${signal}); run the same command again to resume from the last finished epoch`;
  });
  try {
    const result = await train(g, c, out, samples, split, {
      onEpochsChanged: (then, now) => console.error(`${label}: --epochs ${then} → ${now}; config.json now says ${now}`),
      onDataMoved: (then, now) => console.error(`${label}: the data folder moved (${then} → ${now}; the same samples); config.json now names the new one`),
      // (a finished run given more epochs that it will not use says so below)
      onResume: (e, done) => !(done && finishedBefore) && console.error(done ? `${label}: training had ended (epoch ${e}); finishing the run from its last checkpoint` : `${label}: resuming at epoch ${e + 1} from its last checkpoint`),
      onPrepare: (k, n) => {
        if (k === 1) prep.start(n, `${label} target diagrams`);
        prep.update(k);
        if (k === n) prep.stop();
      },
      onEpochStart: (e, steps, adv) => bar.start(steps, adv ? `${label} adversarial epoch ${adv.k + 1}/${adv.n}` : `${label} epoch ${e + 1}/${c.epochs}`),
      // an adversarial step's parts have their own names (generator loss, supervised, discriminator, adversarial)
      onStep: (_e, k, _n, p) => bar.update(k, 'dice' in p && !(c.lambda > 0) ? { loss: p.loss, dice: p.dice, bce: p.bce } : { ...p }),
      onEpochEnd: (l) =>
        bar.stop(`${label} ${l.phase === 'adversarial' ? 'adversarial ' : ''}epoch ${l.epoch + 1}: train ${l.train.loss.toFixed(4)} val ${l.val.loss.toFixed(4)}${l.improved ? ' (best)' : ''} lr ${l.lr.toExponential(1)} ${l.seconds.toFixed(1)}s`),
    });
    // NOTE: the trainer removes metrics.json when it has epochs to train: still there, nothing was trained
    if (existsSync(join(out, RUN_FILES.metrics))) {
      const why = result.stoppedEarly ? `it stopped early at epoch ${result.epochs.length} (no better validation loss for --patience ${c.patience} epochs)` : `it has trained ${result.epochs.length} epochs`;
      console.error(`${label}: ${why}, so --epochs ${c.epochs} changes nothing; its results stand`);
      result.model.dispose();
      return;
    }
    const test = split.test.map((i) => samples[i]);
    const rows = await finishRun(g, out, c, result.model, test);
    const meanIou = rows.reduce((s, r) => s + r.iou_error, 0) / Math.max(1, rows.length);
    console.error(`${label}: ${result.epochs.length} epoch${result.epochs.length === 1 ? '' : 's'}${result.stoppedEarly ? ' (early stop)' : ''}; test IoU error ${meanIou.toFixed(3)} over ${rows.length} sample${rows.length === 1 ? '' : 's'} → ${out}`);
  } finally {
    release();
  }
}

export function register(program: Command): void {
  trainOptions(
    program
      .command('train')
      .description('train SHAPR (with the topological loss when --lambda > 0) on one fold; resumes an interrupted run in --out')
      .requiredOption('--out <dir>', 'run directory (required; config, log.jsonl, checkpoints, predictions, metrics)'),
  ).action(async (o, cmd: Command) => {
    const given = (k: string) => cmd.getOptionValueSource(k) === 'cli';
    // a run directory that exists resumes with its own options: only those given here may differ (and are
    // checked: --data to another path, --epochs to train on); a new run trains at its data's side
    const saved = savedConfig(o.out);
    if (saved) {
      for (const field of Object.keys(FLAG) as Array<keyof TrainConfig>) {
        const key = optionKey(field);
        if (!given(key) && field in saved) o[key] = saved[field];
      }
    } else if (!given('side')) o.side = dataSide(String(o.data)) ?? o.side;
    warnUnused(o, given);
    await runTraining(configFrom(o), o.out);
  });
}

/** Commander's key of a config field's option (configFrom's inverse): the field's name but for --q and --total-persistence. */
export const optionKey = (field: keyof TrainConfig): string => (field === 'topoQ' ? 'q' : field === 'topoPersistence' ? 'totalPersistence' : field);

/** The side of a dataset's volumes, from its first obj/ file, if the network takes it; else undefined (loading says why). */
function dataSide(data: string): number | undefined {
  if (data === 'synthetic') return undefined;
  try {
    const [first] = listTiffs(join(data, 'obj')).values();
    const [d, h, w] = readTiff(join(data, 'obj', first)).shape;
    return d === h && h === w && SIDES.includes(w) ? w : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Warns of options given on the command line that the run records but does not use: the generator's with a
 * data folder, the topological loss's at --lambda 0. NOTE: a warning, not a refusal: a sweep passes the
 * same flags to every task, and its λ = 0 tasks were refused (compare ignores these fields at λ = 0).
 */
export function warnUnused(o: Record<string, unknown>, given: (key: string) => boolean): void {
  for (const { field, why } of unusedFields({ lambda: o.lambda as number, data: String(o.data) })) {
    if (given(optionKey(field))) console.error(`topo-shapr: warning: ${FLAG[field]} is not used ${why}`);
  }
}
