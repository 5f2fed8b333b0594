// Plain-TS reference forward of the SHAPR network, composed from the layers' references (no GPU). Used by
// tests at small sizes to check the GPU model layer by layer.
import { batchNorm3dRef } from '../nn/batch_norm3d.ref.ts';
import { conv3dRef } from '../nn/conv3d.ref.ts';
import { convGeometry, convTGeometry } from '../nn/conv_geometry.ts';
import { convTranspose3dRef } from '../nn/conv_transpose3d.ref.ts';
import { maxPool3dRef } from '../nn/max_pool3d.ref.ts';
import { reluRef, sigmoidRef } from '../ops/elementwise.ref.ts';
import { type ShaprConfig, layerOutShape, shaprLayers } from './shapr_layout.ts';

/**
 * The network's output for `input` [B, 2, 1, side, side] given every named tensor's values (as Shapr.named()).
 * Training mode uses batch statistics and returns the updated running statistics in `running`.
 */
export function shaprForwardRef(
  config: ShaprConfig, weights: Map<string, Float32Array>, input: Float32Array, batch: number, training: boolean,
): { output: Float32Array; shape: number[]; running: Map<string, Float32Array> } {
  const w = (name: string) => {
    const v = weights.get(name);
    if (!v) throw new Error(`shaprForwardRef: no weight ${name}`);
    return v;
  };
  const running = new Map<string, Float32Array>();
  let shape = [batch, 2, 1, config.side, config.side];
  let x = input;
  for (const l of shaprLayers(config)) {
    const next = layerOutShape(l, shape);
    switch (l.kind) {
      case 'enc':
        for (const i of [0, 1]) {
          const wt = w(`${l.name}.conv${i}.weight`);
          x = conv3dRef(x, wt, null, convGeometry(shape, [l.cout, i === 0 ? l.cin : l.cout, 1, 3, 3], [0, 1, 1]));
          shape = [batch, l.cout, ...shape.slice(2)];
          const bn = `${l.name}.bn${i}`;
          const r = batchNorm3dRef(x, shape, w(`${bn}.weight`), w(`${bn}.bias`), w(`${bn}.running_mean`), w(`${bn}.running_var`), training);
          running.set(`${bn}.running_mean`, r.runningMean);
          running.set(`${bn}.running_var`, r.runningVar);
          x = reluRef(r.y);
        }
        break;
      case 'pool':
        x = maxPool3dRef(x, shape, l.k).y;
        break;
      case 'conv':
        x = sigmoidRef(conv3dRef(x, w(`${l.name}.weight`), null, convGeometry(shape, [l.cout, l.cin, ...l.k], l.padding)));
        break;
      case 'convT':
        x = convTranspose3dRef(x, w(`${l.name}.weight`), w(`${l.name}.bias`), convTGeometry(shape, [l.cin, l.cout, ...l.k], l.k));
        break;
    }
    shape = next;
  }
  return { output: x, shape, running };
}
