// Flat textures (src/gpu/textures.ts, FLAT_WIDTH = 8192 texels per row): vec4 number i of a buffer is
// texel (i % 8192, i / 8192). Shared by the shaders that read buffers as textures (`//!include gpu/textures`).
// NOTE: on lavapipe a texel fetch is a vectorised gather and a buffer load is lane by lane, so hot loops
// read their vec4 data from textures (less CPU for the same results; harness/README.md).
fn flatTexel(i: u32) -> vec2i {
  return vec2i(i32(i & 8191u), i32(i >> 13u));
}

// The vec4 number i of the buffer that flat texture t holds.
fn flatLoad(t: texture_2d<f32>, i: u32) -> vec4f {
  return textureLoad(t, flatTexel(i), 0);
}
