// The geometry of the convolutions (PyTorch semantics): the output sizes and the checks of the shapes,
// strides and padding, shared by the WGSL wrappers (conv3d.ts, conv_transpose3d.ts) and their plain-TS
// references, and checked by hand in test/nn/conv_geometry.test.ts (a wrong size would reach both alike).

export type Triple = [number, number, number];

export interface ConvGeometry {
  b: number; cin: number; cout: number;
  d: number; h: number; w: number; // input spatial size
  od: number; oh: number; ow: number; // output spatial size
  kd: number; kh: number; kw: number;
  sd: number; sh: number; sw: number;
  pd: number; ph: number; pw: number;
}

/** Output size of a convolution along one axis (PyTorch: floor((n + 2p - k) / s) + 1). */
function convOutSize(n: number, k: number, s: number, p: number): number {
  return Math.floor((n + 2 * p - k) / s) + 1;
}

/** The geometry of conv3d(x [B,Cin,D,H,W], w [Cout,Cin,kd,kh,kw]); throws on mismatched shapes. */
export function convGeometry(xs: readonly number[], ws: readonly number[], padding: Triple = [0, 0, 0], stride: Triple = [1, 1, 1]): ConvGeometry {
  checkShapes('conv3d', xs, ws, 'Cout,Cin,kd,kh,kw', stride);
  if (padding.length !== 3 || padding.some((p) => !Number.isInteger(p) || p < 0)) throw new Error(`conv3d: padding must be three non-negative integers, got [${padding}]`);
  const [b, cin, d, h, w] = xs;
  const [cout, , kd, kh, kw] = ws;
  const [pd, ph, pw] = padding;
  const [sd, sh, sw] = stride;
  const od = convOutSize(d, kd, sd, pd);
  const oh = convOutSize(h, kh, sh, ph);
  const ow = convOutSize(w, kw, sw, pw);
  if (od < 1 || oh < 1 || ow < 1) throw new Error(`conv3d: kernel [${kd},${kh},${kw}] larger than padded input [${d},${h},${w}]`);
  return { b, cin, cout, d, h, w, od, oh, ow, kd, kh, kw, sd, sh, sw, pd, ph, pw };
}

export interface ConvTGeometry {
  b: number; cin: number; cout: number;
  d: number; h: number; w: number; // input spatial size
  od: number; oh: number; ow: number; // output: (n − 1)·s + k
  kd: number; kh: number; kw: number;
  sd: number; sh: number; sw: number;
}

/** The geometry of convTranspose3d(x [B,Cin,D,H,W], w [Cin,Cout,kd,kh,kw]); throws on mismatched shapes. */
export function convTGeometry(xs: readonly number[], ws: readonly number[], stride: Triple = [1, 1, 1]): ConvTGeometry {
  checkShapes('convTranspose3d', xs, ws, 'Cin,Cout,kd,kh,kw', stride);
  const [b, cin, d, h, w] = xs;
  const [, cout, kd, kh, kw] = ws;
  const [sd, sh, sw] = stride;
  return { b, cin, cout, d, h, w, od: (d - 1) * sd + kd, oh: (h - 1) * sh + kh, ow: (w - 1) * sw + kw, kd, kh, kw, sd, sh, sw };
}

/**
 * The checks both convolutions share: a 5-D input and weight, the weight's input channels (first in the
 * transposed layout, second in the plain one) equal to the input's, positive integer strides, a kernel.
 */
function checkShapes(op: string, xs: readonly number[], ws: readonly number[], layout: 'Cout,Cin,kd,kh,kw' | 'Cin,Cout,kd,kh,kw', stride: Triple): void {
  if (xs.length !== 5) throw new Error(`${op}: input must be 5-D [B,Cin,D,H,W], got [${xs}]`);
  if (ws.length !== 5) throw new Error(`${op}: weight must be 5-D [${layout}], got [${ws}]`);
  const wcin = layout === 'Cin,Cout,kd,kh,kw' ? ws[0] : ws[1];
  if (wcin !== xs[1]) throw new Error(`${op}: input has ${xs[1]} channels, weight expects ${wcin}`);
  if (stride.length !== 3 || stride.some((s) => !Number.isInteger(s) || s < 1)) throw new Error(`${op}: stride must be three positive integers, got [${stride}]`);
  if (!ws.slice(2).every((k) => Number.isInteger(k) && k >= 1)) throw new Error(`${op}: weight [${ws}] has an empty kernel`);
}
