// Convolution benchmark: every distinct Conv3d / ConvTranspose3d layer shape of the default SHAPR network,
// forward, gradInput and gradWeight, at batch 1 and 6, with the adapter's register-blocked matmul rate
// (harness/bench/matmul.ts) as the yardstick. Prints one JSON object per line.
// Usage: npx tsx harness/bench/conv.ts [--batch 1,6] [--reps 3] [--only SUBSTRING] [--no-matmul]
import { pathToFileURL } from 'node:url';
import { type Gpu, getGpu } from '../../src/gpu/device.ts';
import { conv3dForward, conv3dGradInput, conv3dGradWeight } from '../../src/nn/conv3d.ts';
import { type ConvGeometry, type ConvTGeometry, convGeometry, convTGeometry } from '../../src/nn/conv_geometry.ts';
import { convTForward, convTGradInput, convTGradWeight } from '../../src/nn/conv_transpose3d.ts';
import { Tensor } from '../../src/tape/tensor.ts';
import { matmulPeak, timeGpu } from './matmul.ts';

interface Layer { name: string; kind: 'conv' | 'convT'; cin: number; cout: number; k: [number, number, number]; s: [number, number, number]; dhw: [number, number, number] }

const conv = (cin: number, cout: number, dhw: [number, number, number], k: [number, number, number] = [1, 3, 3]): Layer =>
  ({ name: `conv ${cin}->${cout} k${k.join('x')} @${dhw.join('x')}`, kind: 'conv', cin, cout, k, s: [1, 1, 1], dhw });
const convT = (cin: number, cout: number, k: [number, number, number], dhw: [number, number, number]): Layer =>
  ({ name: `convT ${cin}->${cout} k${k.join('x')} @${dhw.join('x')}`, kind: 'convT', cin, cout, k, s: k, dhw });

/** The distinct convolution layers of the default network (input 1×64×64, filter base 10). */
export const SHAPR_LAYERS: Layer[] = [
  conv(2, 10, [1, 64, 64]), conv(10, 10, [1, 64, 64]),
  conv(10, 20, [1, 32, 32]), conv(20, 20, [1, 32, 32]),
  conv(20, 40, [1, 16, 16]), conv(40, 40, [1, 16, 16]), conv(40, 80, [1, 16, 16]),
  conv(80, 80, [1, 16, 16]), convT(80, 80, [2, 1, 1], [1, 16, 16]),
  conv(80, 80, [2, 16, 16]), convT(80, 80, [2, 1, 1], [2, 16, 16]),
  conv(80, 40, [4, 16, 16]), conv(40, 40, [4, 16, 16]), convT(40, 40, [2, 2, 2], [4, 16, 16]),
  conv(40, 40, [8, 32, 32]), convT(40, 40, [2, 1, 1], [8, 32, 32]),
  conv(40, 20, [16, 32, 32]), conv(20, 20, [16, 32, 32]), convT(20, 20, [2, 1, 1], [16, 32, 32]),
  conv(20, 10, [32, 32, 32]), conv(10, 10, [32, 32, 32]), convT(10, 10, [2, 2, 2], [32, 32, 32]),
  conv(10, 1, [64, 64, 64], [3, 3, 3]),
];

function randomTensor(g: Gpu, shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.sin(i * 12.9898) * 0.5;
  return Tensor.from(g, a, shape);
}

/** Times the three passes of one layer at batch b; yields one result object per pass. */
export async function benchLayer(g: Gpu, l: Layer, b: number, reps: number): Promise<Array<Record<string, unknown>>> {
  const xShape = [b, l.cin, ...l.dhw];
  const x = randomTensor(g, xShape);
  const out: Array<Record<string, unknown>> = [];
  let passes: Array<[string, () => Tensor]>;
  let flops: number;
  let temps: Tensor[];
  if (l.kind === 'conv') {
    const w = randomTensor(g, [l.cout, l.cin, ...l.k]);
    const c: ConvGeometry = convGeometry(xShape, w.shape, l.k.map((k) => (k - 1) / 2) as [number, number, number]);
    const gy = randomTensor(g, [b, l.cout, c.od, c.oh, c.ow]);
    flops = 2 * b * l.cout * l.cin * l.k[0] * l.k[1] * l.k[2] * c.od * c.oh * c.ow;
    passes = [
      ['forward', () => conv3dForward(g, x.buffer, w.buffer, null, c)],
      ['gradInput', () => conv3dGradInput(g, gy.buffer, w.buffer, c)],
      ['gradWeight', () => conv3dGradWeight(g, x.buffer, gy.buffer, c)],
    ];
    temps = [w, gy];
  } else {
    const w = randomTensor(g, [l.cin, l.cout, ...l.k]);
    const bias = randomTensor(g, [l.cout]);
    const c: ConvTGeometry = convTGeometry(xShape, w.shape, l.s);
    const gy = randomTensor(g, [b, l.cout, c.od, c.oh, c.ow]);
    flops = 2 * b * l.cout * l.cin * l.k[0] * l.k[1] * l.k[2] * c.d * c.h * c.w;
    passes = [
      ['forward', () => convTForward(g, x.buffer, w.buffer, bias.buffer, c)],
      ['gradInput', () => convTGradInput(g, gy.buffer, w.buffer, c)],
      ['gradWeight', () => convTGradWeight(g, x.buffer, gy.buffer, c)],
    ];
    temps = [w, bias, gy];
  }
  for (const [pass, run] of passes) {
    const t = await timeGpu(g, () => run().release(), reps);
    out.push({
      bench: 'conv', layer: l.name, batch: b, pass, ms: +t.median_ms.toFixed(3), median_ms: +t.median_ms.toFixed(3), spread_ms: +t.spread_ms.toFixed(3), gflops: +(flops / t.median_ms / 1e6).toFixed(2),
      cpuMs: +t.cpu_ms.toFixed(1), gflopsPerCore: +(flops / t.cpu_ms / 1e6).toFixed(2), adapter: g.adapterName,
    });
  }
  for (const t of [x, ...temps]) t.release();
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const opt = (name: string, def: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : def;
  };
  const batches = opt('--batch', '1,6').split(',').map(Number);
  const reps = Number(opt('--reps', '3'));
  const only = opt('--only', '');
  const g = await getGpu();
  if (!args.includes('--no-matmul')) console.log(JSON.stringify(await matmulPeak(g)));
  for (const l of SHAPR_LAYERS.filter((l) => l.name.includes(only))) {
    for (const b of batches) for (const r of await benchLayer(g, l, b, reps)) console.log(JSON.stringify(r));
  }
}
