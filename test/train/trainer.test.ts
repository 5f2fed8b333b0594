import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWeights } from '../../src/model/weights.ts';
import { TRAIN_DEFAULTS, type TrainConfig } from '../../src/train/config.ts';
import { loadSamples, splitFor } from '../../src/train/data.ts';
import { train } from '../../src/train/trainer.ts';
import { initialPlateau, plateauStep } from '../../src/train/schedule.ts';
import { UserError } from '../../src/util/errors.ts';
import { assertRejects, gpu, inTempDir } from '../helpers.ts';
import { writeDataset } from '../../src/data/dataset_writer.ts';
import { generateDataset } from '../../src/data/synthetic.ts';

const TINY: TrainConfig = {
  ...TRAIN_DEFAULTS,
  side: 16,
  filters: 2,
  syntheticCount: 15,
  batchSize: 3,
  epochs: 5,
  lr: 5e-3,
  topoSize: 8,
  topoDims: [0, 2],
};

test('plateau schedule: improvement resets, patience stops, the learning rate halves', () => {
  const s = initialPlateau(1e-3);
  const o = { patience: 3, lrPatience: 2, lrFactor: 0.5, minLr: 1e-6 };
  assert.ok(plateauStep(s, 0, 1.0, o).improved);
  assert.not.ok(plateauStep(s, 1, 1.0, o).improved); // equal is not better
  const d = plateauStep(s, 2, NaN, o); // NaN never improves
  assert.ok(d.lrReduced);
  assert.is(s.lr, 5e-4);
  assert.ok(plateauStep(s, 3, 2, o).stop);
  assert.is(s.bestEpoch, 0);
});

for (const lambda of [0, 0.5]) {
  test(`a short training run lowers the training loss (λ = ${lambda})`, async () => {
    const g = await gpu();
    const dir = mkdtempSync(join(tmpdir(), 'topo-shapr-train-'));
    // batches of 4 over the 9 training samples: 4, 4, then a short batch of 1
    const c = { ...TINY, lambda, batchSize: 4 };
    const samples = loadSamples(c);
    const steps: number[][] = [];
    const r = await train(g, c, dir, samples, splitFor(samples, c), { onStep: (e, _k, _n, p) => (steps[e] ??= []).push(p.loss) });
    // the epoch's training loss is a mean over samples, like validation's (the short batch weighs 1/9, not 1/3)
    for (const e of r.epochs) {
      const l = steps[e.epoch];
      assert.is(l.length, 3);
      assert.ok(Math.abs(e.train.loss - (4 * l[0] + 4 * l[1] + l[2]) / 9) < 1e-12, `epoch ${e.epoch}: ${e.train.loss} vs steps ${l}`);
    }
    const first = r.epochs[0].train.loss;
    const last = r.epochs[r.epochs.length - 1].train.loss;
    assert.ok(last < first - 0.01, `loss ${first} → ${last}`);
    const topo = r.epochs.map((e) => (e.phase ? NaN : e.train.topo));
    if (lambda > 0) assert.ok(topo.some((t) => t > 0), 'the topological term was computed');
    else assert.ok(topo.every((t) => t === 0));
    assert.ok(existsSync(join(dir, 'best.safetensors')) && existsSync(join(dir, 'last.ckpt.safetensors')));
    assert.is(readFileSync(join(dir, 'log.jsonl'), 'utf8').trim().split('\n').length, r.epochs.length);
    r.model.dispose();
    rmSync(dir, { recursive: true });
  });
}

test('from --topo-size 32 up the topological term runs on worker threads (TopoPool) and training goes on', async () => {
  const g = await gpu();
  const dir = mkdtempSync(join(tmpdir(), 'topo-shapr-pool-'));
  const c = { ...TINY, side: 32, topoSize: 32, syntheticCount: 6, epochs: 1, lambda: 0.5 };
  const samples = loadSamples(c);
  const r = await train(g, c, dir, samples, splitFor(samples, c));
  assert.is(r.epochs.length, 1);
  const e0 = r.epochs[0];
  assert.ok(!e0.phase && e0.train.topo > 0 && Number.isFinite(e0.train.loss), `topo ${JSON.stringify(e0.train)}`);
  assert.ok(r.epochs[0].val.topo > 0, 'validation computes the term on the pool too');
  r.model.dispose();
  rmSync(dir, { recursive: true });
});

