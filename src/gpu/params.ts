// Packs a WGSL `Params` struct of 4-byte scalars. `types` has one letter per field, in declaration order:
// u = u32, i = i32, f = f32. (vec/mat fields would need WGSL alignment rules; our Params use scalars only.)
export function packParams(types: string, ...values: number[]): Uint32Array {
  if (types.length !== values.length) throw new Error(`packParams: ${types.length} types, ${values.length} values`);
  const out = new Uint32Array(Math.max(4, Math.ceil(types.length / 4) * 4));
  const view = new DataView(out.buffer);
  for (let i = 0; i < types.length; i++) {
    const v = values[i];
    switch (types[i]) {
      case 'u':
        if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`packParams: field ${i} is not a u32: ${v}`);
        view.setUint32(i * 4, v, true);
        break;
      case 'i':
        view.setInt32(i * 4, v, true);
        break;
      case 'f':
        view.setFloat32(i * 4, v, true);
        break;
      default:
        throw new Error(`packParams: unknown type letter '${types[i]}'`);
    }
  }
  return out;
}
