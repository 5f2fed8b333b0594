// The 3D view's isosurface ray-marcher (shaders/render/raymarch.wgsl): its camera, its inputs, and an
// offscreen render to RGBA bytes. The web page's canvas view (harness/web/volume_view.ts) draws with the
// same pipeline, uniforms and texture; Node renders offscreen (tests compare it with raymarch.ref.ts).
import { mat4, vec3 } from 'gl-matrix';
import type { Gpu } from '../gpu/device.ts';
import { shaderSource } from '../gpu/shaders.ts';

/** Camera state: angles in radians, distance from the cube's centre in cube widths. */
export interface Orbit {
  yaw: number;
  pitch: number;
  distance: number;
}

export const DEFAULT_ORBIT: Orbit = { yaw: 0.7, pitch: 0.45, distance: 1.85 };
/** Surface colours of a prediction and of a true shape (the web page's view and the report's). */
export const PRED_COLOR: [number, number, number] = [0.95, 0.58, 0.3];
export const TRUTH_COLOR: [number, number, number] = [0.3, 0.8, 0.9];
const FOV = Math.PI / 5;
/** Strength of the maximum-intensity glow where a ray meets no surface. */
const GLOW = 0.35;

/** Eye position of an orbit around the origin with z up. */
export function orbitEye(o: Orbit): vec3 {
  const c = Math.cos(o.pitch);
  return vec3.fromValues(o.distance * c * Math.cos(o.yaw), o.distance * c * Math.sin(o.yaw), o.distance * Math.sin(o.pitch));
}

/** The inverse view-projection matrix the shader unprojects pixels with (WebGPU clip z in [0, 1]). */
export function inverseViewProjection(o: Orbit, aspect: number): mat4 {
  const view = mat4.lookAt(mat4.create(), orbitEye(o), [0, 0, 0], [0, 0, 1]);
  const proj = mat4.perspectiveZO(mat4.create(), FOV, aspect, 0.05, 20);
  const vp = mat4.multiply(mat4.create(), proj, view);
  return mat4.invert(mat4.create(), vp) ?? mat4.create();
}

/** What one frame shows: the camera, the isovalue (in the volume's [0, 1] units after normalising) and the surface colour. */
export interface RaymarchView {
  orbit: Orbit;
  aspect: number; // width / height
  threshold: number;
  color: [number, number, number];
}

/**
 * A [side]³ volume (C order [D, H, W]) as the shader's r8unorm texture: divided by its maximum, 8 bits
 * (plenty for display; the isovalue is compared after the same quantisation). `empty` when all ≤ 0.
 */
export function volumeTexels(volume: Float32Array, side: number): { texels: Uint8Array; empty: boolean } {
  const n = side * side * side;
  if (!Number.isInteger(side) || side < 1 || volume.length !== n) throw new Error(`3D view: ${volume.length} values for a ${side}³ volume`);
  let max = 0;
  for (let i = 0; i < n; i++) if (volume[i] > max) max = volume[i];
  const texels = new Uint8Array(n);
  if (max > 0) for (let i = 0; i < n; i++) texels[i] = Math.round((Math.max(volume[i], 0) / max) * 255);
  return { texels, empty: !(max > 0) };
}

/** The shader's Params (112 bytes). An empty volume gets an isovalue no texel reaches: no surface. */
export function raymarchParams(v: RaymarchView, side: number, empty: boolean): Float32Array {
  const u = new Float32Array(28);
  u.set(inverseViewProjection(v.orbit, v.aspect), 0);
  u.set(orbitEye(v.orbit), 16);
  u.set(v.color, 20);
  u.set([empty ? 2 : v.threshold, 0.5 / side, 1 / side, GLOW], 24);
  return u;
}

/** The ray-marcher's GPU objects for one target format: pipeline, sampler (trilinear, clamped to the edge), Params buffer. */
export interface Raymarcher {
  pipeline: GPURenderPipeline;
  sampler: GPUSampler;
  uniform: GPUBuffer;
}

