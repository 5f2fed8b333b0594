// Plain-TS reference of shaders/render/raymarch.wgsl's fragment shader, in float64: one pixel at a time,
// the same steps, the texture sampled as WebGPU's linear filter with clamp-to-edge does.

type V3 = [number, number, number];
const add = (a: V3, b: V3): V3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const sub = (a: V3, b: V3): V3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const mul = (a: V3, s: number): V3 => [a[0] * s, a[1] * s, a[2] * s];
const dot = (a: V3, b: V3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const normalize = (a: V3): V3 => mul(a, 1 / Math.sqrt(dot(a, a)));
const mix = (a: V3, b: V3, t: number): V3 => add(mul(a, 1 - t), mul(b, t));

/** Trilinear sample of r8unorm texels ([side]³, x = W fastest) at texture coordinate `uvw`, clamped to the edge. */
function sample(texels: Uint8Array, side: number, uvw: V3): number {
  const at = (x: number, y: number, z: number) => {
    const c = (i: number) => Math.min(side - 1, Math.max(0, i));
    return texels[(c(z) * side + c(y)) * side + c(x)] / 255;
  };
  const t = uvw.map((u) => u * side - 0.5) as V3;
  const i = t.map(Math.floor) as V3;
  const f = [t[0] - i[0], t[1] - i[1], t[2] - i[2]];
  let v = 0;
  for (let k = 0; k < 8; k++) {
    const dx = k & 1, dy = (k >> 1) & 1, dz = k >> 2;
    const w = (dx ? f[0] : 1 - f[0]) * (dy ? f[1] : 1 - f[1]) * (dz ? f[2] : 1 - f[2]);
    if (w) v += w * at(i[0] + dx, i[1] + dy, i[2] + dz);
  }
  return v;
}

/**
 * The frame raymarch.ts renders: `params` as raymarchParams() packs them, `texels` as volumeTexels()
 * quantises them; RGB in [0, 1] per pixel, rows from the top.
 */
export function raymarchRef(texels: Uint8Array, side: number, params: Float32Array, width: number, height: number): Float64Array {
  const m = params.subarray(0, 16);
  const eye: V3 = [params[16], params[17], params[18]];
  const color: V3 = [params[20], params[21], params[22]];
  const [threshold, stepSize, texel, glow] = params.subarray(24, 28);
  const unproject = (x: number, y: number, z: number): V3 => {
    const h = [0, 1, 2, 3].map((r) => m[r] * x + m[4 + r] * y + m[8 + r] * z + m[12 + r]);
    return [h[0] / h[3], h[1] / h[3], h[2] / h[3]];
  };
  const at = (p: V3) => sample(texels, side, add(p, [0.5, 0.5, 0.5]));
  const out = new Float64Array(width * height * 3);
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const ndc = [((px + 0.5) / width) * 2 - 1, 1 - ((py + 0.5) / height) * 2];
      out.set(shade(ndc[0], ndc[1]), (py * width + px) * 3);
    }
  }
  return out;

  function shade(nx: number, ny: number): V3 {
    const origin = unproject(nx, ny, 0);
    const dir = normalize(sub(unproject(nx, ny, 1), origin));
    const t0 = [0, 1, 2].map((k) => (-0.5 - origin[k]) / dir[k]);
    const t1 = [0, 1, 2].map((k) => (0.5 - origin[k]) / dir[k]);
    const tNear = Math.max(...[0, 1, 2].map((k) => Math.min(t0[k], t1[k])));
    const tFar = Math.min(...[0, 1, 2].map((k) => Math.max(t0[k], t1[k])));
    let rgb = mix([0.09, 0.10, 0.13], [0.16, 0.18, 0.23], 0.5 + 0.5 * ny);
    if (tFar <= Math.max(tNear, 0)) return rgb;
    const start = Math.max(tNear, 0);
    const entry = add(origin, mul(dir, start)).map(Math.abs);
    const edge = entry.filter((e) => e >= 0.497).length >= 2 ? 1 : 0;
    let t = start;
    let peak = at(add(origin, mul(dir, t)));
    let hit = peak >= threshold;
    let hitT = t;
    while (!hit && t < tFar) {
      const tNext = Math.min(t + stepSize, tFar);
      const v = at(add(origin, mul(dir, tNext)));
      peak = Math.max(peak, v);
      if (v >= threshold) {
        let lo = t;
        let hi = tNext;
        for (let k = 0; k < 4; k++) {
          const mid = 0.5 * (lo + hi);
          if (at(add(origin, mul(dir, mid))) >= threshold) hi = mid;
          else lo = mid;
        }
        hit = true;
        hitT = hi;
      }
      t = tNext;
    }
    if (hit) {
      const p = add(origin, mul(dir, hitT));
      const axis = (k: number): V3 => [k === 0 ? texel : 0, k === 1 ? texel : 0, k === 2 ? texel : 0];
      const grad = [0, 1, 2].map((k) => at(add(p, axis(k))) - at(sub(p, axis(k)))) as V3;
      let n: V3 = dot(grad, grad) > 1e-12 ? mul(normalize(grad), -1) : mul(dir, -1);
      if (dot(n, dir) > 0) n = mul(n, -1);
      const toEye = normalize(sub(eye, p));
      const light = normalize(add(toEye, [0.3, 0.2, 0.6]));
      const diffuse = Math.max(dot(n, light), 0);
      const half = normalize(add(light, toEye));
      const spec = Math.max(dot(n, half), 0) ** 32;
      const rim = (1 - Math.max(dot(n, toEye), 0)) ** 3;
      rgb = add(add(mul(color, 0.22 + 0.78 * diffuse), [0.35 * spec, 0.35 * spec, 0.35 * spec]), [0.12 * rim, 0.12 * rim, 0.12 * rim]);
    } else rgb = mix(rgb, [0.55, 0.75, 1.0], glow * peak);
    return mix(rgb, [0.7, 0.72, 0.78], 0.6 * edge);
  }
}
