// The report's 3D views: each example's true and predicted volumes as surfaces at the Otsu threshold that
// the metrics binarise at (so the picture shows the shape that was scored), drawn offscreen by the web
// page's ray-marcher (src/render/raymarch.ts). Separate from compare.ts because it needs a GPU: without
// one the report keeps its slices and says why it has no 3D views.
import { normalizeByMax, objectThreshold } from '../eval/otsu.ts';
import type { Gpu } from '../gpu/device.ts';
import { DEFAULT_ORBIT, PRED_COLOR, raymarch, TRUTH_COLOR } from '../render/raymarch.ts';
import type { ReportInput } from './report.ts';

/** Width and height of one view in pixels. */
export const SURFACE_PX = 160;

/** Renders every example's `volumes` into its `surfaces` (and lets the volumes go). */
export async function drawSurfaces(input: ReportInput, g: Gpu): Promise<void> {
  for (const e of input.examples) {
    for (const v of e.volumes) {
      // NOTE: the threshold is in max-normalised units, as the ray-marcher's texels are; a constant volume
      // is empty for the metrics (objectThreshold: ∞), so it gets an isovalue no texel reaches
      const threshold = Math.min(2, objectThreshold(normalizeByMax(v.volume)));
      const view = { orbit: DEFAULT_ORBIT, threshold, color: v.truth ? TRUTH_COLOR : PRED_COLOR };
      const data = await raymarch(g, v.volume, v.side, view, SURFACE_PX, SURFACE_PX);
      e.surfaces.push({ caption: `${v.label} 3D`, image: { width: SURFACE_PX, height: SURFACE_PX, data } });
    }
    e.volumes = [];
  }
}
