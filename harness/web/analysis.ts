// What the page computes from a predicted volume on the CPU: the Otsu binarisation (SHAPR's evaluation:
// normalise by the maximum, then Otsu), its volume, surface and roughness, the persistence diagrams of the
// superlevel filtration in dimensions 0–2, and the same for the ground truth when it is known.
import { shapeMeasures, type ShapeMeasures } from '../../src/eval/metrics.ts';
import { binarize, normalizeByMax, objectThreshold } from '../../src/eval/otsu.ts';
import { diagramsToJson, persistence, type DiagramsJson } from '../../src/topo/persistence.ts';

export interface VolumeAnalysis {
  threshold: number; // Otsu threshold of the max-normalised volume (∞ for a constant volume: empty)
  binary: Uint8Array; // binarize(): normalised volume > threshold
  measures: ShapeMeasures;
  diagrams: DiagramsJson; // T-construction, dimensions 0, 1, 2
}

export interface Analysis {
  pred: VolumeAnalysis;
  truth: VolumeAnalysis | null;
  iou: number | null; // of the two binarised volumes
}

/** Otsu binarisation, shape measures and persistence diagrams of one [side]³ volume. */
export function analyseVolume(volume: Float32Array, side: number): VolumeAnalysis {
  const shape: [number, number, number] = [side, side, side];
  const threshold = objectThreshold(normalizeByMax(volume));
  const binary = binarize(volume);
  return { threshold, binary, measures: shapeMeasures(binary, shape), diagrams: diagramsToJson(persistence(volume, shape)) };
}

export function analyse(pred: Float32Array, truth: Float32Array | null, side: number): Analysis {
  const p = analyseVolume(pred, side);
  const t = truth ? analyseVolume(truth, side) : null;
  let iou: number | null = null;
  if (t) {
    let inter = 0;
    let union = 0;
    for (let i = 0; i < p.binary.length; i++) (inter += p.binary[i] & t.binary[i]), (union += p.binary[i] | t.binary[i]);
    iou = union ? inter / union : 1;
  }
  return { pred: p, truth: t, iou };
}
