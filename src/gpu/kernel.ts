// Runs WGSL compute kernels: pipeline cache (shader + entry + overrides), one open compute pass that
// collects dispatches until flush().
// Convention: bindings live in @group(0) and are passed BY NAME (the WGSL variable's name, mapped to its
// binding number by the file's declarations); the pipeline layout is 'auto', so each entry point gets
// exactly the bindings it uses. A typed array passed for a
// binding becomes a uniform buffer (the `params` struct).
import { type Gpu, GpuError, checkGpu } from './device.ts';
import { parseBindings, shaderLine, shaderPath, shaderSource } from './shaders.ts';

export interface KernelDesc {
  shader: string; // name under shaders/, without .wgsl
  entry: string; // entry point
  constants?: Record<string, number>; // WGSL `override` values
}

interface Compiled {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  bindings: Map<string, number>;
}

interface State {
  pipelines: Map<string, Compiled>;
  uniforms: Map<string, GPUBuffer>;
  encoder: GPUCommandEncoder | null;
  pass: GPUComputePassEncoder | null;
  compileChecks: Promise<void>[];
  dispatches: number;
}
const states = new WeakMap<Gpu, State>();

function stateOf(g: Gpu): State {
  let s = states.get(g);
  if (!s) {
    s = { pipelines: new Map(), uniforms: new Map(), encoder: null, pass: null, compileChecks: [], dispatches: 0 };
    states.set(g, s);
  }
  return s;
}

export class ShaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShaderError';
  }
}

function cacheKey(k: KernelDesc): string {
  const c = Object.entries(k.constants ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return `${k.shader}:${k.entry}:${c.map(([n, v]) => `${n}=${v}`).join(',')}`;
}

function compile(g: Gpu, k: KernelDesc): Compiled {
  const s = stateOf(g);
  const key = cacheKey(k);
  const hit = s.pipelines.get(key);
  if (hit) return hit;
  const path = shaderPath(k.shader);
  const code = shaderSource(k.shader);
  const bindings = parseBindings(code);
  const device = g.device;
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code, label: path });
  const pipeline = device.createComputePipeline({
    label: `${path}:${k.entry}`,
    layout: 'auto',
    compute: { module, entryPoint: k.entry, constants: k.constants },
  });
  const layout = pipeline.getBindGroupLayout(0);
  layout.label = path;
  const scope = device.popErrorScope();
  const check = (async () => {
    const err = await scope;
    if (!err) return;
    const info = await module.getCompilationInfo();
    const msgs = info.messages.filter((m) => m.type === 'error');
    const where = msgs.length
      ? msgs.map((m) => `${shaderLine(k.shader, m.lineNum)}:${m.linePos}: ${m.message}`).join('\n')
      : `${path} (entry ${k.entry}): ${err.message}`;
    throw new ShaderError(where);
  })();
  check.catch(() => {}); // reported at the next read-back or sync(), not as an unhandled rejection
  s.compileChecks.push(check);
  const compiled = { pipeline, layout, bindings };
  s.pipelines.set(key, compiled);
  return compiled;
}

/** A uniform buffer holding `bytes`; identical parameter blocks share one buffer for the process' life. */
function uniformFor(g: Gpu, data: ArrayBufferView): GPUBuffer {
  const s = stateOf(g);
  const u8 = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const key = Array.from(u8, (b) => b.toString(16).padStart(2, '0')).join('');
  let buf = s.uniforms.get(key);
  if (!buf) {
    const size = Math.max(16, Math.ceil(u8.byteLength / 16) * 16);
    buf = g.device.createBuffer({ size, usage: GPUBufferUsage.UNIFORM, mappedAtCreation: true });
    new Uint8Array(buf.getMappedRange()).set(u8);
    buf.unmap();
    if (s.uniforms.size > 8192) s.uniforms.clear(); // NOTE: dropped buffers are GC'd by Dawn once unused
    s.uniforms.set(key, buf);
  }
  return buf;
}

