// Plain-TS reference of shaders/topo/scatter_grad.wgsl.
export function scatterGradRef(size: number, indices: Uint32Array, values: Float32Array, gradOut: number): Float32Array {
  const out = new Float32Array(size);
  indices.forEach((v, i) => (out[v] = values[i] * gradOut));
  return out;
}
