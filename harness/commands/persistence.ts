// `topo-shapr persistence FILE`: the persistence diagrams of a volume's superlevel filtration as JSON on
// stdout, in the layout of ../shared/reference's `diagrams` ({"0": [[birth, death|null], ...], ...}).
// Reads raw little-endian float32 (.f32 / .raw, with --shape), NumPy .npy (float32/float64/uint8/uint16/bool) and TIFF
// stacks (one page per Z slice; uint8 / 255, uint16 / 65535, float32 as stored).
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { readTiff } from '../../src/data/tiff.ts';
import { persistence, type Construction } from '../../src/topo/persistence.ts';
import { diagramsToJson, generatorsToJson } from '../../src/topo/diagrams.ts';
import { decodeNpy } from '../../src/util/npy.ts';
import { fileError, readFileError, UserError } from '../../src/util/errors.ts';

interface PersistenceFlags {
  shape?: string; // "D,H,W" or "H,W": required for raw float32 files
  construction: string; // 'T' (default) or 'V'
  generators: boolean; // also print birth/death voxel indices
}

export function register(program: Command): void {
  program
    .command('persistence')
    .description('print the persistence diagrams (superlevel filtration, dims 0-2) of a volume as JSON')
    .argument('<file>', 'volume: .f32/.raw (little-endian float32, C order, needs --shape), .npy (f4/f8/u1/u2/b1; f8 is rounded to float32, which can merge values), or .tif/.tiff; uint8 is scaled by 1/255, uint16 by 1/65535')
    .option('--shape <D,H,W>', 'shape of a raw float32 volume (H,W for a 2D image)')
    .option('--construction <T|V>', 'T: voxels are cubes (26-connected, GUDHI); V: voxels are vertices (6-connected)', 'T')
    .option('--generators', 'print {"diagrams": ..., "generators": ...} with the flat birth/death voxel indices', false)
    .action((file: string, flags: PersistenceFlags) => {
      const construction = flags.construction.toUpperCase();
      if (construction !== 'T' && construction !== 'V') throw new UserError(`--construction must be T or V, got '${flags.construction}'`);
      const { data, shape } = readVolume(file, flags.shape);
      const d = persistence(data, shape, { construction: construction as Construction });
      const diagrams = diagramsToJson(d);
      const lines = (o: Record<string, unknown>) => `{${Object.entries(o).map(([k, v]) => `"${k}": ${JSON.stringify(v)}`).join(',\n ')}}`;
      const text = flags.generators ? `{"diagrams": ${lines(diagrams)},\n "generators": ${lines(generatorsToJson(d))}}` : lines(diagrams);
      process.stdout.write(text + '\n');
    });
}

/** Reads a volume as float32 with shape [D, H, W] (2D images get D = 1). */
export function readVolume(file: string, shapeFlag?: string): { data: Float32Array; shape: [number, number, number] } {
  const ext = extname(file).toLowerCase();
  if (ext === '.tif' || ext === '.tiff') {
    const t = readTiff(file);
    checkValues(file, t.data);
    return { data: t.data, shape: sameShape(file, t.shape, shapeFlag) };
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw readFileError(file, err);
  }
  if (ext === '.npy') {
    const a = decodeNpy(bytes, file);
    if (a.shape.length < 2 || a.shape.length > 3) throw fileError(file, `need a 2D or 3D array, got shape (${a.shape.join(', ')})`);
    if (a.data.length === 0) throw fileError(file, 'empty array');
    checkValues(file, a.data);
    return { data: a.data, shape: sameShape(file, (a.shape.length === 2 ? [1, ...a.shape] : a.shape) as [number, number, number], shapeFlag) };
  }
  // NOTE: any other name was read as raw float32 (a .json asked for --shape)
  if (ext !== '.f32' && ext !== '.raw') throw fileError(file, `unknown kind of file '${ext || '(no extension)'}': give .tif/.tiff, .npy, or raw float32 as .f32/.raw with --shape`);
  if (shapeFlag === undefined) throw fileError(file, 'raw float32 volume needs --shape D,H,W (or use .npy / .tif)');
  const shape = parseShape(shapeFlag);
  const n = shape[0] * shape[1] * shape[2];
  if (bytes.length !== 4 * n) throw fileError(file, `has ${bytes.length} bytes, --shape ${shapeFlag} needs ${4 * n} (float32)`);
  const data = new Float32Array(n);
  new Uint8Array(data.buffer).set(bytes);
  // NOTE: float32 is read little-endian; on a big-endian host the bytes would need swapping (none here).
  checkValues(file, data);
  return { data, shape };
}

function checkValues(file: string, data: Float32Array): void {
  const i = data.findIndex((x) => !Number.isFinite(x));
  if (i >= 0) throw fileError(file, `${data[i]} at flat index ${i} (values must be finite)`);
}

/** --shape as [D, H, W] (H,W gives D = 1). */
function parseShape(flag: string): [number, number, number] {
  const parts = flag.split(',').map((s) => s.trim());
  const dims = parts.map(Number);
  // NOTE: digits only ('3e0', '0x3' and '5.0' were read as 3, 3 and 5)
  if ((dims.length !== 2 && dims.length !== 3) || parts.some((p) => !/^\d+$/.test(p)) || dims.some((n) => !Number.isSafeInteger(n) || n < 1)) {
    throw new UserError(`--shape must be D,H,W or H,W with positive integers, got '${flag}'`);
  }
  return (dims.length === 2 ? [1, ...dims] : dims) as [number, number, number];
}

/** A file that carries its shape: --shape, if given, must agree with it (never silently ignored). */
function sameShape(file: string, shape: [number, number, number], flag?: string): [number, number, number] {
  if (flag !== undefined && parseShape(flag).join() !== shape.join()) throw fileError(file, `has shape ${shape.join(',')}, but --shape says ${flag}`);
  return shape;
}
