// The SHAPR network as data: its layers in order, their parameter shapes and output shapes, for a given
// input side and filter base. Pure (no GPU), so the CLI's --summary and the browser can use it without a device.
//
// Architecture (the published PyTorch re-implementation of SHAPR; f = filters, default 10, s = side, default 64):
//   input [B, 2, 1, s, s]
//   conv1 Enc(2, f) → pool1 (1,2,2) → conv2 Enc(f, 2f) → pool2 (1,2,2) → conv3 Enc(2f, 4f)
//   → latent Conv3d(4f, 8f, (1,3,3), same, no bias) + Sigmoid          [B, 8f, 1, s/4, s/4]
//   → conv4 Enc(8f, 8f) → up1 ConvT(8f, 8f, (2,1,1)) → conv5 Enc(8f, 8f) → up2 ConvT(8f, 8f, (2,1,1))
//   → conv6 Enc(8f, 4f) → up3 ConvT(4f, 4f, 2, s=2) → conv7 Enc(4f, 4f) → up4 ConvT(4f, 4f, (2,1,1))
//   → conv8 Enc(4f, 2f) → up5 ConvT(2f, 2f, (2,1,1)) → conv9 Enc(2f, f) → up6 ConvT(f, f, 2, s=2)
//   → out Conv3d(f, 1, 3, same, no bias) + Sigmoid                     [B, 1, s, s, s]
//   Enc(i, o) = [Conv3d(i, o, (1,3,3), same, no bias) → BatchNorm3d(o) → ReLU] × 2; ConvTs have a bias.
// Depth: 1 → s needs log2(s) doublings; up3 and up6 (k = s = 2) double D, H and W, so log2(s) − 2 of the four
// depth-only ConvTs (up1, up2, up4, up5) must double D. At s = 64 all four do (the paper's network).
// NOTE: for a smaller side the FIRST log2(s) − 2 of them keep kernel/stride (2,1,1); the rest become
// ConvT(c, c, (1,1,1), stride 1), a per-voxel channel mix, so every side has the same layers and names.
// Supported sides: 4, 8, 16, 32, 64.
import { UserError } from '../util/errors.ts';

export interface ShaprConfig {
  side: number; // input H = W and output D = H = W (power of two, 4..64; 64 in SHAPR)
  filters: number; // base channel count f; the network uses f, 2f, 4f, 8f (10 in SHAPR)
}

export const SHAPR_DEFAULTS: ShaprConfig = { side: 64, filters: 10 };

export type Triple = [number, number, number];

export type LayerSpec =
  | { kind: 'enc'; name: string; cin: number; cout: number }
  | { kind: 'pool'; name: string; k: Triple }
  | { kind: 'conv'; name: string; cin: number; cout: number; k: Triple; padding: Triple } // + Sigmoid
  | { kind: 'convT'; name: string; cin: number; cout: number; k: Triple };

/** One parameter or buffer of the network, by name (the names in weight files). */
export interface ParamSpec {
  name: string;
  shape: number[];
  trainable: boolean;
  init: 'kaiming' | 'ones' | 'zeros';
  fanIn: number; // for 'kaiming': bound = 1 / sqrt(fanIn)
}

/** The volume sides the network supports: two 2× poolings of the image, then depth doubled from 1 to S. */
export const SIDES: readonly number[] = [4, 8, 16, 32, 64];

/** Throws a UserError unless the configuration is one the network supports. */
export function checkConfig(c: ShaprConfig): void {
  if (!SIDES.includes(c.side)) throw new UserError(`model side must be one of ${SIDES.join(', ')} (got ${c.side})`);
  if (!Number.isInteger(c.filters) || c.filters < 1 || c.filters > 256) {
    throw new UserError(`model filters must be an integer in 1..256 (got ${c.filters})`);
  }
}

/** The layers in forward order. */
export function shaprLayers(c: ShaprConfig): LayerSpec[] {
  checkConfig(c);
  const f = c.filters;
  let depthDoublings = Math.log2(c.side) - 2;
  const depthUp = (name: string, ch: number): LayerSpec => {
    const k: Triple = depthDoublings-- > 0 ? [2, 1, 1] : [1, 1, 1];
    return { kind: 'convT', name, cin: ch, cout: ch, k };
  };
  const enc = (name: string, cin: number, cout: number): LayerSpec => ({ kind: 'enc', name, cin, cout });
  return [
    enc('conv1', 2, f),
    { kind: 'pool', name: 'pool1', k: [1, 2, 2] },
    enc('conv2', f, 2 * f),
    { kind: 'pool', name: 'pool2', k: [1, 2, 2] },
    enc('conv3', 2 * f, 4 * f),
    { kind: 'conv', name: 'latent', cin: 4 * f, cout: 8 * f, k: [1, 3, 3], padding: [0, 1, 1] },
    enc('conv4', 8 * f, 8 * f),
    depthUp('up1', 8 * f),
    enc('conv5', 8 * f, 8 * f),
    depthUp('up2', 8 * f),
    enc('conv6', 8 * f, 4 * f),
    { kind: 'convT', name: 'up3', cin: 4 * f, cout: 4 * f, k: [2, 2, 2] },
    enc('conv7', 4 * f, 4 * f),
    depthUp('up4', 4 * f),
    enc('conv8', 4 * f, 2 * f),
    depthUp('up5', 2 * f),
    enc('conv9', 2 * f, f),
    { kind: 'convT', name: 'up6', cin: f, cout: f, k: [2, 2, 2] },
    { kind: 'conv', name: 'out', cin: f, cout: 1, k: [3, 3, 3], padding: [1, 1, 1] },
  ];
}

