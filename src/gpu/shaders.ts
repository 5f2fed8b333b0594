// WGSL sources by name ('ops/elementwise' -> shaders/ops/elementwise.wgsl). Node reads the files;
// the browser bundle embeds the same files at build time (a virtual module of harness/web/esbuild_plugins.ts)
// and registers them when the page starts (harness/web/main.ts), so there are no copies.

const registered = new Map<string, string>();

/** Registers sources by name (browser bundles, and tests that need a deliberately broken shader). */
export function registerShaders(sources: Record<string, string>): void {
  for (const [name, src] of Object.entries(sources)) registered.set(name, src);
}

/** The path a shader name stands for, as it appears in error messages. */
export function shaderPath(name: string): string {
  return `shaders/${name}.wgsl`;
}

/**
 * The WGSL of a shader with its `//!include NAME` lines resolved. NOTE: each included file (shared
 * helpers such as gpu/textures) is appended once after the source, not spliced in place: WGSL declarations
 * may come in any order, and the including file keeps its own line numbers in compile errors.
 */
export function shaderSource(name: string): string {
  return compose(name).code;
}

/** Where line `lineNum` (1-based) of shaderSource(name) comes from: `shaders/FILE.wgsl:LINE`. */
export function shaderLine(name: string, lineNum: number): string {
  let at = { name, first: 1 };
  for (const part of compose(name).parts) if (part.first <= lineNum) at = part;
  return `${shaderPath(at.name)}:${lineNum - at.first + 1}`;
}

function compose(name: string): { code: string; parts: Array<{ name: string; first: number }> } {
  const included = new Set<string>([name]);
  let code = fileSource(name);
  const parts: Array<{ name: string; first: number }> = [];
  const queue = [code];
  while (queue.length > 0) {
    for (const m of queue.pop()!.matchAll(/^\/\/!include\s+(\S+)\s*$/gm)) {
      if (included.has(m[1])) continue;
      included.add(m[1]);
      const src = fileSource(m[1]);
      code += `\n// ---- ${shaderPath(m[1])}\n`;
      parts.push({ name: m[1], first: code.split('\n').length });
      code += src;
      queue.push(src);
    }
  }
  return { code, parts };
}

function fileSource(name: string): string {
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
