// Model weights as a safetensors-style file, on ArrayBuffers only (works in a browser: fetch → arrayBuffer()).
// Layout:
//   bytes 0..8     N, the header length, unsigned 64-bit little-endian
//   bytes 8..8+N   UTF-8 JSON: { NAME: { dtype: "F32", shape: [...], data_offsets: [start, end] }, ...,
//                  "__metadata__": { format: "topo-shapr", config: "{\"side\":64,\"filters\":10}", ... } }
//                  padded with spaces to a multiple of 8 bytes; metadata "data_crc32" is the CRC-32 (8 hex
//                  digits) of the data section followed by the UTF-8 JSON of the other metadata entries
//   bytes 8+N..    the tensors' raw little-endian float32 data, back to back; data_offsets are relative to
//                  the start of this section and must cover it exactly (no holes, no overlap)
// Names are Shapr.named() (trainable parameters and BatchNorm running statistics). Metadata values are
// strings, as safetensors requires. Node file I/O: weights_node.ts.
import { crc32 } from '../util/crc32.ts';
import { writeBuffer } from '../gpu/buffers.ts';
import { Tensor } from '../tape/tensor.ts';
import { fileError } from '../util/errors.ts';
import type { Shapr } from './shapr.ts';
import type { ShaprConfig } from './shapr_layout.ts';

export const WEIGHTS_FORMAT = 'topo-shapr';
const MAX_HEADER = 16 << 20;
const CRC_KEY = 'data_crc32';

/**
 * The checksum of a file's content. NOTE: the structure checks below catch truncation and broken headers,
 * not a flipped byte inside the tensor data or a metadata value (the epoch, a config): those loaded silently.
 */
function contentCrc(data: Uint8Array, metadata: Record<string, string>): string {
  const { [CRC_KEY]: _, ...rest } = metadata;
  const crc = crc32(new TextEncoder().encode(JSON.stringify(rest)), crc32(data));
  return crc.toString(16).padStart(8, '0');
}