export function raymarcher(device: GPUDevice, format: GPUTextureFormat): Raymarcher {
  const module = device.createShaderModule({ code: shaderSource('render/raymarch'), label: 'shaders/render/raymarch.wgsl' });
  const pipeline = device.createRenderPipeline({
    label: 'raymarch',
    layout: 'auto',
    vertex: { module, entryPoint: 'vertexMain' },
    fragment: { module, entryPoint: 'fragmentMain', targets: [{ format }] },
    primitive: { topology: 'triangle-list' },
  });
  const sampler = device.createSampler({ magFilter: 'linear', minFilter: 'linear', addressModeU: 'clamp-to-edge', addressModeV: 'clamp-to-edge', addressModeW: 'clamp-to-edge' });
  const uniform = device.createBuffer({ size: 112, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  return { pipeline, sampler, uniform };
}

/** Uploads texels into a new [side]³ 3D texture and binds it with the ray-marcher's Params and sampler. */
export function bindVolume(device: GPUDevice, r: Raymarcher, texels: Uint8Array, side: number): { texture: GPUTexture; bindGroup: GPUBindGroup } {
  const texture = device.createTexture({ size: [side, side, side], dimension: '3d', format: 'r8unorm', usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST });
  device.queue.writeTexture({ texture }, texels, { bytesPerRow: side, rowsPerImage: side }, [side, side, side]);
  const bindGroup = device.createBindGroup({
    layout: r.pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: r.uniform } },
      { binding: 1, resource: texture.createView({ dimension: '3d' }) },
      { binding: 2, resource: r.sampler },
    ],
  });
  return { texture, bindGroup };
}

/** Records the full-screen triangle that runs the ray-marcher into `target`. */
export function drawRaymarch(enc: GPUCommandEncoder, target: GPUTextureView, r: Raymarcher, bindGroup: GPUBindGroup): void {
  const pass = enc.beginRenderPass({ colorAttachments: [{ view: target, loadOp: 'clear', storeOp: 'store', clearValue: [0, 0, 0, 1] }] });
  pass.setPipeline(r.pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.draw(3);
  pass.end();
}

/**
 * Renders `volume` ([side]³) offscreen as `width`×`height` RGBA bytes, rows from the top: the same frame
 * the web page's 3D view draws for this camera (used by the tests against raymarch.ref.ts).
 */
export async function raymarch(g: Gpu, volume: Float32Array, side: number, view: Omit<RaymarchView, 'aspect'>, width: number, height: number): Promise<Uint8Array> {
  const device = g.device;
  const { texels, empty } = volumeTexels(volume, side);
  // NOTE: one pipeline per device (a report draws dozens of views; building it took ~45 ms each on lavapipe).
  // Sharing its Params buffer is safe: each call's writeBuffer is queued before its own submit.
  let r = offscreen.get(device);
  if (!r) offscreen.set(device, (r = raymarcher(device, 'rgba8unorm')));
  const { texture, bindGroup } = bindVolume(device, r, texels, side);
  device.queue.writeBuffer(r.uniform, 0, raymarchParams({ ...view, aspect: width / height }, side, empty));
  const target = device.createTexture({ size: [width, height], format: 'rgba8unorm', usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC });
  // NOTE: texture-to-buffer copies need rows padded to 256 bytes
  const row = Math.ceil((width * 4) / 256) * 256;
  const readback = device.createBuffer({ size: row * height, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
  const enc = device.createCommandEncoder();
  drawRaymarch(enc, target.createView(), r, bindGroup);
  enc.copyTextureToBuffer({ texture: target }, { buffer: readback, bytesPerRow: row }, [width, height]);
  device.queue.submit([enc.finish()]);
  try {
    await readback.mapAsync(GPUMapMode.READ);
    const padded = new Uint8Array(readback.getMappedRange());
    const out = new Uint8Array(width * height * 4);
    for (let y = 0; y < height; y++) out.set(padded.subarray(y * row, y * row + width * 4), y * width * 4);
    return out;
  } finally {
    readback.destroy();
    target.destroy();
    texture.destroy();
  }
}

const offscreen = new WeakMap<GPUDevice, Raymarcher>();
