// Validation-driven schedules: early stopping and learning-rate reduction on plateau. Plain state, so a
// checkpoint stores them and a resumed run continues exactly where it stopped.

export interface PlateauState {
  best: number; // best validation loss so far
  bestEpoch: number;
  badEpochs: number; // epochs since the best (early stopping)
  lrBadEpochs: number; // epochs since the best or the last reduction (learning rate)
  lr: number;
}

export function initialPlateau(lr: number): PlateauState {
  return { best: Infinity, bestEpoch: -1, badEpochs: 0, lrBadEpochs: 0, lr };
}

export interface PlateauDecision {
  improved: boolean; // keep this epoch's weights as the best
  stop: boolean; // early stopping triggered
  lrReduced: boolean;
}

/** Updates the state with an epoch's validation loss (mutates `s`). */
export function plateauStep(
  s: PlateauState,
  epoch: number,
  valLoss: number,
  o: { patience: number; lrPatience: number; lrFactor: number; minLr: number },
): PlateauDecision {
  // NOTE: a NaN validation loss never counts as an improvement.
  const improved = valLoss < s.best;
  let lrReduced = false;
  if (improved) {
    s.best = valLoss;
    s.bestEpoch = epoch;
    s.badEpochs = 0;
    s.lrBadEpochs = 0;
  } else {
    s.badEpochs++;
    s.lrBadEpochs++;
    if (s.lrBadEpochs >= o.lrPatience && s.lr > o.minLr) {
      s.lr = Math.max(o.minLr, s.lr * o.lrFactor);
      s.lrBadEpochs = 0;
      lrReduced = true;
    }
  }
  return { improved, stop: s.badEpochs >= o.patience, lrReduced };
}
