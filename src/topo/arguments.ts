// Checks of the topology API's arguments (construction, dimensions, shape, volume), shared by persistence,
// the GPU union-find, the losses, the training configuration and the CLI: each names what it refuses,
// where a bad argument used to give a wrong answer or a deep error.
import type { Construction } from './cubical_grid.ts';

/**
 * Throws unless `opts` is an object whose keys are all among `known`: a misspelled option (`construcion`)
 * ran silently with the default.
 */
export function checkOptionNames(opts: unknown, known: readonly string[], where: string): void {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) throw new TypeError(`${where}: options must be an object, got ${JSON.stringify(opts)}`);
  for (const k of Object.keys(opts)) if (!known.includes(k)) throw new Error(`${where}: unknown option '${k}' (options: ${known.join(', ')})`);
}

/** Throws unless `c` is 'T' or 'V' (anything else used to run silently as V). */
export function checkConstruction(c: unknown, where: string): asserts c is Construction {
  if (c !== 'T' && c !== 'V') throw new Error(`${where}: construction must be 'T' or 'V', got ${JSON.stringify(c)}`);
}

/**
 * Whether `dims` is a non-empty list of distinct homology dimensions among `allowed`: an unknown one gave
 * an empty diagram (a zero loss), a repeated one a doubled gradient. Shared by the API and the CLI's checks.
 */
export function isDimList(dims: unknown, allowed: readonly number[] = [0, 1, 2]): dims is number[] {
  return Array.isArray(dims) && dims.length > 0 && dims.every((d) => allowed.includes(d)) && new Set(dims).size === dims.length;
}

/** Throws unless isDimList(dims, allowed). */
export function checkDims(dims: unknown, where: string, allowed: readonly number[] = [0, 1, 2]): asserts dims is number[] {
  if (!isDimList(dims, allowed)) throw new Error(`${where}: dims must be distinct dimensions among ${allowed.join(', ')}, got ${JSON.stringify(dims)}`);
}

/** Throws unless `shape` is three positive integers [D, H, W]; `where` prefixes the message. */
export function checkShape(shape: readonly number[], where = ''): void {
  if (shape?.length !== 3 || [...shape].some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`${where}shape must be three positive integers [D, H, W], got ${shape ? `[${[...shape].join(', ')}]` : shape}`);
  }
}

/** Checks a volume against its shape; throws a plain Error (callers turn it into a UserError if needed). */
export function checkVolume(volume: ArrayLike<number>, shape: readonly number[]): void {
  // NOTE: the voxel sort reads the float32 bits: any other array gave wrong diagrams, not an error.
  if (!(volume instanceof Float32Array)) throw new TypeError(`volume must be a Float32Array, got ${volume?.constructor?.name ?? typeof volume}`);
  checkShape(shape);
  const n = shape[0] * shape[1] * shape[2];
  if (volume.length !== n) throw new Error(`volume has ${volume.length} values, shape [${shape.join(', ')}] needs ${n}`);
  for (let i = 0; i < n; i++) {
    // NOTE: ±Infinity would be indistinguishable from the essential class's death in the JSON layout.
    if (!Number.isFinite(volume[i])) throw new Error(`volume has ${volume[i]} at flat index ${i} (values must be finite)`);
  }
}
