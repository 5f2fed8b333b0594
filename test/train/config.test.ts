// config.json: what a run saves is what it, compare and a resume read back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolve } from 'node:path';
import { checkConfig, configChanges, configFromJson, configJson, TRAIN_DEFAULTS } from '../../src/train/config.ts';
import { parseDims } from '../../harness/commands/train.ts';
import { mean } from '../../src/train/trainer.ts';

test('--q inf survives config.json (JSON wrote null, which compare and npm start then refused)', () => {
  const c = { ...TRAIN_DEFAULTS, topoQ: Infinity };
  const text = configJson(c);
  assert.match(text, /"topoQ": "Infinity"/);
  const back = configFromJson(JSON.parse(text));
  assert.is(back.topoQ, Infinity);
  assert.equal(configChanges(back, c), []);
  // a run saved before: null read as ∞
  assert.is(configFromJson({ ...JSON.parse(JSON.stringify(c)) }).topoQ, Infinity);
  // and a real change is still named, ∞ spelled out
  assert.equal(configChanges(back, { ...c, topoQ: 2 }), ['--q "Infinity" → 2']);
});

test('epoch losses are means over samples, not over batches', () => {
  const p = (loss: number) => ({ loss, dice: loss, bce: 0, topo: 0 });
  // 7 samples in batches of 6 and 1: the lone sample weighs 1/7, not 1/2
  assert.is(mean([p(1), p(8)], [6, 1]).loss, 2);
  // the adversarial phase's parts keep their names
  assert.equal(mean([{ loss: 1, supervised: 2, discriminator: 3, adversarial: 4 }, { loss: 3, supervised: 2, discriminator: 1, adversarial: 0 }], [1, 1]), { loss: 2, supervised: 2, discriminator: 2, adversarial: 2 });
});

test('a repeated --topo-dims is named by its flag (the loss would refuse it later, without the flag)', () => {
  assert.throws(() => parseDims('0,0'), /--topo-dims: '0,0' must list distinct dimensions/);
  assert.throws(() => checkConfig({ ...TRAIN_DEFAULTS, topoDims: [2, 2] }), /--topo-dims must be distinct dimensions among 0, 1, 2, got 2,2/);
  assert.equal(parseDims('0,2'), [0, 2]);
});

test('--topo-size must fit in --side only where the topological loss runs: the baseline trains at any side', () => {
  assert.throws(() => checkConfig({ ...TRAIN_DEFAULTS, side: 8, lambda: 0.1 }), /--topo-size \(16\) exceeds the volume side --side \(8\)/);
  assert.is(checkConfig({ ...TRAIN_DEFAULTS, side: 8, lambda: 0 }).side, 8);
});

test('an empty --topo-dims item is refused, not read as dimension 0', () => {
  for (const v of ['2,', '', ',2', '0,,2', ' ']) assert.throws(() => parseDims(v), /--topo-dims: .* must list distinct dimensions/, v);
  assert.equal(parseDims('all'), [0, 1, 2]);
});

test('a data folder is compared by the folder it names: a path stored as typed equals its absolute form', () => {
  const abs = { ...TRAIN_DEFAULTS, data: resolve('some/data') };
  assert.equal(configChanges({ ...TRAIN_DEFAULTS, data: 'some/data' }, abs), []);
  assert.equal(configChanges({ ...TRAIN_DEFAULTS, data: 'other/data' }, abs), [`--data ${JSON.stringify(resolve('other/data'))} → ${JSON.stringify(resolve('some/data'))}`]);
});

test('--topo-dims in any order is one configuration: a resume and compare see 2,0 as 0,2', () => {
  assert.equal(parseDims('2,0'), [0, 2]);
  const c = { ...TRAIN_DEFAULTS, topoDims: parseDims('0,2') };
  assert.equal(configChanges(configFromJson(JSON.parse(configJson({ ...c, topoDims: [2, 0] }))), c), []);
});

test('a config.json from before an option existed resumes: the missing field takes its default (off)', () => {
  const { adversarialEpochs: _a, topoPersistence: _t, ...older } = TRAIN_DEFAULTS;
  assert.equal(configChanges(configFromJson(JSON.parse(JSON.stringify(older))), TRAIN_DEFAULTS), []);
  assert.equal(configChanges(configFromJson(JSON.parse(JSON.stringify(older))), { ...TRAIN_DEFAULTS, adversarialEpochs: 3 }), ['--adversarial-epochs 0 → 3']);
});

test.run();
