// Orthogonal slices of a volume on 2D canvases: the prediction in grey, the Otsu-binarised object's
// outline in orange and the ground truth's (when known) in cyan.

/** The three planes: which axis the slider moves along, and the axes of the picture. */
export const PLANES = [
  { name: 'XY (z)', axis: 0 },
  { name: 'XZ (y)', axis: 1 },
  { name: 'YZ (x)', axis: 2 },
] as const;

export interface SliceData {
  volume: Float32Array; // [S, S, S], values in [0, 1]
  binary: Uint8Array; // Otsu-binarised prediction
  truth: Uint8Array | null; // binarised ground truth
  side: number;
}

/** Value at (plane axis = k, row r, column c) of a C-order [S, S, S] volume. */
export function planeIndex(axis: number, k: number, r: number, c: number, s: number): number {
  if (axis === 0) return (k * s + r) * s + c; // z = k: rows y, columns x
  if (axis === 1) return (r * s + k) * s + c; // y = k: rows z, columns x
  return (r * s + c) * s + k; // x = k: rows z, columns y
}

/** Draws slice `k` of plane `axis` into `canvas` (any size; pixels are scaled without smoothing). */
export function drawSlice(canvas: HTMLCanvasElement, d: SliceData, axis: number, k: number): void {
  const s = d.side;
  const img = new ImageData(s, s);
  let max = 0;
  for (let i = 0; i < d.volume.length; i++) max = Math.max(max, d.volume[i]);
  const at = (arr: ArrayLike<number>, r: number, c: number) => (r < 0 || c < 0 || r >= s || c >= s ? 0 : arr[planeIndex(axis, k, r, c, s)]);
  // a pixel is on an object's outline when it is inside and a 4-neighbour is not
  const edge = (arr: Uint8Array, r: number, c: number) =>
    at(arr, r, c) === 1 && (at(arr, r - 1, c) === 0 || at(arr, r + 1, c) === 0 || at(arr, r, c - 1) === 0 || at(arr, r, c + 1) === 0);
  for (let r = 0; r < s; r++) {
    for (let c = 0; c < s; c++) {
      const g = max > 0 ? Math.round((at(d.volume, r, c) / max) * 255) : 0;
      let rgb = [g, g, g];
      if (d.truth && edge(d.truth, r, c)) rgb = [40, 220, 240];
      if (edge(d.binary, r, c)) rgb = [255, 150, 40];
      const o = 4 * (r * s + c);
      img.data.set([rgb[0], rgb[1], rgb[2], 255], o);
    }
  }
  const small = new OffscreenCanvas(s, s);
  small.getContext('2d')!.putImageData(img, 0, 0);
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
}

/** Draws a 2D [S, S] image (the input's mask or image) into `canvas`. */
export function drawImage2d(canvas: HTMLCanvasElement, data: Float32Array, side: number): void {
  const img = new ImageData(side, side);
  for (let i = 0; i < side * side; i++) {
    const g = Math.round(Math.max(0, Math.min(1, data[i])) * 255);
    img.data.set([g, g, g, 255], 4 * i);
  }
  const small = new OffscreenCanvas(side, side);
  small.getContext('2d')!.putImageData(img, 0, 0);
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
}
