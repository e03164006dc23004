import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

// Reads order history in the layout of the Instacart Market Basket Analysis data (one CSV per
// table, header row; see ../shared/data/grocery/README.md). Only the columns the evaluation uses.

export interface GroceryProduct {
  id: string;
  name: string;
  aisleId: string;
  aisle: string;
}

export interface GroceryOrder {
  id: string;
  userId: string;
  number: number;
  /** Days since the user's previous order; null for the first. */
  daysSincePrior: number | null;
  hour: number;
  products: string[];
}

export interface GroceryData {
  products: Map<string, GroceryProduct>;
  /** Prior orders per user, sorted by order number. */
  ordersByUser: Map<string, GroceryOrder[]>;
}

type Row = Record<string, string>;

function readCsv(dir: string, file: string): Row[] {
  return parse(readFileSync(join(dir, file)), { columns: true, skip_empty_lines: true }) as Row[];
}

export function loadGroceryData(dir: string): GroceryData {
  const aisles = new Map(readCsv(dir, 'aisles.csv').map((r) => [r.aisle_id!, r.aisle!]));
  const products = new Map<string, GroceryProduct>();
  for (const r of readCsv(dir, 'products.csv')) {
    products.set(r.product_id!, { id: r.product_id!, name: r.product_name!, aisleId: r.aisle_id!, aisle: aisles.get(r.aisle_id!) ?? r.aisle_id! });
  }
  const orders = new Map<string, GroceryOrder>();
  const ordersByUser = new Map<string, GroceryOrder[]>();
  for (const r of readCsv(dir, 'orders.csv')) {
    if (r.eval_set !== 'prior') continue; // test orders have no contents
    const days = r.days_since_prior_order === '' || r.days_since_prior_order === undefined ? null : Number(r.days_since_prior_order);
    const order: GroceryOrder = { id: r.order_id!, userId: r.user_id!, number: Number(r.order_number), daysSincePrior: days, hour: Number(r.order_hour_of_day) || 0, products: [] };
    orders.set(order.id, order);
    const list = ordersByUser.get(order.userId) ?? [];
    list.push(order);
    ordersByUser.set(order.userId, list);
  }
  // Lines in add-to-cart order, as the shopper filled the basket.
  const lines = readCsv(dir, 'order_products__prior.csv').sort((a, b) => Number(a.add_to_cart_order) - Number(b.add_to_cart_order));
  for (const r of lines) orders.get(r.order_id!)?.products.push(r.product_id!);
  for (const list of ordersByUser.values()) list.sort((a, b) => a.number - b.number);
  return { products, ordersByUser };
}