/** One binding: a storage buffer, a texture view, or a uniform parameter block given as a typed array. */
export type Binding = GPUBuffer | GPUTextureView | ArrayBufferView;

/**
 * Records one dispatch of `k`, binding each named buffer to the WGSL variable of that name.
 * Work runs at the next flush() (a read-back flushes). Use grid1d() for large 1D launches.
 */
export function dispatch(g: Gpu, k: KernelDesc, bindings: Record<string, Binding>, workgroups: [number, number?, number?]): void {
  // NOTE: only a lost device stops recording here. Validation errors wait for the next read-back or sync(),
  // which first awaits the shader compile checks: a broken shader is then reported by file and line, not by
  // the invalid bind groups it causes downstream.
  if (g.lost) checkGpu(g);
  const [x, y = 1, z = 1] = workgroups;
  if (x === 0 || y === 0 || z === 0) return;
  const c = compile(g, k);
  const entries: GPUBindGroupEntry[] = Object.entries(bindings).map(([name, b]) => {
    const binding = c.bindings.get(name);
    if (binding === undefined) throw new ShaderError(`${shaderPath(k.shader)}: no binding named '${name}' (entry ${k.entry})`);
    if (b instanceof GPUTextureView) return { binding, resource: b };
    const buffer = b instanceof GPUBuffer ? b : uniformFor(g, b);
    return { binding, resource: { buffer } };
  });
  const s = stateOf(g);
  s.encoder ??= g.device.createCommandEncoder();
  s.pass ??= s.encoder.beginComputePass();
  s.pass.setPipeline(c.pipeline);
  s.pass.setBindGroup(0, g.device.createBindGroup({ label: `${k.shader}:${k.entry}`, layout: c.layout, entries }));
  s.pass.dispatchWorkgroups(x, y, z);
  s.dispatches++;
}

/** Records non-compute commands (copies) in order with the dispatches around them (ends the open pass). */
export function encode(g: Gpu, record: (enc: GPUCommandEncoder) => void): void {
  const s = stateOf(g);
  s.pass?.end();
  s.pass = null;
  s.encoder ??= g.device.createCommandEncoder();
  record(s.encoder);
}

/** Submits recorded work; `extra` may append copies after the compute pass. */
export function flush(g: Gpu, extra?: (enc: GPUCommandEncoder) => void): void {
  if (extra) encode(g, extra);
  const s = stateOf(g);
  if (!s.encoder) return;
  s.pass?.end();
  g.device.queue.submit([s.encoder.finish()]);
  s.encoder = null;
  s.pass = null;
}

/** Waits for all submitted work, then throws any shader-compilation or asynchronous GPU error. */
export async function sync(g: Gpu): Promise<void> {
  flush(g);
  await checkCompiles(g);
  await g.device.queue.onSubmittedWorkDone();
  checkGpu(g);
}

/**
 * Throws compile errors recorded so far (read-backs call it before reporting anything else). The invalid
 * command buffer that a broken pipeline causes is a consequence, so its pending error is dropped then.
 */
export async function checkCompiles(g: Gpu): Promise<void> {
  const checks = stateOf(g).compileChecks.splice(0);
  try {
    await Promise.all(checks);
  } catch (e) {
    await g.device.queue.onSubmittedWorkDone();
    if (!g.lost) g.pendingError = null;
    throw e;
  }
}

export function dispatchCount(g: Gpu): number {
  return stateOf(g).dispatches;
}

/** Splits a 1D workgroup count over x and y so that neither exceeds the per-dimension limit. */
export function grid1d(g: Gpu, threads: number, workgroupSize: number): [number, number] {
  const groups = Math.ceil(threads / workgroupSize);
  const max = g.limits.maxComputeWorkgroupsPerDimension ?? 65535;
  if (groups <= max) return [groups, 1];
  const y = Math.ceil(groups / max);
  return [Math.ceil(groups / y), y];
}

export { GpuError };
