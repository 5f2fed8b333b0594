// Reads grayscale TIFF stacks (one page per Z slice) into Float32 volumes scaled to [0, 1].
// utif parses the directories; this module checks the file's structure first and decodes the strips and
// tiles itself, so that a truncated, corrupt or unsupported file becomes one clear error naming the file.
// NOTE: utif's own pixel decoding gave silently wrong pixels: zero-filled corrupt streams, a compressed
// strip whose size equals its decoded size copied raw, the predictor undone over the image's width in
// tiled files, and zeros for deflate tagged 32946.
import { readFileSync } from 'node:fs';
import pako from 'pako';
import UTIF, { type Ifd } from 'utif';
import { fileError, readFileError } from '../util/errors.ts';

/** Pixel types the reader accepts. */
export type TiffDtype = 'uint8' | 'uint16' | 'float32';

/** The stored value that reads as 1 (values are divided by it). */
export const FULL_SCALE: Record<TiffDtype, number> = { uint8: 255, uint16: 65535, float32: 1 };

/** A decoded stack: `data[z*H*W + y*W + x]`, shape [D, H, W] (D = number of pages, 1 for a 2D image). */
export interface TiffVolume {
  shape: [number, number, number];
  data: Float32Array;
  dtype: TiffDtype;
}

const MAX_PAGES = 65536;
// NOTE: 2^30 float32 values (4 GiB); a compressed page's claimed size is otherwise unbounded by the file's.
const MAX_VOXELS = 2 ** 30;
// Bytes per value of each TIFF field type (BYTE, ASCII, SHORT, LONG, RATIONAL, SBYTE, UNDEFINED, SSHORT,
// SLONG, SRATIONAL, FLOAT, DOUBLE, IFD; LONG8, SLONG8, IFD8).
const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8 };
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
    throw readFileError(path, err);
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
  checkPagesAreSlices(pages[0], path);
  const le = bytes[0] === 0x49;

  let width = 0;
  let height = 0;
  let dtype: TiffDtype = 'uint8';
  let out = new Float32Array(0);
  for (const [z, ifd] of pages.entries()) {
    const info = pageInfo(ifd, bytes.length, path, z);
    if (z === 0) {
      ({ width, height, dtype } = info);
      if (pages.length * width * height > MAX_VOXELS) {
        throw fileError(path, `${pages.length} page(s) of ${width}×${height} pixels are ${pages.length * width * height} values, more than this reader takes (${MAX_VOXELS}; a corrupt image size?)`);
      }
      out = new Float32Array(pages.length * width * height);
    } else if (info.width !== width || info.height !== height || info.dtype !== dtype) {
      throw fileError(
        path,
        `page ${z} is ${info.width}×${info.height} ${info.dtype}, page 0 is ${width}×${height} ${dtype}`,
      );
    }
    const raw = pagePixels(bytes, le, ifd, info, path, z);
    toFloat(raw, dtype, le, out.subarray(z * width * height, (z + 1) * width * height));
  }
  return { shape: [pages.length, height, width], data: out, dtype };
}

