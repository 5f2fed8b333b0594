// Plain-TS references for shaders/ops/elementwise.wgsl (same formulas, float64 arithmetic rounded to f32).
export const addRef = (a: Float32Array, b: Float32Array) => a.map((x, i) => x + b[i]);
export const mulRef = (a: Float32Array, b: Float32Array) => a.map((x, i) => x * b[i]);
export const scaleRef = (a: Float32Array, alpha: number) => a.map((x) => alpha * x);
export const reluRef = (a: Float32Array) => a.map((x) => (x < 0 ? 0 : x));
export const reluBackwardRef = (x: Float32Array, gy: Float32Array) => x.map((v, i) => (v > 0 ? gy[i] : 0));
export const sigmoidRef = (a: Float32Array) => a.map((x) => 1 / (1 + Math.exp(-x)));
export const sigmoidBackwardRef = (y: Float32Array, gy: Float32Array) => y.map((v, i) => gy[i] * v * (1 - v));
export const fillRef = (n: number, value: number) => new Float32Array(n).fill(value);
export const axpyRef = (into: Float32Array, g: Float32Array, alpha: number) => into.map((x, i) => x + alpha * g[i]);