export interface WeightEntry {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface DecodedWeights {
  tensors: Map<string, WeightEntry>;
  metadata: Record<string, string>;
}

/** Encodes tensors and string metadata into the file layout above. */
export function encodeWeights(entries: readonly WeightEntry[], metadata: Record<string, string>): ArrayBuffer {
  const header: Record<string, unknown> = {};
  let offset = 0;
  // NOTE: what decodeWeights refuses is refused here too, so that no file is written that cannot be loaded.
  for (const e of entries) {
    if (e.data.length !== e.shape.reduce((a, b) => a * b, 1)) throw new Error(`encodeWeights: ${e.name} has ${e.data.length} values for shape [${e.shape}]`);
    if (e.name === '__metadata__' || Object.hasOwn(header, e.name)) throw new Error(`encodeWeights: tensor name ${JSON.stringify(e.name)} is reserved or repeated`);
    const bad = e.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`encodeWeights: ${e.name} holds a non-finite value (${e.data[bad]}) at ${bad}`);
    header[e.name] = { dtype: 'F32', shape: e.shape, data_offsets: [offset, offset + e.data.length * 4] };
    offset += e.data.length * 4;
  }
  const data = new Uint8Array(offset);
  const view = new DataView(data.buffer);
  let at = 0;
  for (const e of entries) for (const v of e.data) (view.setFloat32(at, v, true), (at += 4));
  const { [CRC_KEY]: _, ...meta } = metadata;
  let json = new TextEncoder().encode(JSON.stringify({ __metadata__: { ...meta, [CRC_KEY]: contentCrc(data, meta) }, ...header }));
  const padded = Math.ceil(json.length / 8) * 8;
  const headerBytes = new Uint8Array(padded).fill(0x20);
  headerBytes.set(json);
  json = headerBytes;
  const out = new ArrayBuffer(8 + padded + offset);
  new DataView(out).setUint32(0, padded, true);
  new Uint8Array(out, 8, padded).set(json);
  new Uint8Array(out, 8 + padded).set(data);
  return out;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Parses and checks a weights file completely (header, dtypes, shapes, offsets, sizes, finite values).
 * Every problem is a UserError naming `source` (the file's path or URL) and the problem.
 */
export function decodeWeights(bytes: ArrayBuffer | Uint8Array, source: string): DecodedWeights {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const bad = (problem: string) => fileError(source, `not a valid weights file: ${problem}`);
  if (u8.length < 8) throw bad(`only ${u8.length} bytes, too short for the 8-byte header length (truncated?)`);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  if (hi !== 0 || lo > MAX_HEADER) throw bad(`header length field ${hi ? `${hi}·2^32+${lo}` : lo} is implausible (not a safetensors file?)`);
  if (8 + lo > u8.length) throw bad(`header of ${lo} bytes but the file has only ${u8.length} bytes (truncated?)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(u8.subarray(8, 8 + lo)));
  } catch (e) {
    throw bad(`header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw bad('header is not a JSON object');
  const dataStart = 8 + lo;
  const dataLength = u8.length - dataStart;
  const metadata: Record<string, string> = {};
  const spans: Array<{ name: string; start: number; end: number; shape: number[] }> = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    const v = value as Record<string, unknown>;
    if (name === '__metadata__') {
      if (typeof v !== 'object' || v === null || Object.values(v).some((s) => typeof s !== 'string')) throw bad('__metadata__ must map names to strings');
      Object.assign(metadata, v);
      continue;
    }
    if (typeof v !== 'object' || v === null) throw bad(`entry ${name} is not an object`);
    if (v.dtype !== 'F32') throw bad(`tensor ${name} has dtype ${JSON.stringify(v.dtype)}; only F32 is supported`);
    const shape = v.shape;
    if (!Array.isArray(shape) || !shape.every(isCount)) throw bad(`tensor ${name} has an invalid shape ${JSON.stringify(shape)}`);
    const off = v.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every(isCount) || off[0] > off[1]) throw bad(`tensor ${name} has invalid data_offsets ${JSON.stringify(off)}`);
    const want = shape.reduce((a: number, b: number) => a * b, 1) * 4;
    if (off[1] - off[0] !== want) throw bad(`tensor ${name} of shape [${shape}] needs ${want} bytes, data_offsets give ${off[1] - off[0]}`);
    if (off[1] > dataLength) throw bad(`tensor ${name} ends at byte ${off[1]} of a ${dataLength}-byte data section (truncated?)`);
    spans.push({ name, start: off[0], end: off[1], shape });
  }
  spans.sort((a, b) => a.start - b.start);
  let covered = 0;
  for (const s of spans) {
    if (s.start !== covered) throw bad(`tensor ${s.name} starts at byte ${s.start}, expected ${covered} (overlap or hole in the data)`);
    covered = s.end;
  }
  if (covered !== dataLength) throw bad(`data section has ${dataLength} bytes but the tensors cover ${covered}`);
  // NOTE: a file without a checksum (safetensors from elsewhere, or written before it existed) is accepted.
  const stored = metadata[CRC_KEY];
  if (stored !== undefined) {
    const crc = contentCrc(u8.subarray(dataStart), metadata);
    if (stored !== crc) throw bad(`its content fails the CRC-32 check (stored ${stored}, computed ${crc}): the file is damaged`);
  }
  const tensors = new Map<string, WeightEntry>();
  for (const s of spans) {
    const data = new Float32Array((s.end - s.start) / 4);
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(dataStart + s.start + 4 * i, true);
    const k = data.findIndex((x) => !Number.isFinite(x));
    if (k >= 0) throw bad(`tensor ${s.name} holds a non-finite value (${data[k]}) at element ${k}`);
    tensors.set(s.name, { name: s.name, shape: s.shape, data });
  }
  return { tensors, metadata };
}

/** The network configuration recorded in a decoded file. */
export function weightsConfig(w: DecodedWeights, source: string): ShaprConfig {
  if (w.metadata.format !== WEIGHTS_FORMAT) throw fileError(source, `not a topo-shapr weights file (metadata format ${JSON.stringify(w.metadata.format)})`);
  let c: Partial<ShaprConfig>;
  try {
    c = JSON.parse(w.metadata.config ?? '');
  } catch {
    throw fileError(source, 'weights metadata has no valid config');
  }
  if (!isCount(c.side) || !isCount(c.filters)) throw fileError(source, `weights metadata config ${w.metadata.config} lacks side/filters`);
  return { side: c.side, filters: c.filters };
}

/** Reads every tensor of the model back and encodes it with the config (and `extra` metadata). */
export async function encodeModel(model: Shapr, extra: Record<string, string> = {}): Promise<ArrayBuffer> {
  const entries: WeightEntry[] = [];
  const named = model.named();
  const data = await Tensor.readAll(named.map((n) => n.tensor));
  named.forEach((n, i) => entries.push({ name: n.name, shape: [...n.tensor.shape], data: data[i] }));
  return encodeWeights(entries, { ...extra, format: WEIGHTS_FORMAT, config: JSON.stringify(model.config) });
}

/**
 * Checks that a decoded file fits `model` exactly (config, the set of names, every shape), then writes all
 * tensors. Nothing is written unless everything matches, so a bad file never leaves a half-loaded model.
 */
export function applyWeights(model: Shapr, w: DecodedWeights, source: string): void {
  const c = weightsConfig(w, source);
  const m = model.config;
  if (c.side !== m.side || c.filters !== m.filters) {
    throw fileError(source, `weights are for side ${c.side}, filters ${c.filters}; the model has side ${m.side}, filters ${m.filters}`);
  }
  const named = model.named();
  const missing = named.filter((n) => !w.tensors.has(n.name)).map((n) => n.name);
  const known = new Set(named.map((n) => n.name));
  const extra = [...w.tensors.keys()].filter((k) => !known.has(k));
  const list = (a: string[]) => a.slice(0, 5).join(', ') + (a.length > 5 ? `, … (${a.length})` : '');
  if (missing.length) throw fileError(source, `weights file lacks tensors: ${list(missing)}`);
  // NOTE: the resume checkpoint (last.ckpt.safetensors) holds Adam's moments too; its list of 136
  // unexpected optim.* tensors did not say which file to load instead
  if (extra.length && extra.every((k) => k.startsWith('optim.'))) throw fileError(source, 'a training checkpoint (weights with the optimiser state, for resuming); load the run\'s best.safetensors');
  if (extra.length) throw fileError(source, `weights file has unexpected tensors: ${list(extra)}`);
  for (const n of named) {
    const e = w.tensors.get(n.name)!;
    if (e.shape.length !== n.tensor.shape.length || e.shape.some((v, i) => v !== n.tensor.shape[i])) {
      throw fileError(source, `tensor ${n.name} has shape [${e.shape}] in the file, the model expects [${n.tensor.shape}]`);
    }
  }
  for (const n of named) writeBuffer(n.tensor.gpu, n.tensor.buffer, w.tensors.get(n.name)!.data);
}