/** NaN / infinite (and, with `unitRange`, outside [0, 1]) values: an error naming the file and the first bad voxel. */
export function checkValues(v: TiffVolume, path: string, unitRange = true): void {
  const [, h, w] = v.shape;
  for (let i = 0; i < v.data.length; i++) {
    const x = v.data[i];
    if (Number.isFinite(x) && (!unitRange || (x >= 0 && x <= 1))) continue;
    const at = v.shape[0] > 1 ? `(z ${Math.floor(i / (h * w))}, y ${Math.floor(i / w) % h}, x ${i % w})` : `(y ${Math.floor(i / w)}, x ${i % w})`;
    if (!Number.isFinite(x)) throw fileError(path, `contains ${x} at ${at}`);
    throw fileError(path, `${v.dtype} value ${x} at ${at} is outside [0, 1] (store floats scaled to [0, 1])`);
  }
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
    // NOTE: utif allocates what an entry's count says: one damaged count made it take 2 GB or abort the
    // process, so every entry's values must lie inside the file first.
    for (let e = offset + 2; e < end - 4; e += 12) {
      const values = view.getUint32(e + 4, le);
      const size = values * (TYPE_SIZE[view.getUint16(e + 2, le)] ?? 1);
      const at = size > 4 ? view.getUint32(e + 8, le) : e + 8;
      if (at + size > bytes.length) {
        throw fileError(path, `corrupt TIFF (directory ${page}, tag ${view.getUint16(e, le)}: ${values} values end at byte ${at + size}, file has ${bytes.length})`);
      }
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
  // NOTE: PhotometricInterpretation (262) is not applied: values are read as stored, as tifffile (and so
  // SHAPR's own pipeline) reads them; ImageJ marks an inverting lookup table WhiteIsZero without changing them
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
  if (predictor !== 1 && predictor !== 2 && !(predictor === 3 && dtype === 'float32')) {
    throw fileError(path, `unsupported TIFF predictor ${predictor} for ${dtype}`);
  }
  const offsets = (ifd.t273 ?? ifd.t324) as number[] | undefined;
  const counts = (ifd.t279 ?? ifd.t325) as number[] | undefined;
  if (!offsets || offsets.length === 0) throw fileError(path, `page ${z} has no pixel data offsets`);
  const rawSize = width * height * bytesPer(dtype);
  for (let i = 0; i < offsets.length; i++) {
    // NOTE: a single uncompressed strip is read for the full image size whatever its byte count, as utif
    // read it (pagePixels); several are read for their byte counts.
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
 * Refuses files whose pages are not one Z slice each: ImageJ hyperstacks and OME-TIFFs with several
 * channels or time points (their pages interleave them), and SGI volumetric pages (ImageDepth > 1).
 */
function checkPagesAreSlices(first: Ifd, path: string): void {
  const depth = num(first, 32997) ?? 1;
  if (depth > 1) throw fileError(path, `a volumetric page (ImageDepth ${depth}) is not supported: save one page per Z slice`);
  const description = (first.t270 as unknown[] | undefined)?.[0];
  if (typeof description !== 'string') return;
  const count = (re: RegExp) => Number(description.match(re)?.[1] ?? 1);
  const [channels, frames] = description.startsWith('ImageJ=')
    ? [count(/^channels=(\d+)/m), count(/^frames=(\d+)/m)]
    : description.includes('<OME') ? [count(/<Pixels\b[^>]*\sSizeC="(\d+)"/), count(/<Pixels\b[^>]*\sSizeT="(\d+)"/)] : [1, 1];
  if (channels > 1 || frames > 1) {
    const what = description.startsWith('ImageJ=') ? 'an ImageJ hyperstack' : 'an OME-TIFF';
    throw fileError(path, `${what} with ${channels} channel(s) and ${frames} time point(s): save one channel at one time point as a Z stack`);
  }
}

/**
 * A page's samples in the file's byte order (width·height·bytes per sample), decoded strip by strip or tile
 * by tile: each must decompress to all of its bytes, or the file is refused (libtiff refuses such files
 * too). A predictor (2: horizontal differencing; 3: floating-point) is undone per row of the strip or tile.
 */
function pagePixels(bytes: Uint8Array, le: boolean, ifd: Ifd, info: PageInfo, path: string, z: number): Uint8Array {
  const { width, height } = info;
  const bpp = bytesPer(info.dtype);
  const compression = num(ifd, 259) ?? 1;
  const predictor = num(ifd, 317) ?? 1;
  const tiled = ifd.t324 !== undefined;
  const what = tiled ? 'tile' : 'strip';
  const offsets = (tiled ? ifd.t324 : ifd.t273) as number[];
  const counts = (tiled ? ifd.t325 : ifd.t279) as number[] | undefined;
  const segW = tiled ? (num(ifd, 322) ?? width) : width;
  const segH = tiled ? (num(ifd, 323) ?? height) : Math.min(num(ifd, 278) ?? height, height);
  if (!(segW >= 1 && segH >= 1)) throw fileError(path, `page ${z} has ${what}s of ${segW}×${segH} pixels (a corrupt ${tiled ? 'TileWidth or TileLength' : 'RowsPerStrip'})`);
  const across = Math.ceil(width / segW);
  const segments = across * Math.ceil(height / segH);
  if (offsets.length < segments) throw fileError(path, `page ${z} has ${offsets.length} ${what}s, its size needs ${segments}`);
  const out = new Uint8Array(width * height * bpp);
  const rowBytes = segW * bpp;
  for (let i = 0; i < offsets.length; i++) {
    const x0 = tiled ? (i % across) * segW : 0;
    const y0 = tiled ? Math.floor(i / across) * segH : i * segH;
    if (y0 >= height) continue;
    // a strip's rows: RowsPerStrip, fewer in the last strip; a tile is always whole
    const rows = tiled ? segH : Math.min(segH, height - y0);
    const need = rows * rowBytes;
    let seg: Uint8Array;
    if (compression === 1) {
      const end = offsets[i] + (offsets.length === 1 ? need : Math.min(need, counts?.[i] ?? 0));
      // NOTE: a copy where a predictor is undone in place (not in the file's bytes)
      seg = predictor === 1 ? bytes.subarray(offsets[i], end) : bytes.slice(offsets[i], end);
    } else {
      const data = bytes.subarray(offsets[i], offsets[i] + (counts?.[i] ?? 0));
      if (compression === 5) {
        const got = lzwDecode(data, need);
        if (!got) throw fileError(path, `corrupt LZW data in page ${z}, ${what} ${i} (a code not yet in the table)`);
        seg = got;
      } else if (compression === 32773) seg = packBitsDecode(data, need);
      else {
        try {
          seg = pako.inflate(data);
        } catch (err) {
          // NOTE: pako 1 throws its message as a string
          throw fileError(path, `corrupt deflate data in page ${z}, ${what} ${i} (${(err as Error)?.message ?? String(err)})`);
        }
      }
    }
    if (seg.length < need) {
      const kind = compression === 1 ? 'truncated pixel data' : `corrupt or truncated ${SUPPORTED_COMPRESSION.get(compression)} data`;
      throw fileError(path, `${kind} in page ${z}, ${what} ${i}: ${seg.length} of its ${need} bytes`);
    }
    if (predictor === 2) undoDifferencing(seg, rows, segW, bpp, le);
    else if (predictor === 3) seg = undoFloatPredictor(seg, rows, segW);
    const w = Math.min(segW, width - x0) * bpp;
    for (let r = 0; r < rows && y0 + r < height; r++) {
      out.set(seg.subarray(r * rowBytes, r * rowBytes + w), ((y0 + r) * width + x0) * bpp);
    }
  }
  return out;
}

/**
 * Undoes horizontal differencing (predictor 2) in place: each sample of a row was stored minus the one
 * before it, as an unsigned integer of its width (float32 samples as their 32-bit patterns).
 */
function undoDifferencing(seg: Uint8Array, rows: number, w: number, bpp: number, le: boolean): void {
  if (bpp === 1) {
    for (let r = 0; r < rows; r++) for (let i = r * w + 1; i < (r + 1) * w; i++) seg[i] = (seg[i] + seg[i - 1]) & 255;
    return;
  }
  const view = new DataView(seg.buffer, seg.byteOffset, seg.byteLength);
  for (let r = 0; r < rows; r++) {
    for (let i = r * w + 1; i < (r + 1) * w; i++) {
      if (bpp === 2) view.setUint16(2 * i, view.getUint16(2 * i, le) + view.getUint16(2 * i - 2, le), le);
      else view.setUint32(4 * i, view.getUint32(4 * i, le) + view.getUint32(4 * i - 4, le), le);
    }
  }
}

/**
 * Undoes the floating-point predictor (3) of float32 rows: the row's bytes were regrouped into four planes
 * and then differenced byte by byte. Plane b holds byte 3 − b of each sample in the file's byte order (in
 * little-endian files the most significant first; libtiff swaps a big-endian file's samples before it
 * regroups them, so there the least significant first). Returns the samples in the file's byte order.
 */
function undoFloatPredictor(seg: Uint8Array, rows: number, w: number): Uint8Array {
  const out = new Uint8Array(rows * w * 4);
  for (let r = 0; r < rows; r++) {
    const row = seg.subarray(r * w * 4, (r + 1) * w * 4);
    for (let i = 1; i < row.length; i++) row[i] = (row[i] + row[i - 1]) & 255;
    for (let i = 0; i < w; i++) {
      for (let b = 0; b < 4; b++) out[(r * w + i) * 4 + 3 - b] = row[b * w + i];
    }
  }
  return out;
}

/**
 * Decodes a TIFF LZW stream (codes MSB first, 9 to 12 bits, widened one code early; 256 clears the table,
 * 257 ends) into its first `cap` bytes; the result is shorter where the stream ends early, and null at a
 * code not yet in the table (libtiff refuses those; a truncated result is refused by the caller).
 */
export function lzwDecode(data: Uint8Array, cap: number): Uint8Array | null {
  const prefix = new Int32Array(4096);
  const last = new Uint8Array(4096); // the entry's last byte
  const head = new Uint8Array(4096); // its first byte
  const len = new Int32Array(4096);
  for (let c = 0; c < 256; c++) {
    last[c] = head[c] = c;
    len[c] = 1;
  }
  const out = new Uint8Array(cap);
  let acc = 0, have = 0, pos = 0, width = 9, next = 258, prev = -1, at = 0;
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
      if (code > 255) return null;
    } else {
      if (code > next || (code === next && next >= 4096)) return null;
      // the new entry: the previous string and the first byte of this one (of itself, if it is the new one)
      if (next < 4096) {
        prefix[next] = prev;
        last[next] = head[code === next ? prev : code];
        head[next] = head[prev];
        len[next] = len[prev] + 1;
        next++;
      }
    }
    // the string of `code`, written back to front (as far as `cap` goes)
    const n = len[code];
    for (let c = code, k = at + n - 1; k >= at; k--, c = prefix[c]) if (k < cap) out[k] = last[c];
    at += n;
    if (at >= cap) return out;
    prev = code;
    if (next + 1 >= 1 << width && width < 12) width++;
  }
  return out.subarray(0, at);
}

/** Decodes a PackBits stream into its first `cap` bytes (shorter where the stream ends early). */
export function packBitsDecode(data: Uint8Array, cap: number): Uint8Array {
  const out = new Uint8Array(cap);
  let i = 0, at = 0;
  while (i < data.length && at < cap) {
    const n = (data[i++] << 24) >> 24;
    if (n >= 0) {
      const m = Math.min(n + 1, data.length - i, cap - at);
      out.set(data.subarray(i, i + m), at);
      at += m;
      i += n + 1;
    } else if (n !== -128) {
      if (i >= data.length) break;
      const m = Math.min(1 - n, cap - at);
      out.fill(data[i++], at, at + m);
      at += m;
    }
  }
  return out.subarray(0, at);
}

function num(ifd: Ifd, tag: number): number | undefined {
  const v = ifd[`t${tag}`];
  return v && typeof v[0] === 'number' ? v[0] : undefined;
}

function bytesPer(dtype: TiffDtype): number {
  return dtype === 'uint8' ? 1 : dtype === 'uint16' ? 2 : 4;
}

/** Samples in the file's byte order to [0, 1] floats (float32 as stored). */
function toFloat(raw: Uint8Array, dtype: TiffDtype, isLE: boolean, out: Float32Array): void {
  const n = out.length;
  if (dtype === 'uint8') {
    for (let i = 0; i < n; i++) out[i] = raw[i] / FULL_SCALE.uint8;
    return;
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (dtype === 'uint16') for (let i = 0; i < n; i++) out[i] = view.getUint16(2 * i, isLE) / FULL_SCALE.uint16;
  else for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, isLE);
}
