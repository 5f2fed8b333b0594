// Masks and 3D shapes are labels: foreground is a value above half of full scale, as in SHAPR's files
// (0/255 in uint8). Labels stored as small integers (0/1 in uint8, a 12-bit camera's 0/4095 in uint16)
// would read as empty, so a label whose largest value is at most half of full scale is read relative to
// that value: the same rule as the web page's masks (foreground above half the mask's largest value).
import { FULL_SCALE, type TiffVolume } from './tiff.ts';

/** What label data are divided by: their largest value if that is at most 0.5 (but not 0), else 1. */
export function labelScale(data: Float32Array): number {
  let max = 0;
  for (const x of data) if (x > max) max = x;
  return max > 0 && max <= 0.5 ? max : 1;
}

/**
 * Divides `v` in place by labelScale; returns its largest value as stored (e.g. "uint8 value 1 of 255") if
 * it was rescaled, else null.
 */
export function normaliseLabels(v: TiffVolume): string | null {
  const max = labelScale(v.data);
  if (max === 1) return null;
  for (let i = 0; i < v.data.length; i++) v.data[i] /= max;
  const full = FULL_SCALE[v.dtype];
  return v.dtype === 'float32' ? `float32 value ${max}` : `${v.dtype} value ${Math.round(max * full)} of ${full}`;
}

/** Reads label files through normaliseLabels and says, in one line, which of them it rescaled. */
export class FaintLabels {
  private files: string[] = [];
  private stored = '';
  /** `folder` names the files in the note (e.g. "mask"). */
  constructor(private readonly folder: string) {}
  /** normaliseLabels(v), remembering `file` (as the note should name it) if it was rescaled. */
  read(v: TiffVolume, file: string): void {
    const stored = normaliseLabels(v);
    if (stored !== null && this.files.push(file) === 1) this.stored = stored;
  }
  /** The note on the files rescaled so far, or null if none was. */
  note(): string | null {
    const [first] = this.files;
    if (this.files.length === 0) return null;
    if (this.files.length === 1) return `${first}: largest ${this.stored}, at or below half of full scale: read relative to it (foreground above half of it)`;
    return `${this.folder}: ${this.files.length} files have their largest value at or below half of full scale (e.g. ${first}: ${this.stored}): each is read relative to its largest value`;
  }
}