// In a topological run the phase kept nothing of L_T: its steps and its choice of best weights dropped it.
test('the optional adversarial phase runs after the supervised one, logs its epochs, and keeps λ·L_T in a topological run', async () => {
  const g = await gpu();
  for (const lambda of [0, 0.5]) {
    const dir = mkdtempSync(join(tmpdir(), 'topo-shapr-adv-'));
    const c = { ...TINY, epochs: 2, lambda, adversarialEpochs: 2 };
    const samples = loadSamples(c);
    const r = await train(g, c, dir, samples, splitFor(samples, c));
    const adv = r.epochs.filter((e) => e.phase === 'adversarial');
    assert.is(adv.length, 2);
    // its parts under their own names (they were logged as dice, bce and topo)
    for (const e of adv) {
      assert.equal(Object.keys(e.train), ['loss', 'supervised', 'discriminator', 'adversarial']);
      assert.ok(e.phase === 'adversarial' && Number.isFinite(e.train.loss) && e.train.discriminator > 0 && e.train.supervised > 0, JSON.stringify(e.train));
      // validation (which picks the phase's best weights) with the run's own loss: λ·L_T included
      assert.ok(lambda > 0 ? e.val.topo > 0 && Math.abs(e.val.loss - ((2 * e.val.dice + e.val.bce) / 2 + lambda * e.val.topo)) < 1e-5 : e.val.topo === 0, `λ = ${lambda}: ${JSON.stringify(e.val)}`);
    }
    assert.ok(existsSync(join(dir, 'best_supervised.safetensors')));
    assert.is(readFileSync(join(dir, 'log.jsonl'), 'utf8').trim().split('\n').length, 4);
    r.model.dispose();
    rmSync(dir, { recursive: true });
  }
});

/**
 * Runs the CLI's train; with killAfterEpochs, sends it `signal` once that many epochs are logged. The exit
 * code (null: killed by the signal) and stderr.
 */
function cliTrain(dir: string, killAfterEpochs?: number, signal: NodeJS.Signals = 'SIGKILL', extra: string[] = []): Promise<{ code: number | null; stderr: string }> {
  const args = ['harness/bin/topo-shapr.js', 'train', '--out', dir, '--side', '16', '--filters', '2', '--synthetic-count', '15', '--batch-size', '3', '--epochs', '3', '--lr', '0.005', '--lambda', '0.5', '--topo-size', '8', '--topo-dims', '0,2', ...extra];
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    let timer: NodeJS.Timeout | undefined;
    if (killAfterEpochs) {
      timer = setInterval(() => {
        const log = join(dir, 'log.jsonl');
        if (existsSync(log) && readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).length >= killAfterEpochs) {
          p.kill(signal);
          clearInterval(timer);
        }
      }, 20);
    }
    p.on('exit', (code, got) => {
      clearInterval(timer);
      if (code !== 0 && !killAfterEpochs) reject(new Error(`train exited ${code} (${got}): ${err}`));
      else resolve({ code, stderr: err });
    });
  });
}

function modelTensors(path: string): Map<string, Float32Array> {
  const w = decodeWeights(readFileSync(path), path);
  return new Map([...w.tensors].filter(([k]) => !k.startsWith('optim.')).map(([k, v]) => [k, v.data]));
}

