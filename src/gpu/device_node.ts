// The only module that imports dawn.node (npm `webgpu`). Picks a Vulkan driver before the first create():
// a real GPU or Mesa lavapipe by default, SwiftShader when asked for or when it is the only CPU driver.
import { existsSync, readdirSync } from 'node:fs';
import { create, globals } from 'webgpu';
import { GpuError } from './device.ts';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

/** What TOPO_SHAPR_ADAPTER asks for: 'auto' (default), 'lavapipe', 'swiftshader', or an adapter-name substring. */
export function requestedAdapter(): string {
  return (process.env.TOPO_SHAPR_ADAPTER ?? 'auto').trim() || 'auto';
}

function hasOtherVulkanDriver(): boolean {
  for (const d of ICD_DIRS) {
    if (!existsSync(d)) continue;
    if (readdirSync(d).some((f) => f.endsWith('.json'))) return true;
  }
  return existsSync('/dev/nvidia0') || existsSync('/dev/dxg');
}

// NOTE: dawn.node frees its instance when the object from create() is garbage-collected, and the
// process then crashes later; this module-level reference keeps it alive for the life of the process.
let instance: GPU | null = null;

/** Returns dawn.node's GPU object, created once with the driver choice applied to process.env. */
export function nodeGpu(): GPU {
  if (instance) return instance;
  process.env.NODEVICE_SELECT ??= '1'; // silences Mesa's device-select layer ("XDG_RUNTIME_DIR is invalid")
  const want = requestedAdapter();
  const options: string[] = ['backend=vulkan'];
  if (want === 'swiftshader' || (want === 'auto' && !hasOtherVulkanDriver() && existsSync(SWIFTSHADER_ICD))) {
    if (!existsSync(SWIFTSHADER_ICD)) {
      throw new GpuError(`TOPO_SHAPR_ADAPTER=swiftshader but ${SWIFTSHADER_ICD} is missing: apt-get install chromium-common`);
    }
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  } else if (want === 'lavapipe') {
    options.push('adapter=llvmpipe');
  } else if (want !== 'auto') {
    options.push(`adapter=${want}`);
  }
  if (process.env.TOPO_SHAPR_DAWN_TOGGLES) options.push(`enable-dawn-features=${process.env.TOPO_SHAPR_DAWN_TOGGLES}`);
  Object.assign(globalThis, globals);
  instance = create(options);
  return instance;
}
