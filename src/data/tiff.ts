// Reads grayscale TIFF stacks (one page per Z slice) into Float32 volumes scaled to [0, 1].
// utif decodes the pages; this module checks the file's structure first so that a truncated, corrupt or
// unsupported file becomes one clear error naming the file instead of silently zero-filled pixels.
import { readFileSync } from 'node:fs';
import pako from 'pako';
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
    checkStrips(bytes, ifd, info, path, z);
    try {
      UTIF.decodeImage(buffer, ifd, ifds);
    } catch (err) {
      throw fileError(path, `cannot decode page ${z}: corrupt compressed data (${(err as Error)?.message ?? String(err)})`);
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

/**
 * Decodes (without keeping the output) every compressed strip or tile of a page and checks that it yields
 * all its pixels: utif zero-fills what a corrupt LZW, deflate or PackBits stream does not give, and reads
 * LZW codes that are not yet in the table, where libtiff refuses the file.
 */
function checkStrips(bytes: Uint8Array, ifd: Ifd, info: PageInfo, path: string, z: number): void {
  const compression = num(ifd, 259) ?? 1;
  if (compression === 1) return;
  const bpp = bytesPer(info.dtype);
  const tiled = ifd.t324 !== undefined;
  const offsets = (tiled ? ifd.t324 : ifd.t273) as number[];
  const counts = (tiled ? ifd.t325 : ifd.t279) as number[];
  const tileW = tiled ? (num(ifd, 322) ?? info.width) : info.width;
  const tileH = tiled ? (num(ifd, 323) ?? info.height) : Math.min(num(ifd, 278) ?? info.height, info.height);
  for (let i = 0; i < offsets.length; i++) {
    // a strip's rows: RowsPerStrip, fewer in the last strip; a tile is always whole
    const rows = tiled ? tileH : Math.min(tileH, info.height - i * tileH);
    if (rows <= 0) continue;
    const need = rows * tileW * bpp;
    const data = bytes.subarray(offsets[i], offsets[i] + counts[i]);
    let got: number;
    if (compression === 5) got = lzwLength(data);
    else if (compression === 32773) got = packBitsLength(data);
    else {
      try {
        got = pako.inflate(data).length;
      } catch (err) {
        // NOTE: pako 1 throws its message as a string
        throw fileError(path, `corrupt deflate data in page ${z}, ${tiled ? 'tile' : 'strip'} ${i} (${(err as Error)?.message ?? String(err)})`);
      }
    }
    if (got === -1) throw fileError(path, `corrupt LZW data in page ${z}, ${tiled ? 'tile' : 'strip'} ${i} (a code not yet in the table)`);
    if (got < need) throw fileError(path, `corrupt or truncated ${SUPPORTED_COMPRESSION.get(compression)} data in page ${z}, ${tiled ? 'tile' : 'strip'} ${i}: ${got} of its ${need} bytes`);
  }
}

/**
 * Bytes a TIFF LZW stream decodes to (codes MSB first, 9 to 12 bits, widened one code early; 256 clears the
 * table, 257 ends), or −1 at a code not yet in the table. Only the table's entry lengths are kept.
 */
export function lzwLength(data: Uint8Array): number {
  const len = new Int32Array(4096);
  const lenOf = (c: number) => (c < 256 ? 1 : len[c]);
  let acc = 0, have = 0, pos = 0, width = 9, next = 258, prev = -1, out = 0;
  for (;;) {
    while (have < width && pos < data.length) {
      acc = ((acc << 8) | data[pos++]) & 0xfffff; // at most 12 + 8 bits are ever needed
      have += 8;
    }
    if (have < width) break;
    const code = (acc >>> (have - width)) & ((1 << width) - 1);
    have -= width;
    if (code === 257) break;
    if (code === 256) {
      width = 9;
      next = 258;
      prev = -1;
      continue;
    }
    if (prev < 0) {
      if (code > 255) return -1;
      out += 1;
    } else {
      if (code > next || (code === next && next >= 4096)) return -1;
      out += code === next ? lenOf(prev) + 1 : lenOf(code);
      if (next < 4096) len[next++] = lenOf(prev) + 1;
    }
    prev = code;
    if (next + 1 >= 1 << width && width < 12) width++;
  }
  return out;
}

/** Bytes a PackBits stream decodes to (runs past the end of the data count only as far as they go). */
export function packBitsLength(data: Uint8Array): number {
  let i = 0, out = 0;
  while (i < data.length) {
    const n = (data[i++] << 24) >> 24;
    if (n >= 0) {
      const m = Math.min(n + 1, data.length - i);
      out += m;
      i += m;
    } else if (n !== -128) {
      if (i >= data.length) break;
      out += 1 - n;
      i++;
    }
  }
  return out;
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
