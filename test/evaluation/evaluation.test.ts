import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEvaluationCli } from '../../src/evaluation/evaluation-cli.js';
import { loadGroceryData } from '../../src/evaluation/grocery-data.js';
import { replaceSection } from '../../src/evaluation/results-file.js';
import { scoreSet } from '../../src/evaluation/set-metrics.js';
import { splitShopper, tagsFromName } from '../../src/evaluation/shopper-history.js';

// A tiny order history in the Instacart layout, written here (the real data never enters the repo).
// User 1 buys milk (product 1) and bananas (3) every week; the crowd buys soda (2) and chips (4).
// Products 1, 2 and 5 are in the dairy aisle (10); 3 and 4 in produce/snacks (20).
let dir: string;

function write(name: string, rows: string[]): void {
  writeFileSync(join(dir, name), rows.join('\n') + '\n');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sidecart-eval-'));
  write('aisles.csv', ['aisle_id,aisle', '10,dairy', '20,snacks']);
  write('departments.csv', ['department_id,department', '1,all']);
  write('products.csv', [
    'product_id,product_name,aisle_id,department_id',
    '1,Organic Whole Milk,10,1',
    '2,"Soda, Cola",10,1',
    '3,Bananas,20,1',
    '4,Chips,20,1',
    '5,Butter,10,1',
  ]);
  const orders = ['order_id,user_id,eval_set,order_number,order_dow,order_hour_of_day,days_since_prior_order'];
  const lines = ['order_id,product_id,add_to_cart_order,reordered'];
  let orderId = 100;
  for (let n = 1; n <= 5; n++) {
    orders.push(`${++orderId},1,prior,${n},1,10,${n === 1 ? '' : '7.0'}`);
    lines.push(`${orderId},1,1,0`, `${orderId},3,2,0`);
  }
  orders.push(`${++orderId},1,test,6,1,10,7.0`);
  for (const user of [2, 3, 4]) {
    for (let n = 1; n <= 3; n++) {
      orders.push(`${++orderId},${user},prior,${n},1,10,${n === 1 ? '' : '10.0'}`);
      lines.push(`${orderId},2,1,0`, `${orderId},4,2,0`);
    }
  }
  write('orders.csv', orders);
  write('order_products__prior.csv', lines);
  write('order_products__train.csv', ['order_id,product_id,add_to_cart_order,reordered']);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('offline evaluation', () => {
  it('reads the layout, keeps prior orders only and splits off the last as the target', () => {
    const data = loadGroceryData(dir);
    expect(data.products.get('2')!.name).toBe('Soda, Cola');
    const orders = data.ordersByUser.get('1')!;
    expect(orders).toHaveLength(5);
    const split = splitShopper(data, '1', orders)!;
    expect(split.history).toHaveLength(4);
    expect(split.target.products).toEqual(['1', '3']);
    // Timeline: running sum of days_since_prior_order.
    expect((split.target.at - split.history[0]!.at) / 86_400_000).toBe(28);
    expect(split.history[0]!.items[0]).toMatchObject({ id: '1', category: 'dairy', tags: ['organic'] });
  });

  it('scores sets and tags names', () => {
    expect(scoreSet(['1', '2'], new Set(['1', '3', '4', '5']))).toEqual({ precision: 0.5, recall: 0.25, f1: 1 / 3, size: 2 });
    expect(scoreSet([], new Set(['1']))).toMatchObject({ f1: 0 });
    expect(tagsFromName('Gluten Free Vegan Bread')).toEqual(['gluten-free', 'vegan']);
  });

  it('beats the popularity baselines on the sample and writes the table into the results file', () => {
    const results = join(dir, 'RESULTS.md');
    writeFileSync(results, '# Benchmark results\n\n## Proxy throughput\n\nkept as is\n');
    const lines: string[] = [];
    const { result } = runEvaluationCli(['--data', dir, '--results', results], (l) => lines.push(l));
    expect(result.shoppers).toBe(4);
    expect(result.positions.backend.count).toBe(8);
    // User 1's staples are found by usual; the crowd's soda is not what user 1 buys.
    expect(result.sets.usual.f1).toBeGreaterThan(result.sets.popularUsual.f1);
    expect(result.sets.union.f1).toBeGreaterThan(result.sets.popularUnion.f1);
    // Milk is behind the popular soda in the dairy aisle; personalized puts it first.
    expect(result.positions.personalized.mean).toBeLessThan(result.positions.backend.mean);
    const file = readFileSync(results, 'utf8');
    expect(file).toContain('## Proxy throughput\n\nkept as is');
    expect(file).toContain('## Offline evaluation');
    expect(file).toContain('usual ∪ reorder ∪ complementary (sidecart, default features)');
    expect(lines.join('\n')).toContain('mean position');
  });

  it('replaces only its own section of the results file', () => {
    const before = '# R\n\n## A\n\na\n\n## Offline evaluation\n\nold\n\n## B\n\nb\n';
    const after = replaceSection(before, 'Offline evaluation', 'new');
    expect(after).toBe('# R\n\n## A\n\na\n\n## Offline evaluation\n\nnew\n\n## B\n\nb\n');
    expect(replaceSection('', 'X', 'x')).toBe('# Benchmark results\n\n## X\n\nx\n');
  });
});
