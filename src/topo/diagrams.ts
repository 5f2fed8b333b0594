// Persistence diagrams as data: a canonical order, the reference JSON layout, and exact comparison.
import type { Diagrams, Pair } from './persistence.ts';

/** JSON layout of the reference (`../shared/reference/persistence-*`): death `null` for the essential class. */
export type DiagramsJson = Record<string, Array<[number, number | null]>>;

/** Sorts every dimension by birth descending, then death descending (essential first): a canonical order. */
export function sortDiagrams(d: Diagrams): Diagrams {
  for (const pairs of d.dims) pairs.sort((a, b) => b.birth - a.birth || b.death - a.death);
  return d;
}

/**
 * `{"0": [[b, d|null], ...], "1": ..., "2": ...}` for the dimensions that were computed (d.computed; all
 * when it is not known). NOTE: a dimension not asked for was written as an empty list, and `distance`
 * then compared another file's diagram with nothing.
 */
export function diagramsToJson(d: Diagrams): DiagramsJson {
  const out: DiagramsJson = {};
  d.dims.forEach((pairs, k) => {
    if (pairs && wasComputed(d, k)) out[String(k)] = pairs.map((p) => [p.birth, p.death === -Infinity ? null : p.death]);
  });
  return out;
}

const wasComputed = (d: Diagrams, k: number) => d.computed === undefined || d.computed.includes(k);

/**
 * Diagrams as one Float64Array per dimension, [birth, death, birthIndex, deathIndex] per pair: what crosses
 * to and from worker threads (topo_pool.ts). NOTE: the structured clone of Pair objects took 300–450 ms for
 * a 64³ prediction's 136k pairs, as long as computing them; typed arrays move as one block.
 */
export function packDiagrams(d: Diagrams): Float64Array[] {
  return d.dims.map((pairs) => {
    const out = new Float64Array(4 * pairs.length);
    pairs.forEach((p, i) => {
      out[4 * i] = p.birth;
      out[4 * i + 1] = p.death;
      out[4 * i + 2] = p.birthIndex;
      out[4 * i + 3] = p.deathIndex;
    });
    return out;
  });
}

/** The inverse of packDiagrams. */
export function unpackDiagrams(packed: Float64Array[]): Diagrams {
  return {
    dims: packed.map((a) => {
      const pairs: Pair[] = new Array(a.length / 4);
      for (let i = 0; i < pairs.length; i++) pairs[i] = { birth: a[4 * i], death: a[4 * i + 1], birthIndex: a[4 * i + 2], deathIndex: a[4 * i + 3] };
      return pairs;
    }),
  };
}

/** Birth and death voxel indices in the same layout (`null` for the essential class's death). */
export function generatorsToJson(d: Diagrams): Record<string, Array<[number, number | null]>> {
  const out: Record<string, Array<[number, number | null]>> = {};
  d.dims.forEach((pairs, k) => {
    if (pairs && wasComputed(d, k)) out[String(k)] = pairs.map((p) => [p.birthIndex, p.deathIndex < 0 ? null : p.deathIndex]);
  });
  return out;
}

/** A dimension's pairs as a sorted list of "birth,death" keys with float32-rounded values (for comparison). */
export function pairKeys(pairs: ReadonlyArray<Pair> | ReadonlyArray<[number, number | null]>): string[] {
  const f = (x: number | null) => (x === null || x === -Infinity ? 'inf' : String(Math.fround(x)));
  const keys = pairs.map((p) => (Array.isArray(p) ? `${f(p[0])},${f(p[1])}` : `${f((p as Pair).birth)},${f((p as Pair).death)}`));
  return keys.sort();
}
