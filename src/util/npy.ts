// A tiny reader for NumPy .npy files (format versions 1–3): float32, float64, uint8, uint16 and bool arrays
// in C or Fortran order. Values become float32; uint8 and uint16 are scaled by 1/255 and 1/65535 (as the TIFF
// reader does), bool is 0 or 1, float64 is rounded to float32.
import { fileError } from './errors.ts';

export interface NpyArray {
  shape: number[];
  data: Float32Array;
  dtype: 'float32' | 'float64' | 'uint8' | 'uint16' | 'bool';
}

/** Decodes .npy bytes; `path` only names the file in error messages (UserError). */
export function decodeNpy(bytes: Uint8Array, path: string): NpyArray {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) throw fileError(path, 'not a .npy file (bad magic)');
  const major = bytes[6];
  if (major < 1 || major > 3) throw fileError(path, `unsupported .npy version ${major}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > bytes.length) throw fileError(path, 'truncated .npy header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw fileError(path, `unreadable .npy header ${header.trim()}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (shape.some((n) => !Number.isInteger(n) || n < 0)) throw fileError(path, `bad .npy shape (${shapeText})`);
  const count = shape.reduce((a, b) => a * b, 1);
  const kinds: Record<string, { dtype: NpyArray['dtype']; size: number }> = {
    f4: { dtype: 'float32', size: 4 },
    f8: { dtype: 'float64', size: 8 },
    u1: { dtype: 'uint8', size: 1 },
    u2: { dtype: 'uint16', size: 2 },
    b1: { dtype: 'bool', size: 1 },
  };
  const order = descr[0];
  const kind = kinds[descr.slice(1)];
  if (!kind || !'<>=|'.includes(order)) throw fileError(path, `unsupported .npy dtype '${descr}' (float32, float64, uint8, uint16 or bool)`);
  const little = order !== '>';
  const offset = start + headerLen;
  if (bytes.length < offset + count * kind.size) {
    throw fileError(path, `truncated .npy data: ${bytes.length - offset} bytes for ${count} × ${kind.size}`);
  }
  // NOTE: bytes past the array were ignored (a file cut and glued, or another format behind a .npy name)
  if (bytes.length > offset + count * kind.size) {
    throw fileError(path, `${bytes.length - offset - count * kind.size} bytes after the array's data (${count} × ${kind.size} bytes): damaged?`);
  }
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const at = offset + i * kind.size;
    const d = kind.dtype;
    data[i] = d === 'float32' ? dv.getFloat32(at, little) : d === 'float64' ? dv.getFloat64(at, little) : d === 'uint16' ? dv.getUint16(at, little) / 65535 : d === 'uint8' ? bytes[at] / 255 : bytes[at] ? 1 : 0;
    // NOTE: a finite float64 beyond float32's range became ±Infinity, which callers then reported as infinite input
    if (kind.dtype === 'float64' && !Number.isFinite(data[i]) && Number.isFinite(dv.getFloat64(at, little))) {
      throw fileError(path, `float64 value ${dv.getFloat64(at, little)} at flat index ${i} does not fit in float32 (the volume is computed in float32)`);
    }
  }
  // NOTE: Fortran order (np.asfortranarray, MATLAB exports) is brought to C order; it was refused
  return { shape, data: fortran === 'True' ? toCOrder(data, shape) : data, dtype: kind.dtype };
}

/** A Fortran-ordered (first index fastest) array of `shape` in C order (last index fastest). */
function toCOrder(f: Float32Array, shape: number[]): Float32Array {
  const out = new Float32Array(f.length);
  const strides = shape.map((_, k) => shape.slice(0, k).reduce((a, b) => a * b, 1)); // Fortran strides
  const idx = new Array(shape.length).fill(0);
  for (let c = 0; c < f.length; c++) {
    let at = 0;
    for (let k = 0; k < shape.length; k++) at += idx[k] * strides[k];
    out[c] = f[at];
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++idx[k] < shape[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}
