// Ray-marches a scalar volume in the unit cube [-0.5, 0.5]³ and shades its isosurface (the web page's 3D view).
//
// Layout: `volume` is a 3D texture of the [D, H, W] volume (texel x = W axis, y = H, z = D), values in [0, 1]
// (the page normalises by the maximum first, as the Otsu evaluation does), sampled trilinearly; texture
// coordinate = world position + 0.5.
// Threads: one fragment per pixel of a full-screen triangle. Each pixel's ray runs from the near to the far
// plane (unprojected with the inverse view-projection matrix), is clipped to the cube, then marched in
// steps of half a voxel until the value first reaches `threshold`; four bisection steps refine the hit,
// and the central-difference gradient gives the normal. Rays that miss the surface show the volume's
// maximum along the ray as a faint glow, so low-likelihood material stays visible.
// Bounds: rays outside the cube draw the background; cube edges are outlined.

struct Params {
  invViewProj: mat4x4f, // clip → world
  eye: vec4f, // camera position (world), w unused
  color: vec4f, // surface colour (rgb), a unused
  threshold: f32, // isovalue in the volume's [0, 1] units
  stepSize: f32, // world units per march step (0.5 / side)
  texel: f32, // 1 / side: the gradient's central-difference offset in texture units
  glow: f32, // 0..1: strength of the maximum-intensity glow where no surface is hit
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var volume: texture_3d<f32>; // [D, H, W] as (z, y, x)
@group(0) @binding(2) var volumeSampler: sampler; // linear, clamp to edge

struct VertexOut {
  @builtin(position) position: vec4f,
  @location(0) ndc: vec2f,
}

// A triangle that covers the screen: (-1,-1), (3,-1), (-1,3).
@vertex
fn vertexMain(@builtin(vertex_index) i: u32) -> VertexOut {
  let xy = vec2f(f32((i << 1u) & 2u), f32(i & 2u)) * 2.0 - 1.0;
  var out: VertexOut;
  out.position = vec4f(xy, 0.0, 1.0);
  out.ndc = xy;
  return out;
}

fn sampleAt(p: vec3f) -> f32 {
  return textureSampleLevel(volume, volumeSampler, p + 0.5, 0.0).r;
}

fn unproject(ndc: vec2f, z: f32) -> vec3f {
  let h = params.invViewProj * vec4f(ndc, z, 1.0);
  return h.xyz / h.w;
}

fn background(ndc: vec2f) -> vec3f {
  return mix(vec3f(0.09, 0.10, 0.13), vec3f(0.16, 0.18, 0.23), 0.5 + 0.5 * ndc.y);
}

@fragment
fn fragmentMain(in: VertexOut) -> @location(0) vec4f {
  // NOTE: WebGPU clip space has z in [0, 1]: 0 is the near plane.
  let origin = unproject(in.ndc, 0.0);
  let dir = normalize(unproject(in.ndc, 1.0) - origin);
  // slab test against the cube
  let inv = 1.0 / dir;
  let t0 = (vec3f(-0.5) - origin) * inv;
  let t1 = (vec3f(0.5) - origin) * inv;
  let tNear = max(max(min(t0.x, t1.x), min(t0.y, t1.y)), min(t0.z, t1.z));
  let tFar = min(min(max(t0.x, t1.x), max(t0.y, t1.y)), max(t0.z, t1.z));
  var color = background(in.ndc);
  if (tFar <= max(tNear, 0.0)) {
    return vec4f(color, 1.0);
  }
  let start = max(tNear, 0.0);
  // outline: the entry point lies on two faces at once near an edge
  let entry = abs(origin + dir * start);
  let onFace = step(vec3f(0.497), entry);
  let edge = select(0.0, 1.0, onFace.x + onFace.y + onFace.z >= 2.0);

  var t = start;
  var prev = sampleAt(origin + dir * t);
  var peak = prev;
  var hit = prev >= params.threshold;
  var hitT = t;
  loop {
    if (hit || t >= tFar) {
      break;
    }
    let tNext = min(t + params.stepSize, tFar);
    let v = sampleAt(origin + dir * tNext);
    peak = max(peak, v);
    if (v >= params.threshold) {
      // bisection between t (below) and tNext (at or above)
      var lo = t;
      var hi = tNext;
      for (var k = 0; k < 4; k++) {
        let mid = 0.5 * (lo + hi);
        if (sampleAt(origin + dir * mid) >= params.threshold) {
          hi = mid;
        } else {
          lo = mid;
        }
      }
      hit = true;
      hitT = hi;
    }
    prev = v;
    t = tNext;
  }

  if (hit) {
    let p = origin + dir * hitT;
    let e = params.texel;
    let grad = vec3f(
      sampleAt(p + vec3f(e, 0.0, 0.0)) - sampleAt(p - vec3f(e, 0.0, 0.0)),
      sampleAt(p + vec3f(0.0, e, 0.0)) - sampleAt(p - vec3f(0.0, e, 0.0)),
      sampleAt(p + vec3f(0.0, 0.0, e)) - sampleAt(p - vec3f(0.0, 0.0, e)),
    );
    // the surface normal points down the gradient (outwards, towards lower likelihood)
    var n = -dir;
    if (dot(grad, grad) > 1e-12) {
      n = -normalize(grad);
    }
    if (dot(n, dir) > 0.0) {
      n = -n;
    }
    let toEye = normalize(params.eye.xyz - p);
    let light = normalize(toEye + vec3f(0.3, 0.2, 0.6));
    let diffuse = max(dot(n, light), 0.0);
    let half = normalize(light + toEye);
    let spec = pow(max(dot(n, half), 0.0), 32.0);
    let rim = pow(1.0 - max(dot(n, toEye), 0.0), 3.0);
    color = params.color.rgb * (0.22 + 0.78 * diffuse) + vec3f(0.35 * spec) + vec3f(0.12 * rim);
  } else {
    color = mix(color, vec3f(0.55, 0.75, 1.0), params.glow * peak);
  }
  color = mix(color, vec3f(0.7, 0.72, 0.78), 0.6 * edge);
  return vec4f(color, 1.0);
}
