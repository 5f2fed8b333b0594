// Reference trilinear resampling of one volume to s×s×s with PyTorch's align_corners=True: output index i
// along an axis of n voxels samples input coordinate i·(n−1)/(s−1) (s = 1 samples coordinate 0), and the
// backward pass is the exact adjoint (each output gradient is scattered with the same 8 corner weights).
// Plain loops over Float32Array, accumulated in float64: the tests' reference for the WGSL kernel, and the
// CPU downsampling of the interpolation analysis and of the report's diagrams, which need no GPU (its
// values differ from the kernel's by float32 rounding; the loss itself uses the kernel).

/** Corner indices and weights of the 1D linear interpolation of n samples at s points. */
function axisTaps(n: number, s: number): { lo: Int32Array; hi: Int32Array; w: Float64Array } {
  const lo = new Int32Array(s);
  const hi = new Int32Array(s);
  const w = new Float64Array(s); // weight of hi (lo gets 1 − w)
  for (let i = 0; i < s; i++) {
    // NOTE: i·(n−1) = l·(s−1) + r in integers, as the kernel does: the corner is exact (the last sample
    // lands on n − 1 itself, with weight 0 on the clamped hi) and the weight is r / (s − 1).
    const num = s > 1 ? i * (n - 1) : 0;
    const l = s > 1 ? Math.floor(num / (s - 1)) : 0;
    lo[i] = l;
    hi[i] = Math.min(l + 1, n - 1);
    w[i] = s > 1 ? (num - l * (s - 1)) / (s - 1) : 0;
  }
  return { lo, hi, w };
}

function checkArgs(shape: readonly number[], s: number, what: string): void {
  if (shape.length !== 3 || shape.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`${what}: bad shape [${shape}]`);
  if (!Number.isInteger(s) || s < 1) throw new Error(`${what}: size ${s} is not a positive integer`);
}

/** x: [D, H, W] (C order) → [s, s, s]: out[a,b,c] = Σ over the 8 corners of weight · x. */
export function trilinearDownRef(x: Float32Array, shape: [number, number, number], s: number): Float32Array {
  checkArgs(shape, s, 'trilinearDownRef');
  const [d, h, w] = shape;
  if (x.length !== d * h * w) throw new Error(`trilinearDownRef: ${x.length} values for shape [${shape}]`);
  const Z = axisTaps(d, s);
  const Y = axisTaps(h, s);
  const X = axisTaps(w, s);
  const out = new Float32Array(s * s * s);
  let o = 0;
  for (let a = 0; a < s; a++) {
    for (let b = 0; b < s; b++) {
      for (let c = 0; c < s; c++) {
        let acc = 0;
        for (const [zi, wz] of [[Z.lo[a], 1 - Z.w[a]], [Z.hi[a], Z.w[a]]]) {
          for (const [yi, wy] of [[Y.lo[b], 1 - Y.w[b]], [Y.hi[b], Y.w[b]]]) {
            for (const [xi, wx] of [[X.lo[c], 1 - X.w[c]], [X.hi[c], X.w[c]]]) {
              acc += wz * wy * wx * x[(zi * h + yi) * w + xi];
            }
          }
        }
        out[o++] = acc;
      }
    }
  }
  return out;
}

/** The adjoint: gy [s, s, s] → gx [D, H, W] with <trilinearDownRef(x), gy> = <x, gx> for every x. */
export function trilinearDownBackwardRef(gy: Float32Array, shape: [number, number, number], s: number): Float32Array {
  checkArgs(shape, s, 'trilinearDownBackwardRef');
  if (gy.length !== s * s * s) throw new Error(`trilinearDownBackwardRef: ${gy.length} values for size ${s}`);
  const [d, h, w] = shape;
  const Z = axisTaps(d, s);
  const Y = axisTaps(h, s);
  const X = axisTaps(w, s);
  const acc = new Float64Array(d * h * w);
  let o = 0;
  for (let a = 0; a < s; a++) {
    for (let b = 0; b < s; b++) {
      for (let c = 0; c < s; c++) {
        const g = gy[o++];
        for (const [zi, wz] of [[Z.lo[a], 1 - Z.w[a]], [Z.hi[a], Z.w[a]]]) {
          for (const [yi, wy] of [[Y.lo[b], 1 - Y.w[b]], [Y.hi[b], Y.w[b]]]) {
            for (const [xi, wx] of [[X.lo[c], 1 - X.w[c]], [X.hi[c], X.w[c]]]) {
              // NOTE: a tap of weight 0 takes no part, as in the kernel's gather: a NaN gradient reaches only
              // the inputs that the output really samples
              if (wz * wy * wx !== 0) acc[(zi * h + yi) * w + xi] += wz * wy * wx * g;
            }
          }
        }
      }
    }
  }
  return Float32Array.from(acc);
}
