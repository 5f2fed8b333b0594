// Plain-TS references for shaders/nn/conv3d.wgsl: PyTorch Conv3d semantics (cross-correlation, zero
// padding, stride), float64 accumulation. Tensors are flat Float32Array in NCDHW order plus a shape.

import type { ConvGeometry } from './conv_geometry.ts';

/** y[b,co,z,y,x] = bias[co] + Σ x[b,ci,z*sd+i-pd, y*sh+j-ph, x*sw+k-pw] · w[co,ci,i,j,k] */
export function conv3dRef(x: Float32Array, w: Float32Array, bias: Float32Array | null, g: ConvGeometry): Float32Array {
  const per = g.od * g.oh * g.ow;
  const acc = new Float64Array(g.b * g.cout * per); // NOTE: float64 sums, rounded to f32 once at the end
  if (bias) for (let i = 0; i < acc.length; i++) acc[i] = bias[Math.floor(i / per) % g.cout];
  forEachTap(g, (xi, wi, yi) => (acc[yi] += x[xi] * w[wi]));
  return Float32Array.from(acc);
}

/** Calls f(xIndex, wIndex, yIndex) for every (input, weight, output) triple that meets in the sum. */
function forEachTap(g: ConvGeometry, f: (xi: number, wi: number, yi: number) => void): void {
  for (let b = 0; b < g.b; b++)
    for (let co = 0; co < g.cout; co++)
      for (let z = 0; z < g.od; z++)
        for (let y = 0; y < g.oh; y++)
          for (let xo = 0; xo < g.ow; xo++) {
            const yIdx = (((b * g.cout + co) * g.od + z) * g.oh + y) * g.ow + xo;
            for (let ci = 0; ci < g.cin; ci++)
              for (let i = 0; i < g.kd; i++) {
                const zi = z * g.sd + i - g.pd;
                if (zi < 0 || zi >= g.d) continue;
                for (let j = 0; j < g.kh; j++) {
                  const yi = y * g.sh + j - g.ph;
                  if (yi < 0 || yi >= g.h) continue;
                  for (let k = 0; k < g.kw; k++) {
                    const xi = xo * g.sw + k - g.pw;
                    if (xi < 0 || xi >= g.w) continue;
                    f((((b * g.cin + ci) * g.d + zi) * g.h + yi) * g.w + xi, (((co * g.cin + ci) * g.kd + i) * g.kh + j) * g.kw + k, yIdx);
                  }
                }
              }
          }
}

/** d loss / d x given gy = d loss / d y. */
export function conv3dGradInputRef(gy: Float32Array, w: Float32Array, g: ConvGeometry): Float32Array {
  const acc = new Float64Array(g.b * g.cin * g.d * g.h * g.w);
  forEachTap(g, (xi, wi, yi) => { acc[xi] += gy[yi] * w[wi]; });
  return Float32Array.from(acc);
}

/** d loss / d w given the input x and gy. */
export function conv3dGradWeightRef(x: Float32Array, gy: Float32Array, g: ConvGeometry): Float32Array {
  const acc = new Float64Array(g.cout * g.cin * g.kd * g.kh * g.kw);
  forEachTap(g, (xi, wi, yi) => { acc[wi] += gy[yi] * x[xi]; });
  return Float32Array.from(acc);
}

/** d loss / d bias: gy summed over batch and space, per output channel. */
export function conv3dGradBiasRef(gy: Float32Array, g: ConvGeometry): Float32Array {
  const n = g.od * g.oh * g.ow;
  const out = new Float32Array(g.cout);
  for (let b = 0; b < g.b; b++)
    for (let co = 0; co < g.cout; co++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += gy[(b * g.cout + co) * n + i];
      out[co] += s;
    }
  return out;
}
