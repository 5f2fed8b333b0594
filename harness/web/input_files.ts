// A user's own input: a 2D image and its mask (TIFF, or PNG through the browser's decoder), checked and
// brought to the model's side. Every problem is a UserError naming the file and what is wrong with it.
import { labelScale } from '../../src/data/labels.ts';
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

/**
 * Checks that an image fits a model of this side: side×side, or a square whole multiple of it, which
 * maskAndImageAtSide averages down (as `resample` and `predict` do).
 */
export function checkSide(name: string, img: Image2d, side: number): void {
  if (img.width !== img.height) throw fileError(name, `image is ${img.width}×${img.height}; expected a square ${sidesAccepted(side)} image`);
  if (img.width % side !== 0) throw fileError(name, `image is ${img.width}×${img.height}; this model takes ${sidesAccepted(side)}`);
}

/** What a model of this side accepts, in words (a multiple such as 64×64 is averaged down). */
export function sidesAccepted(side: number): string {
  return side === 64 ? '64×64 (or a multiple, averaged down)' : `${side}×${side} (or a multiple such as 64×64, averaged down)`;
}

/**
 * The mask as training reads masks (labels.ts: divided by its largest value when that is at most half
 * of full scale, so 0/255, 0/1 and 0/65535 masks all work); an empty mask, or one that covers the whole
 * image, is an error naming the file.
 */
export function maskLabels(name: string, mask: Image2d): Float32Array {
  const scale = labelScale(mask.data);
  const out = mask.data.map((x) => x / scale);
  if (!out.some((x) => x > 0)) throw fileError(name, 'the mask is empty (all pixels are 0); the cell must be marked with non-zero pixels');
  if (out.every((x) => x > 0.5)) throw fileError(name, 'the mask covers the whole image; expected the segmentation of one cell (non-zero inside, 0 outside)');
  return out;
}
