// Writes docs/montage.png: synthetic cells of every class (one row per class, in SYNTHETIC_CLASSES order),
// three samples per row, each as [image, middle z-slice, side view (xz slice through the centre), z projection].
// Usage: npx tsx harness/montage.ts [OUT.png] [--size S] [--seed K]
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateSample, midSlice, SYNTHETIC_CLASSES } from '../src/data/synthetic.ts';
import { Rng } from '../src/util/rng.ts';
import { tile, writePng, type GrayImage } from '../src/util/png.ts';

const args = process.argv.slice(2);
const flag = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const out = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? 'docs/montage.png';
const size = flag('--size', 64);
const seed = flag('--seed', 1);
const perClass = 3;

const images: GrayImage[] = [];
for (const [c, cls] of SYNTHETIC_CLASSES.entries()) {
  for (let k = 0; k < perClass; k++) {
    const s = generateSample(cls, size, new Rng(seed * 1000 + c * perClass + k));
    const plane = size * size;
    const raw = s.image;
    const mid = s.target.slice(midSlice(size) * plane, (midSlice(size) + 1) * plane);
    const side = new Float32Array(plane);
    const y0 = Math.floor(size / 2);
    for (let z = 0; z < size; z++) for (let x = 0; x < size; x++) side[z * size + x] = s.target[z * plane + y0 * size + x];
    const proj = new Float32Array(plane);
    for (let z = 0; z < size; z++) for (let i = 0; i < plane; i++) proj[i] += s.target[z * plane + i];
    let pmax = 1e-9;
    for (const v of proj) pmax = Math.max(pmax, v);
    for (let i = 0; i < plane; i++) proj[i] /= pmax;
    for (const data of [raw, mid, side, proj]) images.push({ width: size, height: size, data });
  }
}
mkdirSync(dirname(out), { recursive: true });
writePng(out, tile(images, perClass * 4, 2, 1, 0.5));
console.log(`wrote ${out}`);
