// Reads grayscale TIFF stacks (one page per Z slice) into Float32 volumes scaled to [0, 1].
// utif decodes the pages; this module checks the file's structure first so that a truncated, corrupt or
// unsupported file becomes one clear error naming the file instead of silently zero-filled pixels.
import { readFileSync } from 'node:fs';
import UTIF, { type Ifd } from 'utif';
import { fileError } from '../util/errors.ts';

/** Pixel types the reader accepts. */
export type TiffDtype = 'uint8' | 'uint16' | 'float32';

/** A decoded stack: `data[z*H*W + y*W + x]`, shape [D, H, W] (D = number of pages, 1 for a 2D image). */
export interface TiffVolume {
  shape: [number, number, number];
  data: Float32Array;
  dtype: TiffDtype;
}

const MAX_PAGES = 65536;
const SUPPORTED_COMPRESSION = new Map([
  [1, 'none'],
  [5, 'LZW'],
  [8, 'deflate'],
  [32946, 'deflate'],
  [32773, 'PackBits'],
]);

/** Reads a TIFF file; every problem is a UserError whose message starts with the path. */
export function readTiff(path: string): TiffVolume {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw fileError(path, `cannot read file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return decodeTiff(bytes, path);
}

/**
 * Decodes TIFF bytes (uint8 / uint16 / float32, one sample per pixel, any number of equal-sized pages).
 * Values are scaled to [0, 1]: uint8 / 255, uint16 / 65535, float32 as stored.
 * `path` only names the file in error messages.
 */
export function decodeTiff(bytes: Uint8Array, path: string): TiffVolume {
  checkStructure(bytes, path);
  // NOTE: utif reads tag arrays through `data.buffer`, so it must get an ArrayBuffer of exactly this file.
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let ifds: Ifd[];
  try {
    ifds = UTIF.decode(buffer);
  } catch (err) {
    throw fileError(path, `corrupt TIFF directory (${(err as Error).message})`);
  }
  // Reduced-resolution pages (thumbnails, pyramids) are not Z slices.
  const pages = ifds.filter((ifd) => (num(ifd, 254) ?? 0) % 2 === 0);
  if (pages.length === 0) throw fileError(path, 'TIFF has no image pages');

  let width = 0;
  let height = 0;
  let dtype: TiffDtype = 'uint8';
  let out = new Float32Array(0);
  for (const [z, ifd] of pages.entries()) {
    const info = pageInfo(ifd, bytes.length, path, z);
    if (z === 0) {
      ({ width, height, dtype } = info);
      out = new Float32Array(pages.length * width * height);
    } else if (info.width !== width || info.height !== height || info.dtype !== dtype) {
      throw fileError(
        path,
        `page ${z} is ${info.width}×${info.height} ${info.dtype}, page 0 is ${width}×${height} ${dtype}`,
      );
    }
    try {
      UTIF.decodeImage(buffer, ifd, ifds);
    } catch (err) {
      throw fileError(path, `cannot decode page ${z} (${(err as Error).message})`);
    }
    const raw = ifd.data;
    const need = width * height * bytesPer(dtype);
    if (!raw || raw.length < need) throw fileError(path, `truncated or corrupt pixel data in page ${z}`);
    toFloat(raw, dtype, ifd.isLE ?? true, out.subarray(z * width * height, (z + 1) * width * height));
  }
  return { shape: [pages.length, height, width], data: out, dtype };
}

// Checks the header and walks the IFD chain so that utif never reads past the end of the file or loops.
function checkStructure(bytes: Uint8Array, path: string): void {
  if (bytes.length < 8) throw fileError(path, `not a TIFF file (only ${bytes.length} bytes)`);
  const le = bytes[0] === 0x49 && bytes[1] === 0x49;
  const be = bytes[0] === 0x4d && bytes[1] === 0x4d;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = le || be ? view.getUint16(2, le) : 0;
  if (magic === 43) throw fileError(path, 'BigTIFF is not supported (save as a classic TIFF)');
  if (magic !== 42) throw fileError(path, 'not a TIFF file (bad header)');
  const seen = new Set<number>();
  let offset = view.getUint32(4, le);
  for (let page = 0; offset !== 0; page++) {
    if (seen.has(offset) || page >= MAX_PAGES) throw fileError(path, 'corrupt TIFF (directory chain loops)');
    seen.add(offset);
    if (offset < 8 || offset + 2 > bytes.length) {
      throw fileError(path, `truncated TIFF (directory ${page} at byte ${offset}, file has ${bytes.length} bytes)`);
    }
    const count = view.getUint16(offset, le);
    const end = offset + 2 + 12 * count + 4;
    if (end > bytes.length) {
      throw fileError(path, `truncated TIFF (directory ${page} ends at byte ${end}, file has ${bytes.length})`);
    }
    offset = view.getUint32(end - 4, le);
  }
}

interface PageInfo {
  width: number;
  height: number;
  dtype: TiffDtype;
}

// Validates one page's tags and that its pixel data lies inside the file.
function pageInfo(ifd: Ifd, fileLength: number, path: string, z: number): PageInfo {
  const width = num(ifd, 256);
  const height = num(ifd, 257);
  if (!width || !height) throw fileError(path, `page ${z} has no image size`);
  const spp = num(ifd, 277) ?? 1;
  if (spp !== 1) throw fileError(path, `page ${z} has ${spp} samples per pixel; expected a grayscale image`);
  const bits = num(ifd, 258) ?? 1;
  const format = num(ifd, 339) ?? 1;
  let dtype: TiffDtype;
  if (bits === 8 && format === 1) dtype = 'uint8';
  else if (bits === 16 && format === 1) dtype = 'uint16';
  else if (bits === 32 && format === 3) dtype = 'float32';
  else {
    const kind = format === 3 ? 'float' : format === 2 ? 'int' : 'uint';
    throw fileError(path, `unsupported pixel type ${kind}${bits} (expected uint8, uint16 or float32)`);
  }
  const compression = num(ifd, 259) ?? 1;
  if (!SUPPORTED_COMPRESSION.has(compression)) {
    throw fileError(path, `unsupported TIFF compression ${compression} (use none, LZW, deflate or PackBits)`);
  }
  const predictor = num(ifd, 317) ?? 1;
  if (predictor !== 1 && !(predictor === 2 && dtype !== 'float32')) {
    throw fileError(path, `unsupported TIFF predictor ${predictor} for ${dtype}`);
  }
  const offsets = (ifd.t273 ?? ifd.t324) as number[] | undefined;
  const counts = (ifd.t279 ?? ifd.t325) as number[] | undefined;
  if (!offsets || offsets.length === 0) throw fileError(path, `page ${z} has no pixel data offsets`);
  const rawSize = width * height * bytesPer(dtype);
  for (let i = 0; i < offsets.length; i++) {
    // NOTE: utif ignores the byte count of a single uncompressed strip and reads the full image size.
    const count = compression === 1 && offsets.length === 1 ? rawSize : counts?.[i];
    if (count === undefined || offsets[i] + count > fileLength) {
      throw fileError(
        path,
        `truncated TIFF (page ${z} pixel data ends at byte ${offsets[i] + (count ?? 0)}, file has ${fileLength})`,
      );
    }
  }
  return { width, height, dtype };
}

function num(ifd: Ifd, tag: number): number | undefined {
  const v = ifd[`t${tag}`];
  return v && typeof v[0] === 'number' ? v[0] : undefined;
}

function bytesPer(dtype: TiffDtype): number {
  return dtype === 'uint8' ? 1 : dtype === 'uint16' ? 2 : 4;
}

// NOTE: utif already swaps 16-bit samples of big-endian files to little-endian, but not 32-bit ones.
function toFloat(raw: Uint8Array, dtype: TiffDtype, isLE: boolean, out: Float32Array): void {
  const n = out.length;
  if (dtype === 'uint8') {
    for (let i = 0; i < n; i++) out[i] = raw[i] / 255;
    return;
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (dtype === 'uint16') for (let i = 0; i < n; i++) out[i] = view.getUint16(2 * i, true) / 65535;
  else for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, isLE);
}
