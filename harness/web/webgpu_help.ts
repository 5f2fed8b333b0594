// Says, before anything else runs, why WebGPU is unusable here and what to enable; null when it is fine.

/** A message for the page when WebGPU cannot work in this browser, or null. */
export async function describeGpuProblem(): Promise<string | null> {
  if (!window.isSecureContext) {
    return `WebGPU needs a secure context, and ${location.origin} is not one: open the page as http://127.0.0.1:PORT/ or http://localhost:PORT/ (npm run web), or over https.`;
  }
  if (!('gpu' in navigator) || !navigator.gpu) {
    return 'This browser has no WebGPU (navigator.gpu is missing). Use Chrome or Edge 113 or newer, Safari 26, or Firefox 141 on Windows; ' +
      'on Linux start Chrome/Chromium with --enable-unsafe-webgpu --enable-features=Vulkan (or enable chrome://flags/#enable-unsafe-webgpu and #enable-vulkan), ' +
      'and in Firefox Nightly set dom.webgpu.enabled in about:config.';
  }
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch {
    adapter = null;
  }
  if (!adapter) {
    return 'WebGPU is present but offers no adapter: turn on hardware acceleration in the browser settings (chrome://settings/system), ' +
      'check chrome://gpu for a blocklisted GPU (then chrome://flags/#enable-unsafe-webgpu), or, without a GPU, start Chromium with ' +
      '--enable-unsafe-webgpu --enable-features=Vulkan --use-vulkan=swiftshader --use-angle=swiftshader.';
  }
  return null;
}