test('a run resumed on other samples (the data folder changed under it) is refused, naming samples.json', async () => {
  const g = await gpu();
  const dir = mkdtempSync(join(tmpdir(), 'topo-shapr-samples-'));
  const c = { ...TINY, syntheticCount: 6, folds: 3, epochs: 1, lambda: 0 };
  try {
    const samples = loadSamples(c);
    (await train(g, c, dir, samples, splitFor(samples, c))).model.dispose();
    assert.equal(JSON.parse(readFileSync(join(dir, 'samples.json'), 'utf8')).count, 6);
    // the same samples go on; one changed voxel, or one more sample, does not
    const more = c;
    (await train(g, more, dir, samples, splitFor(samples, more))).model.dispose();
    const edited = samples.map((s, i) => (i === 4 ? { ...s, target: s.target.map((x, k) => (k === 100 ? 1 - x : x)) } : s));
    const grown = loadSamples({ ...c, syntheticCount: 7 });
    for (const other of [edited, grown]) {
      try {
        await train(g, more, dir, other, splitFor(other, more));
        assert.unreachable('no error');
      } catch (e) {
        assert.instance(e, UserError, String(e));
        assert.match((e as Error).message, /samples\.json: the synthetic cells now holds other samples than this run started with \(6 then, [67] now/);
      }
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
});

// Clusters stage a dataset to per-job scratch: a requeued job reads the same samples from another path.
test('a run resumes with its data at another path when the samples are the same (samples.json decides)', () =>
  inTempDir('moved', async (root) => {
    const g = await gpu();
    const first = join(root, 'data-a');
    writeDataset(first, generateDataset({ n: 6, size: 16, seed: 3 }));
    const run = join(root, 'run');
    const on = (data: string) => ({ ...TINY, data, folds: 3, epochs: 1, lambda: 0 });
    const go = async (data: string, ev = {}) => {
      const c = on(data);
      const samples = loadSamples(c);
      (await train(g, c, run, samples, splitFor(samples, c), ev)).model.dispose();
    };
    await go(first);
    const second = join(root, 'data-b');
    cpSync(first, second, { recursive: true });
    const moves: string[][] = [];
    await go(second, { onDataMoved: (a: string, b: string) => moves.push([a, b]) });
    assert.equal(moves, [[first, second]]);
    assert.is(JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')).data, second, 'config.json names where the data is now');
    // other samples at the new path are refused by samples.json; without a samples.json, by the path
    const third = join(root, 'data-c');
    writeDataset(third, generateDataset({ n: 6, size: 16, seed: 4 }));
    await assertRejects(go(third), UserError, /samples\.json: .*data-c now holds other samples than this run started with/);
    rmSync(join(run, 'samples.json'));
    await assertRejects(go(first), UserError, /config\.json: this run directory was started with other options \(--data .*data-b.* → .*data-a/);
  }));

// An extension stopped before its first new epoch must resume, not count as trained: metrics.json (the mark
// of a finished run) goes before config.json records the new count.
test('more epochs: a stop right after config.json changed leaves an unfinished run; without its checkpoint, refused', () =>
  inTempDir('extend', async (dir) => {
    const g = await gpu();
    const c = { ...TINY, syntheticCount: 6, folds: 3, epochs: 1, lambda: 0 };
    const samples = loadSamples(c);
    const go = (epochs: number, ev = {}) => train(g, { ...c, epochs }, dir, samples, splitFor(samples, c), ev).then((r) => r.model.dispose());
    await go(1);
    writeFileSync(join(dir, 'metrics.json'), '[]'); // as finishRun leaves a finished run
    await assertRejects(go(2, { onEpochsChanged: () => { throw new UserError('stopped here'); } }), UserError, /stopped here/);
    assert.is(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).epochs, 2);
    assert.not.ok(existsSync(join(dir, 'metrics.json')), 'the run reads as unfinished');
    // a trained run without its checkpoint would start over, overwriting its log and best weights
    writeFileSync(join(dir, 'metrics.json'), '[]');
    rmSync(join(dir, 'last.ckpt.safetensors'));
    const log = readFileSync(join(dir, 'log.jsonl'));
    await assertRejects(go(3), UserError, /--epochs 2 → 3: .*last\.ckpt\.safetensors is missing, so the run cannot train on/);
    assert.equal(readFileSync(join(dir, 'log.jsonl')), log);
    assert.ok(existsSync(join(dir, 'metrics.json')));
    // nor after its adversarial phase began (best.safetensors is then that phase's)
    writeFileSync(join(dir, 'best_supervised.safetensors'), '');
    await assertRejects(go(3), UserError, /--epochs 2 → 3: .* has begun its adversarial phase, after which it cannot train longer/);
  }));

test('a run killed mid-training resumes to exactly the weights of an uninterrupted run', async () => {
  const root = mkdtempSync(join(tmpdir(), 'topo-shapr-resume-'));
  const whole = join(root, 'whole');
  const killed = join(root, 'killed');
  assert.is((await cliTrain(whole)).code, 0);
  assert.is((await cliTrain(killed, 1)).code, null, 'the first attempt was killed');
  assert.ok(!existsSync(join(killed, 'metrics.json')), 'it did not finish');
  const before = readFileSync(join(killed, 'log.jsonl'), 'utf8').split('\n')[0];
  const resumed = await cliTrain(killed);
  assert.is(resumed.code, 0);
  // it resumed (a run that started over would end with the same weights: training is deterministic)
  assert.match(resumed.stderr, /resuming at epoch [23] from its last checkpoint/);
  assert.is(readFileSync(join(killed, 'log.jsonl'), 'utf8').split('\n')[0], before, "epoch 0's log line, its time included, is the first attempt's");
  for (const file of ['last.ckpt.safetensors', 'best.safetensors']) {
    const a = modelTensors(join(whole, file));
    const b = modelTensors(join(killed, file));
    assert.equal([...a.keys()], [...b.keys()]);
    for (const [k, v] of a) assert.ok(v.every((x, i) => x === b.get(k)![i]), `${file}: ${k} differs`);
  }
  const logs = (d: string) => readFileSync(join(d, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).train.loss);
  assert.equal(logs(killed), logs(whole));
  // a finished run given more --epochs trains on (it was refused as started with other options), to the
  // weights and test metrics of a run given them from the start; fewer than it has trained are refused
  const extended = join(root, 'extended');
  assert.is((await cliTrain(extended, undefined, undefined, ['--epochs', '2'])).code, 0);
  const more = await cliTrain(extended);
  assert.match(more.stderr, /--epochs 2 → 3; config\.json now says 3/);
  assert.is(JSON.parse(readFileSync(join(extended, 'config.json'), 'utf8')).epochs, 3);
  assert.equal(logs(extended), logs(whole));
  const ext = modelTensors(join(extended, 'best.safetensors'));
  for (const [k, v] of modelTensors(join(whole, 'best.safetensors'))) assert.ok(v.every((x, i) => x === ext.get(k)![i]), k);
  assert.equal(JSON.parse(readFileSync(join(extended, 'metrics.json'), 'utf8')), JSON.parse(readFileSync(join(whole, 'metrics.json'), 'utf8')));
  await assertRejects(cliTrain(extended, undefined, undefined, ['--epochs', '2']), Error, /--epochs 2: .*extended has trained 3 epochs already; give at least that many/);
  assert.ok(existsSync(join(extended, 'metrics.json')), 'a refused change loses nothing');
  rmSync(root, { recursive: true });
});

// A cluster preempts a job with SIGTERM and may requeue it on another node, where a .lock left behind is
// refused (Node's default for SIGTERM skips the exit handlers that remove it).
test('SIGTERM and SIGHUP stop a run like Ctrl-C: the lock is released, the exit code says which signal', () =>
  inTempDir('signal', async (root) => {
    for (const [signal, code] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) {
      const dir = join(root, signal);
      const r = await cliTrain(dir, 1, signal);
      assert.is(r.code, code, r.stderr);
      assert.match(r.stderr, new RegExp(`interrupted \\(${signal}\\); run the same command again to resume`));
      assert.ok(existsSync(join(dir, 'last.ckpt.safetensors')), 'a checkpoint to resume from');
      assert.ok(!existsSync(join(dir, '.lock')), 'no lock left behind');
    }
  }));

test.run();