const volume = (k: Triple) => k[0] * k[1] * k[2];

/** The parameters (and BatchNorm running statistics) of one layer, in a fixed order. */
export function layerParams(l: LayerSpec): ParamSpec[] {
  const p = (name: string, shape: number[], init: ParamSpec['init'], fanIn = 0, trainable = true): ParamSpec => ({ name: `${l.name}.${name}`, shape, trainable, init, fanIn });
  switch (l.kind) {
    case 'enc': {
      const out: ParamSpec[] = [];
      for (const [i, cin] of [[0, l.cin], [1, l.cout]]) {
        const fanIn = cin * 9;
        out.push(p(`conv${i}.weight`, [l.cout, cin, 1, 3, 3], 'kaiming', fanIn));
        out.push(p(`bn${i}.weight`, [l.cout], 'ones'), p(`bn${i}.bias`, [l.cout], 'zeros'));
        out.push(p(`bn${i}.running_mean`, [l.cout], 'zeros', 0, false), p(`bn${i}.running_var`, [l.cout], 'ones', 0, false));
      }
      return out;
    }
    case 'conv':
      return [p('weight', [l.cout, l.cin, ...l.k], 'kaiming', l.cin * volume(l.k))];
    case 'convT': {
      // NOTE: PyTorch takes a ConvTranspose's fan-in from weight dim 1 (Cout) times the kernel volume.
      const fanIn = l.cout * volume(l.k);
      return [p('weight', [l.cin, l.cout, ...l.k], 'kaiming', fanIn), p('bias', [l.cout], 'kaiming', fanIn)];
    }
    case 'pool':
      return [];
  }
}

/** The output shape of a layer given its input shape [B, C, D, H, W]. */
export function layerOutShape(l: LayerSpec, s: readonly number[]): number[] {
  const [b, , d, h, w] = s;
  switch (l.kind) {
    case 'enc':
      return [b, l.cout, d, h, w];
    case 'pool':
      return [b, s[1], Math.floor(d / l.k[0]), Math.floor(h / l.k[1]), Math.floor(w / l.k[2])];
    case 'conv':
      return [b, l.cout, d + 2 * l.padding[0] - l.k[0] + 1, h + 2 * l.padding[1] - l.k[1] + 1, w + 2 * l.padding[2] - l.k[2] + 1];
    case 'convT':
      return [b, l.cout, d * l.k[0], h * l.k[1], w * l.k[2]]; // kernel = stride, no padding
  }
}

/** A human-readable description of a layer. */
function describeLayer(l: LayerSpec): string {
  switch (l.kind) {
    case 'enc':
      return `Enc(${l.cin}, ${l.cout}): 2 × [Conv3d (1,3,3) same → BatchNorm3d → ReLU]`;
    case 'pool':
      return `MaxPool3d (${l.k})`;
    case 'conv':
      return `Conv3d(${l.cin}, ${l.cout}, (${l.k}), same, no bias) → Sigmoid`;
    case 'convT':
      return `ConvTranspose3d(${l.cin}, ${l.cout}, k=(${l.k}), s=(${l.k}))`;
  }
}

export interface SummaryRow {
  layer: string;
  description: string;
  outShape: number[];
  params: number; // trainable parameters of the layer
  flops: number; // multiply-adds × 2 of its convolutions, forward (BatchNorm, ReLU, pooling not counted)
}

/** Forward FLOPs (2 × multiply-adds) of a layer's convolutions, given its output shape. */
function layerFlops(l: LayerSpec, out: readonly number[]): number {
  const voxels = out[0] * out[2] * out[3] * out[4];
  switch (l.kind) {
    case 'enc':
      return 2 * 9 * (l.cin + l.cout) * l.cout * voxels;
    case 'conv':
      return 2 * l.cin * volume(l.k) * l.cout * voxels;
    case 'convT':
      return 2 * l.cin * l.cout * voxels; // each output voxel receives one tap per input channel
    case 'pool':
      return 0;
  }
}

/** Layers, output shapes (for `batch`) and trainable parameter counts, computed without a GPU. */
export function shaprSummary(c: ShaprConfig, batch = 1): SummaryRow[] {
  let shape = [batch, 2, 1, c.side, c.side];
  return shaprLayers(c).map((l) => {
    shape = layerOutShape(l, shape);
    const params = layerParams(l).filter((p) => p.trainable).reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
    return { layer: l.name, description: describeLayer(l), outShape: shape, params, flops: layerFlops(l, shape) };
  });
}
