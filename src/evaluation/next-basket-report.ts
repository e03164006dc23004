import type { SetSummary } from './set-metrics.js';
import type { CvResult } from './next-basket-cv.js';
import { PAGE, type WindowRow } from './aisle-windows.js';

const f3 = (x: number) => x.toFixed(3);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function row(name: string, s: SetSummary): string {
  return `| ${name} | ${f3(s.precision)} | ${f3(s.recall)} | ${f3(s.f1)} | ${s.meanSize.toFixed(1)} |`;
}

export function formatNextBasket(cv: CvResult, seed: number): string {
  return [
    `(d) Next-basket model, ${cv.folds}-fold cross-validation by shopper (seed ${seed}): trained on the other folds' whole histories, predicting each held-out shopper's last basket`,
    '',
    '| list | precision | recall | F1 | mean size |',
    '| --- | ---: | ---: | ---: | ---: |',
    row('next-basket model (logistic regression, list size by expected F1)', cv.model),
    row("today's rules: usual ∪ reorder", cv.rules),
    row("reference: shopper's own most-bought, same size as the model's", cv.ownTopSameSize),
    row("popularity baseline: training folds' most popular, same size", cv.popularSameSize),
    '',
    `F1 per fold: ${cv.perFold.map(f3).join(', ')}.`,
  ].join('\n');
}

export function formatWindows(rows: readonly WindowRow[]): string {
  const backend = rows[0]!;
  return [
    `(e) Aisle searches with ${PAGE}-hit pages: only the top \`window\` hits of the backend's order are reranked (24 = the page alone); bought products on the first page and mean reciprocal rank`,
    '',
    '| order | top 10 | top 24 | MRR | top 10 vs backend |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.name} | ${pct(r.top10)} | ${pct(r.top24)} | ${f3(r.mrr)} | ${(r.top10 / Math.max(1e-9, backend.top10)).toFixed(2)}× |`),
  ].join('\n');
}
