// A user's own input: a 2D image and its mask (TIFF, or PNG through the browser's decoder), checked and
// brought to the model's side. Every problem is a UserError naming the file and what is wrong with it.
import { checkValues, decodeTiff } from '../../src/data/tiff.ts';
import { fileError } from '../../src/util/errors.ts';

export interface Image2d {
  width: number;
  height: number;
  data: Float32Array; // row-major, values in [0, 1]
}

const isTiff = (b: Uint8Array) => (b[0] === 0x49 && b[1] === 0x49 && b[2] === 42 && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 42);
const isPng = (b: Uint8Array) => b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;

/** Decodes one grey image file (TIFF: uint8/uint16/float32, one page; PNG: the red channel, / 255). */
export async function decodeImageFile(name: string, bytes: Uint8Array): Promise<Image2d> {
  if (bytes.length === 0) throw fileError(name, 'the file is empty');
  if (isTiff(bytes)) {
    const v = decodeTiff(bytes, name);
    const [d, h, w] = v.shape;
    if (d !== 1) throw fileError(name, `TIFF has ${d} pages (a ${w}×${h}×${d} stack); expected one 2D image`);
    // NOTE: as predict and training check them: a float32 image of raw values (100–831) was predicted from,
    // and a NaN was reported after the network had run, naming no file
    checkValues(v, name);
    return { width: w, height: h, data: v.data };
  }
  if (isPng(bytes)) {
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(new Blob([bytes as BlobPart], { type: 'image/png' }), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    } catch {
      throw fileError(name, 'PNG could not be decoded (truncated or corrupt?)');
    }
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(bitmap, 0, 0);
    const rgba = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    const data = new Float32Array(bitmap.width * bitmap.height);
    // NOTE: grey PNGs decode to r = g = b; for a colour PNG the red channel is taken, as documented on the page.
    for (let i = 0; i < data.length; i++) data[i] = rgba[4 * i] / 255;
    return { width: bitmap.width, height: bitmap.height, data };
  }
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw fileError(name, `not a TIFF or PNG file (it starts with bytes ${head})`);
}

/** Averages f×f blocks: a 64×64 image becomes 32×32 for a side-32 model. */
export function downsample(img: Image2d, f: number): Image2d {
  const w = img.width / f;
  const h = img.height / f;
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let dy = 0; dy < f; dy++) for (let dx = 0; dx < f; dx++) s += img.data[(y * f + dy) * img.width + x * f + dx];
      data[y * w + x] = s / (f * f);
    }
  }
  return { width: w, height: h, data };
}

/** Brings an image to side×side: as is, or averaged down from 64×64 (or any side multiple). */
export function fitToSide(name: string, img: Image2d, side: number): Image2d {
  if (img.width !== img.height) throw fileError(name, `image is ${img.width}×${img.height}; expected a square ${sidesAccepted(side)} image`);
  if (img.width === side) return img;
  if (img.width > side && img.width % side === 0 && img.width <= 64) return downsample(img, img.width / side);
  throw fileError(name, `image is ${img.width}×${img.height}; this model takes ${sidesAccepted(side)}`);
}

/** What a model of this side accepts, in words (64×64 is averaged down to a smaller side). */
export function sidesAccepted(side: number): string {
  return side === 64 ? '64×64' : `${side}×${side} (or 64×64, averaged down)`;
}

/**
 * The mask as 0/1: pixels above half the mask's maximum (so 0/255, 0/1 and 0/65535 masks all work).
 * Downsampled masks are averaged first, then thresholded the same way.
 */
export function binarizeMask(name: string, mask: Image2d): Float32Array {
  let max = 0;
  for (const v of mask.data) max = Math.max(max, v);
  if (!(max > 0)) throw fileError(name, 'the mask is empty (all pixels are 0); the cell must be marked with non-zero pixels');
  const out = new Float32Array(mask.data.length);
  let area = 0;
  for (let i = 0; i < out.length; i++) area += out[i] = mask.data[i] > max / 2 ? 1 : 0;
  if (area === out.length) throw fileError(name, 'the mask covers the whole image; expected the segmentation of one cell (non-zero inside, 0 outside)');
  return out;
}
