// The report's 3D views: each example's true and predicted volumes as the shapes the metrics score (SHAPR's
// binarisation), drawn offscreen by the web page's ray-marcher (src/render/raymarch.ts). Separate from
// compare.ts because it needs a GPU: without one the report keeps its slices and says why it has no 3D views.
import { binarize } from '../eval/otsu.ts';
import type { Gpu } from '../gpu/device.ts';
import { DEFAULT_ORBIT, PRED_COLOR, raymarch, TRUTH_COLOR } from '../render/raymarch.ts';
import type { ReportInput } from './report.ts';

/** Width and height of one view in pixels. */
export const SURFACE_PX = 160;

/** Renders every example's `volumes` into its `surfaces` (and lets the volumes go). */
export async function drawSurfaces(input: ReportInput, g: Gpu): Promise<void> {
  for (const e of input.examples) {
    for (const v of e.volumes) {
      // NOTE: the 0/1 volume at 0.5, not the volume at its Otsu threshold: the ray-marcher interpolates, so a
      // hard 0/255 truth (Otsu threshold 1/512) was drawn most of a voxel fatter than the voxels scored
      const view = { orbit: DEFAULT_ORBIT, threshold: 0.5, color: v.truth ? TRUTH_COLOR : PRED_COLOR };
      const data = await raymarch(g, Float32Array.from(binarize(v.volume)), v.side, view, SURFACE_PX, SURFACE_PX);
      e.surfaces.push({ caption: `${v.label} 3D`, image: { width: SURFACE_PX, height: SURFACE_PX, data } });
    }
    e.volumes = [];
  }
}
