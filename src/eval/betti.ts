// Betti numbers of a binary volume as the T-construction sees it (voxels are closed unit cubes, so the object is
// 26-connected and its complement 6-connected): β0 by a flood fill of the object, β2 by one of the background of
// the padded volume (every background component but the outside is a cavity), and β1 = β0 + β2 − χ
// (Euler–Poincaré), with χ counted over the cells of the union of the object's closed cubes. Linear time.
// NOTE: the persistence of the 0/1 volume gives the same numbers (the tests compare them) but took ~150 ms per
// 64³ volume, which made `evaluate` on 135 samples 4× slower; this takes a few ms.

/** [β0, β1, β2] of the object voxels (x[i] = 1) of a D×H×W volume in C order. */
export function bettiNumbers(x: Uint8Array, shape: readonly [number, number, number]): [number, number, number] {
  const [d, h, w] = shape;
  if (x.length !== d * h * w) throw new Error(`bettiNumbers: ${x.length} voxels for shape ${shape.join('×')}`);
  // Two layers of background around the volume: neighbours of any cell a fill visits are inside the array.
  const W = w + 4, SY = W, SZ = (h + 4) * W;
  const p = new Uint8Array((d + 4) * SZ);
  for (let z = 0; z < d; z++) for (let y = 0; y < h; y++) {
    const row = (z + 2) * SZ + (y + 2) * SY + 2;
    for (let i = 0; i < w; i++) p[row + i] = x[(z * h + y) * w + i] ? 1 : 0;
  }
  const offsets26: number[] = [], offsets6 = [1, -1, SY, -SY, SZ, -SZ];
  for (let dz = -1; dz <= 1; dz++) for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
    if (dz || dy || dx) offsets26.push(dz * SZ + dy * SY + dx);
  }
  // seen: 1 once a fill reached the cell; the outermost layer counts as seen, a wall for the background fill
  const seen = new Uint8Array(p.length);
  for (let z = 0; z < d + 4; z++) for (let y = 0; y < h + 4; y++) for (let i = 0; i < W; i++) {
    if (z === 0 || y === 0 || i === 0 || z === d + 3 || y === h + 3 || i === W - 1) seen[z * SZ + y * SY + i] = 1;
  }
  const queue = new Int32Array(p.length);
  const fill = (start: number, value: number, offsets: readonly number[]) => {
    let head = 0, tail = 0;
    queue[tail++] = start;
    seen[start] = 1;
    while (head < tail) {
      const c = queue[head++];
      for (let k = 0; k < offsets.length; k++) {
        const n = c + offsets[k];
        if (!seen[n] && p[n] === value) { seen[n] = 1; queue[tail++] = n; }
      }
    }
  };
  let b0 = 0, background = 0;
  for (let c = 0; c < p.length; c++) {
    if (seen[c]) continue;
    if (p[c]) { b0++; fill(c, 1, offsets26); } else { background++; fill(c, 0, offsets6); }
  }
  // χ = vertices − edges + squares − cubes of the union. Around vertex (z, y, x) of the voxel grid lie the voxels
  // (z−1+a, y−1+b, x−1+c), a, b, c ∈ {0, 1}, here vABC; the cells that start at the vertex (the edges, squares
  // and cube towards +x, +y, +z) are in the union when one of the voxels they bound is. NOTE: no bounds tests:
  // a cell past the volume's far side bounds only padding, which is 0.
  let chi = 0;
  for (let z = 0; z <= d; z++) for (let y = 0; y <= h; y++) for (let i = 0; i <= w; i++) {
    const o = (z + 1) * SZ + (y + 1) * SY + i + 1;
    const v000 = p[o], v001 = p[o + 1], v010 = p[o + SY], v011 = p[o + SY + 1];
    const v100 = p[o + SZ], v101 = p[o + SZ + 1], v110 = p[o + SZ + SY], v111 = p[o + SZ + SY + 1];
    const nz = v011 | v111, ny = v101 | v111, nx = v110 | v111; // the squares normal to z, y, x
    chi += (v000 | v001 | v010 | v100 | nz | ny | nx) // the vertex
      - (v001 | v101 | nz) - (v010 | v110 | nz) - (v100 | v110 | ny) // the edges along x, y, z
      + nz + ny + nx - v111;
  }
  const b2 = background - 1; // the outside
  return [b0, b0 + b2 - chi, b2];
}
