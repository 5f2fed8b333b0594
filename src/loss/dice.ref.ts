// Plain-TS reference for the soft Dice loss (float64).

function sums(p: ArrayLike<number>, g: ArrayLike<number>) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < p.length; i++) {
    tp += p[i] * g[i];
    fp += p[i] * (1 - g[i]);
    fn += (1 - p[i]) * g[i];
  }
  return { tp, fp, fn };
}

/** 1 − 2·prec·rec/(prec+rec+1e-8), prec = (TP+1)/(TP+FP+1), rec = (TP+1)/(TP+FN+1). */
export function diceLossRef(p: ArrayLike<number>, g: ArrayLike<number>): number {
  const { tp, fp, fn } = sums(p, g);
  const prec = (tp + 1) / (tp + fp + 1);
  const rec = (tp + 1) / (tp + fn + 1);
  return 1 - (2 * prec * rec) / (prec + rec + 1e-8);
}

/** d diceLoss / d p (analytic, via the chain rule through prec and rec). */
export function diceLossGradRef(p: ArrayLike<number>, g: ArrayLike<number>): Float32Array {
  const { tp, fp, fn } = sums(p, g);
  const P1 = tp + fp + 1;
  const G1 = tp + fn + 1;
  const prec = (tp + 1) / P1;
  const rec = (tp + 1) / G1;
  const s = prec + rec + 1e-8;
  const dPrec = (2 * rec * (rec + 1e-8)) / (s * s);
  const dRec = (2 * prec * (prec + 1e-8)) / (s * s);
  const out = new Float32Array(p.length);
  for (let i = 0; i < p.length; i++) out[i] = -(dPrec * (g[i] / P1 - prec / P1) + (dRec * g[i]) / G1);
  return out;
}
