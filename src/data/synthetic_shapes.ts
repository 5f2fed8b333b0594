// The cell morphologies of the synthetic dataset as implicit functions in a canonical frame: the cell is
// centred at the origin, about 1 unit in radius, lying in the xy plane (z is the thin axis of red blood
// cells). f(x, y, z) < 0 inside. Each maker draws its random parameters from the Rng it is given.
import type { Rng } from '../util/rng.ts';

/** An implicit shape: negative inside, positive outside (roughly a distance in canonical units). */
export type Field = (x: number, y: number, z: number) => number;

/** The morphology classes, in the order the generator cycles through them. */
export const SYNTHETIC_CLASSES = [
  'spherocyte',
  'stomatocyte',
  'discocyte',
  'echinocyte',
  'keratocyte',
  'knizocyte',
  'acanthocyte',
  'cell_cluster',
  'multilobate',
  'nucleus',
] as const;

export type SyntheticClass = (typeof SYNTHETIC_CLASSES)[number];

/** How far a shape may be tilted out of the xy plane when placed in a volume (radians; π = any way). */
export const MAX_TILT: Record<SyntheticClass, number> = {
  spherocyte: Math.PI,
  stomatocyte: 0.6,
  discocyte: 0.6,
  echinocyte: 0.6,
  keratocyte: 0.5,
  knizocyte: 0.8,
  acanthocyte: Math.PI,
  cell_cluster: 0.8,
  multilobate: Math.PI,
  nucleus: Math.PI,
};

/**
 * Radius of the shape's bounding ball as a fraction of the box side (drawn uniformly from the range).
 * NOTE: the real SHAPR crops are resized so that the cell fills most of the box; clusters, whose bounding
 * ball is far from round, are allowed to touch the border as they do in the real data.
 */
export const EXTENT: Record<SyntheticClass, readonly [number, number]> = {
  spherocyte: [0.3, 0.42],
  stomatocyte: [0.32, 0.46],
  discocyte: [0.32, 0.46],
  echinocyte: [0.32, 0.46],
  keratocyte: [0.32, 0.46],
  knizocyte: [0.34, 0.47],
  acanthocyte: [0.38, 0.48],
  cell_cluster: [0.42, 0.52],
  multilobate: [0.34, 0.47],
  nucleus: [0.32, 0.46],
};

/** Makes a random instance of a class. */
export function makeShape(cls: SyntheticClass, rng: Rng): Field {
  return MAKERS[cls](rng);
}

