// After training: predict the test fold with the best weights, write the predictions as TIFF volumes
// and the per-sample errors (eval/metrics.ts) as metrics.json (both atomically).
import { join } from 'node:path';
import type { Gpu } from '../gpu/device.ts';
import type { Sample } from '../data/sample.ts';
import { encodeTiff } from '../data/tiff_writer.ts';
import { evaluateVolumes } from '../eval/metrics.ts';
import type { Shapr } from '../model/shapr.ts';
import { makeOutputDir, writeFileAtomic } from '../util/atomic.ts';
import { loadModel } from './checkpoint.ts';
import type { TrainConfig } from './config.ts';
import { predictSamples } from './predict.ts';
import { RUN_FILES } from './trainer.ts';

export interface SampleMetrics {
  name: string;
  className: string;
  fold: number;
  iou_error: number;
  volume_error: number;
  surface_error: number;
  roughness_error: number;
  betti_error: number;
}

export async function finishRun(g: Gpu, dir: string, c: TrainConfig, model: Shapr, test: Sample[]): Promise<SampleMetrics[]> {
  await loadModel(join(dir, RUN_FILES.best), model);
  const preds = await predictSamples(g, model, test, c.batchSize);
  const pdir = join(dir, 'predictions');
  makeOutputDir(pdir);
  const rows: SampleMetrics[] = test.map((s, i) => {
    writeFileAtomic(join(pdir, `${s.name}.tif`), encodeTiff(preds[i], s.shape, 'float32'));
    const e = evaluateVolumes(preds[i], s.target, s.shape);
    return { name: s.name, className: s.className, fold: c.fold, iou_error: e.iouError, volume_error: e.volumeError, surface_error: e.surfaceError, roughness_error: e.roughnessError, betti_error: e.bettiError };
  });
  writeFileAtomic(join(dir, RUN_FILES.metrics), JSON.stringify(rows, null, 1));
  return rows;
}
