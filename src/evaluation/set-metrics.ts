// Precision, recall and F1 of a predicted product list against what was bought, averaged per
// shopper. An empty prediction scores 0 for recall and F1 and is left out of the precision mean
// (precision of nothing is undefined); coverage says how many shoppers got a list at all.

export interface SetScore {
  precision: number;
  recall: number;
  f1: number;
  size: number;
}

export function scoreSet(predicted: readonly string[], actual: ReadonlySet<string>): SetScore {
  if (predicted.length === 0 || actual.size === 0) return { precision: 0, recall: 0, f1: 0, size: predicted.length };
  let hits = 0;
  for (const id of new Set(predicted)) if (actual.has(id)) hits += 1;
  const precision = hits / new Set(predicted).size;
  const recall = hits / actual.size;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, size: predicted.length };
}

export interface SetSummary {
  precision: number;
  recall: number;
  f1: number;
  coverage: number;
  meanSize: number;
}

export class SetAverager {
  private n = 0;
  private withList = 0;
  private p = 0;
  private r = 0;
  private f = 0;
  private size = 0;

  add(score: SetScore): void {
    this.n += 1;
    if (score.size > 0) {
      this.withList += 1;
      this.p += score.precision;
    }
    this.r += score.recall;
    this.f += score.f1;
    this.size += score.size;
  }

  summary(): SetSummary {
    const n = Math.max(1, this.n);
    return { precision: this.withList > 0 ? this.p / this.withList : 0, recall: this.r / n, f1: this.f / n, coverage: this.withList / n, meanSize: this.size / n };
  }
}
