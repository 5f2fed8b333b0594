// Persistence diagrams as data: a canonical order, the reference JSON layout, and exact comparison.
import type { Diagrams, Pair } from './persistence.ts';

/** JSON layout of the reference (`../shared/reference/persistence-*`): death `null` for the essential class. */
export type DiagramsJson = Record<string, Array<[number, number | null]>>;

/** Sorts every dimension by birth descending, then death descending (essential first): a canonical order. */
export function sortDiagrams(d: Diagrams): Diagrams {
  for (const pairs of d.dims) pairs.sort((a, b) => b.birth - a.birth || b.death - a.death);
  return d;
}

/** `{"0": [[b, d|null], ...], "1": ..., "2": ...}` for the dimensions that were computed. */
export function diagramsToJson(d: Diagrams): DiagramsJson {
  const out: DiagramsJson = {};
  d.dims.forEach((pairs, k) => {
    if (pairs) out[String(k)] = pairs.map((p) => [p.birth, p.death === -Infinity ? null : p.death]);
  });
  return out;
}

/** Birth and death voxel indices in the same layout (`null` for the essential class's death). */
export function generatorsToJson(d: Diagrams): Record<string, Array<[number, number | null]>> {
  const out: Record<string, Array<[number, number | null]>> = {};
  d.dims.forEach((pairs, k) => {
    if (pairs) out[String(k)] = pairs.map((p) => [p.birthIndex, p.deathIndex < 0 ? null : p.deathIndex]);
  });
  return out;
}

/** A dimension's pairs as a sorted list of "birth,death" keys with float32-rounded values (for comparison). */
export function pairKeys(pairs: ReadonlyArray<Pair> | ReadonlyArray<[number, number | null]>): string[] {
  const f = (x: number | null) => (x === null || x === -Infinity ? 'inf' : String(Math.fround(x)));
  const keys = pairs.map((p) => (Array.isArray(p) ? `${f(p[0])},${f(p[1])}` : `${f((p as Pair).birth)},${f((p as Pair).death)}`));
  return keys.sort();
}
