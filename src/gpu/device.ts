// Device acquisition for Node (dawn.node) and browsers (navigator.gpu), with the adapter's real limits,
// and the error plumbing that turns a lost device or a validation/OOM error into an exception.

export class GpuError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpuError';
  }
}

const NO_ADAPTER_REMEDY =
  'no WebGPU adapter found. On a machine without a GPU install a CPU Vulkan driver: ' +
  '`sudo bash harness/setup.sh` (Debian 12: mesa-vulkan-drivers and libvulkan1 from bookworm-backports), ' +
  'or Debian\'s chromium-common for SwiftShader (then TOPO_SHAPR_ADAPTER=swiftshader).';

/** A ready device and what we know about it. Only src/gpu/ touches GPUDevice directly, but for the ray-marcher's render pass (src/render/). */
export interface Gpu {
  device: GPUDevice;
  adapterName: string;
  backend: string;
  isCpu: boolean; // lavapipe or SwiftShader: atomics are slow, a CPU path may win
  limits: Record<string, number>;
  features: string[]; // the adapter's optional features (none is requested: nothing here uses one)
  /** The first error reported asynchronously (validation, OOM, device lost), thrown at the next sync point. */
  pendingError: GpuError | null;
  lost: boolean;
}

const LIMITS = [
  'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ', 'maxComputeWorkgroupsPerDimension', 'maxStorageBuffersPerShaderStage',
  'maxUniformBufferBindingSize', 'maxBindGroups', 'maxBindingsPerBindGroup', 'maxTextureDimension2D',
] as const;

let current: Promise<Gpu> | null = null;

/** The process-wide GPU device, created on first call. */
export function getGpu(): Promise<Gpu> {
  current ??= acquireGpu().catch((e) => {
    current = null;
    throw e;
  });
  return current;
}

async function navigatorGpu(): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  if (typeof process !== 'undefined' && process.versions?.node) {
    const mod = await import('./device_node.ts');
    return mod.nodeGpu();
  }
  throw new GpuError('this browser has no WebGPU (navigator.gpu): use a recent Chrome/Edge, or enable WebGPU in the browser\'s flags');
}

/** A new device of its own (most code wants the shared getGpu()). */
export async function acquireGpu(): Promise<Gpu> {
  const gpu = await navigatorGpu();
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    // dawn.node throws (listing the adapters it has) when TOPO_SHAPR_ADAPTER names none of them
    throw new GpuError(`no such WebGPU adapter: ${(e as Error).message.replace(/\s*\n\s*/g, ' ')}`);
  }
  if (!adapter) throw new GpuError(NO_ADAPTER_REMEDY);
  const info = adapter.info;
  const adapterName = [info.vendor, info.device, info.description].filter(Boolean).join(' ').trim() || 'unknown adapter';
  const requiredLimits: Record<string, number> = {};
  for (const k of LIMITS) {
    const v = (adapter.limits as unknown as Record<string, number>)[k];
    if (typeof v === 'number') requiredLimits[k] = v;
  }
  // NOTE: no optional features: no shader or pass uses one (the adapter's are listed in `features`, for doctor)
  const device = await adapter.requestDevice({ requiredLimits });
  const lowered = adapterName.toLowerCase();
  const g: Gpu = {
    device,
    adapterName,
    backend: info.architecture || info.vendor || '',
    isCpu: /llvmpipe|lavapipe|swiftshader|software|cpu/.test(lowered) || (info as { type?: string }).type === 'cpu',
    limits: requiredLimits,
    features: [...adapter.features].map(String).sort(),
    pendingError: null,
    lost: false,
  };
  device.lost.then((l) => {
    g.lost = true;
    if (l.reason !== 'destroyed') g.pendingError ??= new GpuError(`GPU device lost (${l.reason}): ${l.message}`);
  });
  device.addEventListener('uncapturederror', (ev) => {
    const e = (ev as GPUUncapturedErrorEvent).error;
    const kind = e instanceof GPUOutOfMemoryError ? 'out of GPU memory' : 'GPU validation error';
    g.pendingError ??= new GpuError(`${kind}: ${e.message}`);
  });
  return g;
}

/** Throws the first asynchronously reported GPU error, if any (and keeps throwing once the device is lost). */
export function checkGpu(g: Gpu): void {
  if (g.pendingError) {
    const e = g.pendingError;
    if (!g.lost) g.pendingError = null;
    throw e;
  }
  if (g.lost) throw new GpuError('GPU device lost');
}