const MAKERS: Record<SyntheticClass, (rng: Rng) => Field> = {
  spherocyte: (rng) => bumpy(ellipsoid(1, rng.uniform(0.9, 1), rng.uniform(0.8, 0.95)), rng, 4, 0.04),
  discocyte: (rng) => discocyte(1, rng.uniform(0.85, 1.3)),
  stomatocyte: (rng) => {
    // A cup: a thick disc with a spherical mouth pressed into one face.
    const half = rng.uniform(0.45, 0.6);
    const body = ellipsoid(1, rng.uniform(0.9, 1), half);
    const rc = rng.uniform(0.55, 0.75);
    const cz = half + rc - rng.uniform(0.55, 0.8) * 2 * half * 0.75;
    const cx = rng.uniform(-0.15, 0.15);
    return (x, y, z) => Math.max(body(x, y, z), rc - len(x - cx, y, z - cz));
  },
  echinocyte: (rng) => {
    // Many short, evenly spaced, blunt spicules on a crenated disc or sphere.
    const radii = [1, rng.uniform(0.9, 1), rng.uniform(0.55, 0.85)];
    const dirs = fibonacciDirections(rng.int(16) + 20, rng, 0.15);
    const a = rng.uniform(0.16, 0.26);
    const w = rng.uniform(0.008, 0.016);
    return (x, y, z) => {
      const u = x / radii[0];
      const v = y / radii[1];
      const t = z / radii[2];
      const q = len(u, v, t);
      if (q < 0.7 || q > 1.35) return (q - 1) * radii[2];
      let bump = 0;
      for (const d of dirs) {
        const e = (1 - (u * d[0] + v * d[1] + t * d[2]) / q) / w;
        if (e < 12) bump += Math.exp(-e); // NOTE: terms below e^-12 cannot change the sign of the field
      }
      return (q - 1 - a * Math.min(bump, 1.2)) * radii[2];
    };
  },
  acanthocyte: (rng) => {
    // A dense, contracted body with a few irregular, long, thin spicules with knobby tips.
    const body = ellipsoid(0.85, rng.uniform(0.75, 0.85), rng.uniform(0.65, 0.8));
    const n = rng.int(6) + 5;
    const spikes: Field[] = [];
    for (let i = 0; i < n; i++) {
      const d = randomDirection(rng, 0.7);
      const len = rng.uniform(0.95, 1.15);
      const r = rng.uniform(0.09, 0.15);
      const tip: [number, number, number] = [d[0] * len, d[1] * len, d[2] * len];
      spikes.push(capsule([0, 0, 0], tip, r), sphere(tip, r * rng.uniform(1.2, 1.7)));
    }
    return (x, y, z) => {
      let f = body(x, y, z);
      for (const s of spikes) f = smoothMin(f, s(x, y, z), 0.08);
      return f;
    };
  },
  keratocyte: (rng) => {
    // "Horn cell": a flat cell with a notch bitten out of its rim, leaving two horns.
    const body = discocyte(1, rng.uniform(1.0, 1.6));
    const r = rng.uniform(0.35, 0.6);
    const c = rng.uniform(0.75, 1.0);
    return (x, y, z) => Math.max(body(x, y, z), r - len(x - c, y));
  },
  knizocyte: (rng) => {
    // Pinched cell: two or three thick, overlapping lobes joined by a waist.
    const lobes = rng.next() < 0.65 ? 2 : 3;
    const parts: Field[] = [];
    const turn = rng.uniform(0, 2 * Math.PI);
    for (let i = 0; i < lobes; i++) {
      const ang = turn + (2 * Math.PI * i) / lobes + rng.uniform(-0.3, 0.3);
      const d = rng.uniform(0.28, 0.4);
      parts.push(translate(discocyte(rng.uniform(0.6, 0.75), rng.uniform(2.4, 3.4)), d * Math.cos(ang), d * Math.sin(ang), 0));
    }
    return union(parts, 0.2);
  },
  cell_cluster: (rng) => {
    // Two or three plump cells pressed together, side by side or stacked at an angle.
    const n = rng.next() < 0.7 ? 2 : 3;
    const cells: Field[] = [];
    const centres: [number, number, number][] = [];
    const radii: number[] = [];
    for (let i = 0; i < n; i++) {
      const r = rng.uniform(0.45, 0.6);
      const kind = rng.next();
      let cell = kind < 0.5 ? discocyte(r, rng.uniform(1.4, 2.4)) : ellipsoid(r, r * rng.uniform(0.8, 1), r * rng.uniform(0.65, 0.95));
      cell = rotate(cell, rng.uniform(0, 2 * Math.PI), rng.uniform(-1.2, 1.2));
      let c: [number, number, number] = [0, 0, 0];
      if (i > 0) {
        const j = rng.int(i);
        const ang = rng.uniform(0, 2 * Math.PI);
        const dist = (radii[j] + r) * rng.uniform(0.6, 0.8);
        c = [centres[j][0] + dist * Math.cos(ang), centres[j][1] + dist * Math.sin(ang), centres[j][2] + rng.uniform(-0.3, 0.3)];
      }
      centres.push(c);
      radii.push(r);
      cells.push(translate(cell, ...c));
    }
    const m = [0, 1, 2].map((k) => centres.reduce((s, c) => s + c[k], 0) / n);
    return translate(union(cells, 0.06), -m[0], -m[1], -m[2]);
  },
  multilobate: (rng) => {
    // An irregular blob of several rounded lobes.
    const n = rng.int(4) + 3;
    const parts: Field[] = [ellipsoid(0.55, 0.55, 0.45)];
    for (let i = 0; i < n; i++) {
      const d = randomDirection(rng, 0.6);
      const off = rng.uniform(0.3, 0.5);
      const r = rng.uniform(0.35, 0.55);
      parts.push(sphere([d[0] * off, d[1] * off, d[2] * off * 0.7], r));
    }
    return union(parts, 0.18);
  },
  nucleus: (rng) => {
    // A smooth ellipsoid with gentle low-frequency dents; sometimes kidney-shaped.
    let f = bumpy(ellipsoid(1, rng.uniform(0.7, 0.9), rng.uniform(0.5, 0.7)), rng, 5, 0.08);
    if (rng.next() < 0.4) {
      // kidney: a smooth dent pressed into one long side
      const r = rng.uniform(0.4, 0.55);
      const c = rng.uniform(0.75, 0.9) + r * 0.6;
      const g = f;
      f = (x, y, z) => -smoothMin(-g(x, y, z), len(x, y - c, z * 0.6) - r, 0.15);
    }
    return f;
  },
};

// Evans–Fung biconcave disc of radius r: half-thickness h(ρ) = r/2 · √(1−ρ²) (0.207 + 2.003ρ² − 1.123ρ⁴),
// optionally thickened by `thick`.
function discocyte(r: number, thick: number): Field {
  return (x, y, z) => {
    const rho = len(x, y) / r;
    if (rho >= 1) return Math.max((rho - 1) * r, Math.abs(z) - 0.05 * r);
    const p = rho * rho;
    const h = 0.5 * r * thick * Math.sqrt(1 - p) * (0.207 + 2.003 * p - 1.123 * p * p);
    return Math.max((rho - 1) * r, Math.abs(z) - h);
  };
}

