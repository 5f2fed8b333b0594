// Plain-TS references for ConvTranspose3d (PyTorch semantics, padding 0, no output_padding), float64
// accumulation: y[b,co, z·sd+i, y·sh+j, x·sw+k] += x[b,ci,z,y,x] · w[ci,co,i,j,k], plus bias[co].
import type { ConvTGeometry } from './conv_geometry.ts';

/** Calls f(xIndex, wIndex, yIndex) for every (input, weight, output) triple that meets in the sum. */
function forEachTap(g: ConvTGeometry, f: (xi: number, wi: number, yi: number) => void): void {
  for (let b = 0; b < g.b; b++)
    for (let ci = 0; ci < g.cin; ci++)
      for (let z = 0; z < g.d; z++)
        for (let y = 0; y < g.h; y++)
          for (let x = 0; x < g.w; x++) {
            const xIdx = (((b * g.cin + ci) * g.d + z) * g.h + y) * g.w + x;
            for (let co = 0; co < g.cout; co++)
              for (let i = 0; i < g.kd; i++)
                for (let j = 0; j < g.kh; j++)
                  for (let k = 0; k < g.kw; k++) {
                    const yIdx = (((b * g.cout + co) * g.od + z * g.sd + i) * g.oh + y * g.sh + j) * g.ow + x * g.sw + k;
                    f(xIdx, (((ci * g.cout + co) * g.kd + i) * g.kh + j) * g.kw + k, yIdx);
                  }
          }
}

export function convTranspose3dRef(x: Float32Array, w: Float32Array, bias: Float32Array | null, g: ConvTGeometry): Float32Array {
  const n = g.od * g.oh * g.ow;
  const acc = new Float64Array(g.b * g.cout * n);
  if (bias) for (let b = 0; b < g.b; b++) for (let co = 0; co < g.cout; co++) acc.fill(bias[co], (b * g.cout + co) * n, (b * g.cout + co + 1) * n);
  forEachTap(g, (xi, wi, yi) => { acc[yi] += x[xi] * w[wi]; });
  return Float32Array.from(acc);
}

export function convTranspose3dGradInputRef(gy: Float32Array, w: Float32Array, g: ConvTGeometry): Float32Array {
  const acc = new Float64Array(g.b * g.cin * g.d * g.h * g.w);
  forEachTap(g, (xi, wi, yi) => { acc[xi] += gy[yi] * w[wi]; });
  return Float32Array.from(acc);
}

export function convTranspose3dGradWeightRef(x: Float32Array, gy: Float32Array, g: ConvTGeometry): Float32Array {
  const acc = new Float64Array(g.cin * g.cout * g.kd * g.kh * g.kw);
  forEachTap(g, (xi, wi, yi) => { acc[wi] += gy[yi] * x[xi]; });
  return Float32Array.from(acc);
}

export function convTranspose3dGradBiasRef(gy: Float32Array, g: ConvTGeometry): Float32Array {
  const n = g.od * g.oh * g.ow;
  const out = new Float64Array(g.cout);
  for (let b = 0; b < g.b; b++) for (let co = 0; co < g.cout; co++) for (let i = 0; i < n; i++) out[co] += gy[(b * g.cout + co) * n + i];
  return Float32Array.from(out);
}
