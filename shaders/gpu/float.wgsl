// Float tests that survive the compiler: WGSL lets an implementation assume no NaN at run time, so
// `x != x` may fold to false; the bit pattern cannot. Shared by the shaders that propagate NaN as PyTorch
// does (`//!include gpu/float`).
fn isNan(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

fn isNan4(x: vec4f) -> vec4<bool> {
  return (bitcast<vec4u>(x) & vec4u(0x7fffffffu)) > vec4u(0x7f800000u);
}
