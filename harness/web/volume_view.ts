// The interactive 3D view: the ray-marcher of src/render/raymarch.ts drawn into a canvas, with its orbit
// camera: drag to rotate, wheel to zoom.
import type { Gpu } from '../../src/gpu/device.ts';
import { bindVolume, DEFAULT_ORBIT, drawRaymarch, raymarcher, raymarchParams, volumeTexels, type Orbit, type Raymarcher } from '../../src/render/raymarch.ts';

export class VolumeView {
  orbit: Orbit = { ...DEFAULT_ORBIT };
  private readonly context: GPUCanvasContext;
  private readonly r: Raymarcher;
  private texture: GPUTexture | null = null;
  private bindGroup: GPUBindGroup | null = null;
  private side = 1;
  private empty = true;
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
    this.r = raymarcher(device, format);
    this.attachMouse();
  }

  /**
   * Shows `volume` ([side]³, C order [D, H, W]), normalised by its maximum, with the isosurface at
   * `threshold` (in normalised units; the page gives it a binarised volume and 0.5).
   */
  setVolume(volume: Float32Array, side: number, threshold: number, color: [number, number, number]): void {
    const { texels, empty } = volumeTexels(volume, side);
    this.texture?.destroy();
    ({ texture: this.texture, bindGroup: this.bindGroup } = bindVolume(this.gpu.device, this.r, texels, side));
    Object.assign(this, { side, empty, threshold, color });
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
    const device = this.gpu.device;
    device.queue.writeBuffer(this.r.uniform, 0, raymarchParams({ orbit: this.orbit, aspect: w / h, threshold: this.threshold, color: this.color }, this.side, this.empty));
    const enc = device.createCommandEncoder();
    drawRaymarch(enc, this.context.getCurrentTexture().createView(), this.r, this.bindGroup);
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
