// L2-regularized logistic regression fitted by Newton's method (iteratively reweighted least
// squares): a few dozen features and up to a few hundred thousand rows converge in ~10 steps,
// with no learning rate to tune and the same answer for the same rows (no randomness).

export interface LogisticFit {
  weights: number[];
  bias: number;
  /** Mean log loss on the training rows after the last step. */
  logLoss: number;
}

export interface LogisticOptions {
  /** L2 penalty on the weights (not the bias), per row. */
  l2: number;
  /** Newton steps; fixed, so a run is reproducible. */
  iterations: number;
}

/** Solves A·x = b for a symmetric positive definite A (Gaussian elimination with pivoting). */
export function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    const d = m[c]![c]!;
    if (Math.abs(d) < 1e-12) continue;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / d;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => (Math.abs(row[i]!) < 1e-12 ? 0 : row[n]! / row[i]!));
}

/** Fits on rows `x` (row-major, `width` features each, already standardized) and labels `y` (0/1). */
export function fitLogistic(x: Float64Array, y: Uint8Array, width: number, options: LogisticOptions): LogisticFit {
  const rows = y.length;
  const d = width + 1; // the last coefficient is the bias
  const beta = new Array<number>(d).fill(0);
  const positives = y.reduce((s, v) => s + v, 0);
  beta[width] = Math.log(Math.max(1, positives) / Math.max(1, rows - positives));
  const lambda = options.l2 * rows;
  let logLoss = 0;
  for (let step = 0; step < options.iterations; step++) {
    const grad = new Array<number>(d).fill(0);
    const hess = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    logLoss = 0;
    for (let r = 0; r < rows; r++) {
      const o = r * width;
      let z = beta[width]!;
      for (let j = 0; j < width; j++) z += beta[j]! * x[o + j]!;
      const p = 1 / (1 + Math.exp(-z));
      const label = y[r]!;
      logLoss -= label ? Math.log(Math.max(p, 1e-15)) : Math.log(Math.max(1 - p, 1e-15));
      const e = p - label;
      const w = Math.max(p * (1 - p), 1e-9);
      for (let j = 0; j < width; j++) {
        const xj = x[o + j]!;
        grad[j]! += e * xj;
        const hj = hess[j]!;
        const wx = w * xj;
        for (let k = 0; k <= j; k++) hj[k]! += wx * x[o + k]!;
        hess[width]![j]! += wx;
      }
      grad[width]! += e;
      hess[width]![width]! += w;
    }
    for (let j = 0; j < d; j++) for (let k = j + 1; k < d; k++) hess[j]![k] = hess[k]![j]!;
    for (let j = 0; j < width; j++) {
      grad[j]! += lambda * beta[j]!;
      hess[j]![j]! += lambda;
    }
    const delta = solve(hess, grad);
    for (let j = 0; j < d; j++) beta[j]! -= delta[j]!;
  }
  return { weights: beta.slice(0, width), bias: beta[width]!, logLoss: logLoss / Math.max(1, rows) };
}
