// The interactive 3D view: a WebGPU render pass (shaders/render/raymarch.wgsl) that ray-marches a volume
// and shades its isosurface, with an orbit camera (gl-matrix): drag to rotate, wheel to zoom.
import { mat4, vec3 } from 'gl-matrix';
import type { Gpu } from '../../src/gpu/device.ts';
import { shaderSource } from '../../src/gpu/shaders.ts';

/** Camera state: angles in radians, distance from the cube's centre in cube widths. */
export interface Orbit {
  yaw: number;
  pitch: number;
  distance: number;
}

export const DEFAULT_ORBIT: Orbit = { yaw: 0.7, pitch: 0.45, distance: 1.85 };
const FOV = Math.PI / 5;

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

export class VolumeView {
  orbit: Orbit = { ...DEFAULT_ORBIT };
  private readonly context: GPUCanvasContext;
  private readonly pipeline: GPURenderPipeline;
  private readonly sampler: GPUSampler;
  private readonly uniform: GPUBuffer;
  private texture: GPUTexture | null = null;
  private bindGroup: GPUBindGroup | null = null;
  private side = 1;
  private threshold = 0.5;
  private color: [number, number, number] = [0.9, 0.55, 0.3];
  private pending = false;

  constructor(private readonly gpu: Gpu, private readonly canvas: HTMLCanvasElement) {
    const device = gpu.device;
    const ctx = canvas.getContext('webgpu');
    if (!ctx) throw new Error('this browser cannot draw WebGPU into a canvas');
    this.context = ctx;
    const format = navigator.gpu.getPreferredCanvasFormat();
    ctx.configure({ device, format, alphaMode: 'opaque' });
    const module = device.createShaderModule({ code: shaderSource('render/raymarch'), label: 'shaders/render/raymarch.wgsl' });
    this.pipeline = device.createRenderPipeline({
      label: 'raymarch',
      layout: 'auto',
      vertex: { module, entryPoint: 'vertexMain' },
      fragment: { module, entryPoint: 'fragmentMain', targets: [{ format }] },
      primitive: { topology: 'triangle-list' },
    });
    this.sampler = device.createSampler({ magFilter: 'linear', minFilter: 'linear', addressModeU: 'clamp-to-edge', addressModeV: 'clamp-to-edge', addressModeW: 'clamp-to-edge' });
    this.uniform = device.createBuffer({ size: 112, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.attachMouse();
  }

  /**
   * Shows `volume` ([side]³, C order [D, H, W]), normalised by its maximum, with the isosurface at
   * `threshold` (in normalised units: the Otsu threshold shows the Otsu-binarised object).
   */
  setVolume(volume: Float32Array, side: number, threshold: number, color: [number, number, number]): void {
    const n = side * side * side;
    if (volume.length !== n) throw new Error(`3D view: ${volume.length} values for a ${side}³ volume`);
    let max = 0;
    for (let i = 0; i < n; i++) if (volume[i] > max) max = volume[i];
    const bytes = new Uint8Array(n);
    // NOTE: 8 bits are plenty for display; the isovalue is compared after the same quantisation.
    if (max > 0) for (let i = 0; i < n; i++) bytes[i] = Math.round((volume[i] / max) * 255);
    const device = this.gpu.device;
    if (!this.texture || this.side !== side) {
      this.texture?.destroy();
      this.texture = device.createTexture({ size: [side, side, side], dimension: '3d', format: 'r8unorm', usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST });
      this.bindGroup = device.createBindGroup({
        layout: this.pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.uniform } },
          { binding: 1, resource: this.texture.createView({ dimension: '3d' }) },
          { binding: 2, resource: this.sampler },
        ],
      });
    }
    device.queue.writeTexture({ texture: this.texture }, bytes, { bytesPerRow: side, rowsPerImage: side }, [side, side, side]);
    this.side = side;
    this.threshold = max > 0 ? threshold : 2; // an empty volume: no surface
    this.color = color;
    this.draw();
  }

  /** Renders one frame now. */
  draw(): void {
    if (!this.bindGroup) return;
    const w = Math.max(1, Math.round(this.canvas.clientWidth * devicePixelRatio));
    const h = Math.max(1, Math.round(this.canvas.clientHeight * devicePixelRatio));
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    const u = new Float32Array(28);
    u.set(inverseViewProjection(this.orbit, w / h), 0);
    u.set(orbitEye(this.orbit), 16);
    u.set(this.color, 20);
    u.set([this.threshold, 0.5 / this.side, 1 / this.side, 0.35], 24);
    const device = this.gpu.device;
    device.queue.writeBuffer(this.uniform, 0, u);
    const enc = device.createCommandEncoder();
    const pass = enc.beginRenderPass({
      colorAttachments: [{ view: this.context.getCurrentTexture().createView(), loadOp: 'clear', storeOp: 'store', clearValue: [0, 0, 0, 1] }],
    });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroup);
    pass.draw(3);
    pass.end();
    device.queue.submit([enc.finish()]);
  }

  /** Resolves once the GPU has finished every frame submitted so far. */
  async settled(): Promise<void> {
    await this.gpu.device.queue.onSubmittedWorkDone();
  }

  resetCamera(): void {
    this.orbit = { ...DEFAULT_ORBIT };
    this.draw();
  }

  // One frame per animation frame at most, however many mouse events arrive.
  private requestDraw(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  private attachMouse(): void {
    let last: { x: number; y: number } | null = null;
    this.canvas.addEventListener('pointerdown', (e) => {
      last = { x: e.clientX, y: e.clientY };
      this.canvas.setPointerCapture(e.pointerId);
    });
    this.canvas.addEventListener('pointermove', (e) => {
      if (!last) return;
      this.orbit.yaw -= (e.clientX - last.x) * 0.01;
      this.orbit.pitch = Math.max(-1.5, Math.min(1.5, this.orbit.pitch + (e.clientY - last.y) * 0.01));
      last = { x: e.clientX, y: e.clientY };
      this.requestDraw();
    });
    const end = () => (last = null);
    this.canvas.addEventListener('pointerup', end);
    this.canvas.addEventListener('pointercancel', end);
    this.canvas.addEventListener('wheel', (e) => {
      e.preventDefault();
      this.orbit.distance = Math.max(0.9, Math.min(8, this.orbit.distance * Math.exp(e.deltaY * 0.001)));
      this.requestDraw();
    }, { passive: false });
    this.canvas.addEventListener('dblclick', () => this.resetCamera());
    new ResizeObserver(() => this.requestDraw()).observe(this.canvas);
  }
}