function ellipsoid(a: number, b: number, c: number): Field {
  const m = Math.min(a, b, c);
  return (x, y, z) => (len(x / a, y / b, z / c) - 1) * m;
}

function sphere(c: readonly number[], r: number): Field {
  return (x, y, z) => len(x - c[0], y - c[1], z - c[2]) - r;
}

// Distance to the segment a–b minus r.
function capsule(a: readonly number[], b: readonly number[], r: number): Field {
  const ab = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const len2 = ab[0] ** 2 + ab[1] ** 2 + ab[2] ** 2;
  return (x, y, z) => {
    const ap = [x - a[0], y - a[1], z - a[2]];
    const t = Math.max(0, Math.min(1, (ap[0] * ab[0] + ap[1] * ab[1] + ap[2] * ab[2]) / len2));
    return len(ap[0] - t * ab[0], ap[1] - t * ab[1], ap[2] - t * ab[2]) - r;
  };
}

// Adds low-frequency dents and bulges: radius × (1 + Σ amplitude · bump around a random direction).
function bumpy(f: Field, rng: Rng, n: number, amp: number): Field {
  const bumps = Array.from({ length: n }, () => ({ d: randomDirection(rng, 1), a: rng.uniform(-amp, amp), w: rng.uniform(0.3, 0.6) }));
  return (x, y, z) => {
    const r = len(x, y, z) || 1;
    let s = 0;
    for (const b of bumps) s += b.a * Math.exp(-(1 - (x * b.d[0] + y * b.d[1] + z * b.d[2]) / r) / b.w);
    return f(x / (1 + s), y / (1 + s), z / (1 + s));
  };
}

function translate(f: Field, dx: number, dy: number, dz: number): Field {
  return (x, y, z) => f(x - dx, y - dy, z - dz);
}

// Rotates a shape by `spin` about z, then by `tilt` about x.
function rotate(f: Field, spin: number, tilt: number): Field {
  const cs = Math.cos(spin);
  const ss = Math.sin(spin);
  const ct = Math.cos(tilt);
  const st = Math.sin(tilt);
  return (x, y, z) => {
    const y1 = ct * y + st * z; // inverse tilt about x
    const z1 = -st * y + ct * z;
    return f(cs * x + ss * y1, -ss * x + cs * y1, z1); // inverse spin about z
  };
}

// Union of shapes; k > 0 blends them smoothly over a band of width k.
function union(parts: Field[], k: number): Field {
  return (x, y, z) => {
    let f = parts[0](x, y, z);
    for (let i = 1; i < parts.length; i++) f = k > 0 ? smoothMin(f, parts[i](x, y, z), k) : Math.min(f, parts[i](x, y, z));
    return f;
  };
}

// Euclidean norm of 2 or 3 components (Math.hypot is several times slower and guards overflow we never hit).
function len(x: number, y: number, z = 0): number {
  return Math.sqrt(x * x + y * y + z * z);
}

// Polynomial smooth minimum.
function smoothMin(a: number, b: number, k: number): number {
  const h = Math.max(0, Math.min(1, 0.5 + (0.5 * (b - a)) / k));
  return b + (a - b) * h - k * h * (1 - h);
}

// A random unit vector; `flat` < 1 squashes its z component (directions mostly in the cell's plane).
function randomDirection(rng: Rng, flat: number): [number, number, number] {
  const v = [rng.normal(), rng.normal(), rng.normal() * flat];
  const n = len(v[0], v[1], v[2]) || 1;
  return [v[0] / n, v[1] / n, v[2] / n];
}

// n nearly evenly spaced unit vectors (Fibonacci sphere, randomly turned and jittered).
function fibonacciDirections(n: number, rng: Rng, jitter: number): [number, number, number][] {
  const turn = rng.uniform(0, 2 * Math.PI);
  const out: [number, number, number][] = [];
  for (let i = 0; i < n; i++) {
    const z = 1 - (2 * (i + 0.5)) / n;
    const r = Math.sqrt(1 - z * z);
    const phi = turn + i * Math.PI * (3 - Math.sqrt(5));
    const v = [r * Math.cos(phi) + jitter * rng.normal() / Math.sqrt(n), r * Math.sin(phi) + jitter * rng.normal() / Math.sqrt(n), z];
    const m = len(v[0], v[1], v[2]);
    out.push([v[0] / m, v[1] / m, v[2] / m]);
  }
  return out;
}
