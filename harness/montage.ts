// Writes docs/montage.png: synthetic cells of every class (one row per class, labelled), three samples per
// row, each as [image, middle z-slice (= the mask), side view (xz slice through the centre), sum over z].
// Usage: npx tsx harness/montage.ts [OUT.png] [--size S] [--seed K]
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateSample, midSlice, SYNTHETIC_CLASSES } from '../src/data/synthetic.ts';
import { Rng } from '../src/util/rng.ts';
import { drawText, textWidth } from '../src/util/bitmap_font.ts';
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
const grid = tile(images, perClass * 4, 2, 1, 0.5);
// Class names on the left, panel names on top.
const left = textWidth('cell_cluster') + 8;
const top = 12;
const page: GrayImage = { width: grid.width + left, height: grid.height + top, data: new Float32Array((grid.width + left) * (grid.height + top)) };
for (let y = 0; y < grid.height; y++) page.data.set(grid.data.subarray(y * grid.width, (y + 1) * grid.width), (y + top) * page.width + left);
for (const [c, cls] of SYNTHETIC_CLASSES.entries()) drawText(page, cls, 4, top + 2 + c * (size + 2) + Math.floor(size / 2) - 3);
for (let k = 0; k < perClass * 4; k++) {
  const label = ['image', 'mid z', 'xz', 'sum z'][k % 4];
  drawText(page, label, left + 2 + k * (size + 2) + Math.floor((size - textWidth(label)) / 2), 3);
}
mkdirSync(dirname(out), { recursive: true });
writePng(out, page);
console.log(`wrote ${out}`);
