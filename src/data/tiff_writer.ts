// Writes grayscale volumes as baseline multi-page TIFF (one page per Z slice, uncompressed, little-endian).
// utif's encoder only writes directories (no pixel data, no multi-page stacks), hence this small writer.
// The first page carries the ImageDescription `{"shape": [D, H, W]}` that tifffile (and so skimage.io)
// reads back as one D×H×W array.
import { writeFileAtomic } from '../util/atomic.ts';

/** Pixel types the writer produces: uint8 / uint16 (values in [0,1] × 255 / × 65535, rounded) or float32 as is. */
export type TiffWriteDtype = 'uint8' | 'uint16' | 'float32';

const BYTES: Record<TiffWriteDtype, number> = { uint8: 1, uint16: 2, float32: 4 };

// TIFF field types.
const SHORT = 3;
const LONG = 4;
const ASCII = 2;
const RATIONAL = 5;

interface Entry {
  tag: number;
  type: number;
  values: number[] | string;
}

/**
 * Encodes `data` (shape [D, H, W], `data[z*H*W + y*W + x]`) as a D-page TIFF.
 * Float input written as uint8 / uint16 is clamped to [0, 1] and scaled by 255 / 65535 (NaN → 0);
 * a Uint8Array written as uint8 is copied unchanged.
 */
export function encodeTiff(
  data: Float32Array | Uint8Array,
  shape: readonly [number, number, number],
  dtype: TiffWriteDtype,
): Uint8Array {
  const [depth, height, width] = shape;
  if (data.length !== depth * height * width) {
    throw new Error(`encodeTiff: data has ${data.length} values, shape ${shape.join('×')} needs ${depth * height * width}`);
  }
  const bytesPerSample = BYTES[dtype];
  const pageBytes = width * height * bytesPerSample;
  const description = JSON.stringify({ shape: depth === 1 ? [height, width] : [depth, height, width] });

  // Lay out each page as: directory, its out-of-line values, then its pixels (all at even offsets).
  const pages: { ifdOffset: number; entries: Entry[]; extraOffset: number; pixelOffset: number }[] = [];
  let offset = 8;
  for (let z = 0; z < depth; z++) {
    const entries = pageEntries(width, height, dtype, z === 0 ? description : null);
    const ifdOffset = offset;
    const extraOffset = ifdOffset + 2 + 12 * entries.length + 4;
    const extraBytes = entries.reduce((s, e) => s + pad2(outOfLineBytes(e)), 0);
    const pixelOffset = pad4(extraOffset + extraBytes);
    pages.push({ ifdOffset, entries, extraOffset, pixelOffset });
    offset = pad4(pixelOffset + pageBytes);
  }

  const out = new Uint8Array(offset);
  const view = new DataView(out.buffer);
  out[0] = 0x49; // "II": little-endian
  out[1] = 0x49;
  view.setUint16(2, 42, true);
  view.setUint32(4, pages[0].ifdOffset, true);
  for (const [z, page] of pages.entries()) {
    const next = z + 1 < depth ? pages[z + 1].ifdOffset : 0;
    for (const e of page.entries) if (e.tag === 273) e.values = [page.pixelOffset];
    writeIfd(view, page.ifdOffset, page.extraOffset, page.entries, next);
    const slice = data.subarray(z * width * height, (z + 1) * width * height);
    if (dtype === 'float32') {
      for (let i = 0; i < slice.length; i++) view.setFloat32(page.pixelOffset + 4 * i, slice[i], true);
    } else if (dtype === 'uint8' && slice instanceof Uint8Array) {
      out.set(slice, page.pixelOffset);
    } else {
      const scale = dtype === 'uint8' ? 255 : 65535;
      for (let i = 0; i < slice.length; i++) {
        const v = slice[i];
        const q = Number.isNaN(v) ? 0 : Math.round(Math.min(1, Math.max(0, v)) * scale);
        if (dtype === 'uint8') out[page.pixelOffset + i] = q;
        else view.setUint16(page.pixelOffset + 2 * i, q, true);
      }
    }
  }
  return out;
}

/** Writes `data` as a TIFF file; see encodeTiff. */
export function writeTiff(
  path: string,
  data: Float32Array | Uint8Array,
  shape: readonly [number, number, number],
  dtype: TiffWriteDtype,
): void {
  writeFileAtomic(path, encodeTiff(data, shape, dtype));
}

// The baseline tags of one grayscale page, in ascending tag order as TIFF requires.
function pageEntries(width: number, height: number, dtype: TiffWriteDtype, description: string | null): Entry[] {
  const bits = 8 * BYTES[dtype];
  const entries: Entry[] = [
    { tag: 256, type: LONG, values: [width] }, // ImageWidth
    { tag: 257, type: LONG, values: [height] }, // ImageLength
    { tag: 258, type: SHORT, values: [bits] }, // BitsPerSample
    { tag: 259, type: SHORT, values: [1] }, // Compression: none
    { tag: 262, type: SHORT, values: [1] }, // PhotometricInterpretation: BlackIsZero
  ];
  if (description !== null) entries.push({ tag: 270, type: ASCII, values: description }); // ImageDescription
  entries.push(
    { tag: 273, type: LONG, values: [0] }, // StripOffsets (filled in once the layout is known)
    { tag: 277, type: SHORT, values: [1] }, // SamplesPerPixel
    { tag: 278, type: LONG, values: [height] }, // RowsPerStrip: one strip per page
    { tag: 279, type: LONG, values: [width * height * (bits / 8)] }, // StripByteCounts
    { tag: 282, type: RATIONAL, values: [1, 1] }, // XResolution
    { tag: 283, type: RATIONAL, values: [1, 1] }, // YResolution
    { tag: 296, type: SHORT, values: [1] }, // ResolutionUnit: none
    { tag: 339, type: SHORT, values: [dtype === 'float32' ? 3 : 1] }, // SampleFormat: float / uint
  );
  return entries;
}

function count(e: Entry): number {
  if (typeof e.values === 'string') return e.values.length + 1; // NUL-terminated
  return e.type === RATIONAL ? e.values.length / 2 : e.values.length;
}

function valueBytes(e: Entry): number {
  const size = e.type === ASCII ? 1 : e.type === SHORT ? 2 : e.type === LONG ? 4 : 8;
  return size * count(e);
}

function outOfLineBytes(e: Entry): number {
  const n = valueBytes(e);
  return n > 4 ? n : 0;
}

// Writes a directory at `at`, its long values from `extra` on, and the offset of the next directory.
function writeIfd(view: DataView, at: number, extra: number, entries: Entry[], next: number): void {
  view.setUint16(at, entries.length, true);
  let p = at + 2;
  for (const e of entries) {
    view.setUint16(p, e.tag, true);
    view.setUint16(p + 2, e.type, true);
    view.setUint32(p + 4, count(e), true);
    const inline = valueBytes(e) <= 4;
    const dst = inline ? p + 8 : extra;
    if (!inline) view.setUint32(p + 8, extra, true);
    if (typeof e.values === 'string') {
      for (let i = 0; i < e.values.length; i++) view.setUint8(dst + i, e.values.charCodeAt(i) & 0x7f);
      view.setUint8(dst + e.values.length, 0);
    } else {
      for (const [i, v] of e.values.entries()) {
        if (e.type === SHORT) view.setUint16(dst + 2 * i, v, true);
        else view.setUint32(dst + 4 * i, v, true);
      }
    }
    if (!inline) extra += pad2(valueBytes(e));
    p += 12;
  }
  view.setUint32(p, next, true);
}

function pad2(n: number): number {
  return n + (n & 1);
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}
