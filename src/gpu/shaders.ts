// WGSL sources by name ('ops/elementwise' -> shaders/ops/elementwise.wgsl). Node reads the files;
// the browser bundle registers the same files at build time (harness/web/build.ts), so there are no copies.

const registered = new Map<string, string>();

/** Registers sources by name (browser bundles, and tests that need a deliberately broken shader). */
export function registerShaders(sources: Record<string, string>): void {
  for (const [name, src] of Object.entries(sources)) registered.set(name, src);
}

/** The path a shader name stands for, as it appears in error messages. */
export function shaderPath(name: string): string {
  return `shaders/${name}.wgsl`;
}

export function shaderSource(name: string): string {
  const hit = registered.get(name);
  if (hit !== undefined) return hit;
  const proc = (globalThis as { process?: { getBuiltinModule?: (m: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.('node:fs') as typeof import('node:fs') | undefined;
  if (!fs) throw new Error(`${shaderPath(name)}: not bundled into this page`);
  const url = new URL(`../../${shaderPath(name)}`, import.meta.url);
  let src: string;
  try {
    src = fs.readFileSync(url, 'utf8');
  } catch {
    throw new Error(`${shaderPath(name)}: no such shader file`);
  }
  registered.set(name, src);
  return src;
}

/** The group-0 bindings a WGSL file declares: variable name -> binding number (our files use group 0 only). */
export function parseBindings(src: string): Map<string, number> {
  const out = new Map<string, number>();
  const re = /@group\(\s*0\s*\)\s*@binding\(\s*(\d+)\s*\)\s*var\s*(?:<[^>]*>)?\s*([A-Za-z_][A-Za-z0-9_]*)/g;
  for (const m of src.matchAll(re)) out.set(m[2], Number(m[1]));
  return out;
}
