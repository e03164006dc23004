// A deterministic grocery catalog for the demo backend and tests: a few hundred products,
// generated from these lists (no randomness, so every run and every test sees the same shelf).

export interface DemoProduct {
  id: string;
  name: string;
  brand: string;
  category: string;
  tags: string[];
  price: number;
}

interface Shelf {
  category: string;
  items: string[];
  brands: string[];
  tags: string[][];
  basePrice: number;
}

const SHELVES: Shelf[] = [
  { category: 'dairy', items: ['Whole Milk', 'Oat Drink', 'Greek Yogurt', 'Cheddar', 'Butter', 'Soy Drink', 'Almond Drink', 'Skyr'], brands: ['Oatly', 'Arla', 'Alpro', 'Valio', 'Lurpak'], tags: [['dairy', 'vegetarian'], ['vegan', 'lactose-free'], ['dairy', 'vegetarian'], ['dairy', 'vegetarian'], ['dairy'], ['vegan'], ['vegan', 'lactose-free'], ['dairy', 'vegetarian', 'gluten-free']], basePrice: 1.4 },
  { category: 'bakery', items: ['Sourdough Loaf', 'Rye Bread', 'Croissant', 'Bagel', 'Gluten-Free Bread', 'Baguette'], brands: ['Fazer', 'Oululainen', 'Bonne Maman', 'Schär'], tags: [['vegan', 'gluten'], ['vegan', 'rye'], ['vegetarian', 'dairy', 'gluten'], ['vegan', 'gluten'], ['gluten-free', 'vegan'], ['vegan', 'gluten']], basePrice: 2.1 },
  { category: 'produce', items: ['Bananas', 'Apples', 'Avocado', 'Tomatoes', 'Spinach', 'Carrots', 'Blueberries', 'Potatoes'], brands: ['Chiquita', 'Dole', 'Local Farm', 'Organic Valley'], tags: [['vegan'], ['vegan'], ['vegan'], ['vegan'], ['vegan'], ['vegan'], ['vegan'], ['vegan']], basePrice: 1.2 },
  { category: 'meat', items: ['Chicken Breast', 'Beef Mince', 'Pork Sausages', 'Salmon Fillet', 'Turkey Slices', 'Lamb Chops'], brands: ['HKScan', 'Atria', 'Snellman', 'Halal Choice'], tags: [['meat', 'chicken'], ['meat', 'beef'], ['meat', 'pork'], ['fish'], ['meat', 'poultry'], ['meat']], basePrice: 5.5 },
  { category: 'beverages', items: ['Orange Juice', 'Sparkling Water', 'Cold Brew Coffee', 'Green Tea', 'Cola', 'Kombucha'], brands: ['Tropicana', 'San Pellegrino', 'Paulig', 'Lipton', 'Coca-Cola'], tags: [['vegan'], ['vegan'], ['vegan'], ['vegan'], ['vegan'], ['vegan']], basePrice: 1.8 },
  { category: 'snacks', items: ['Potato Chips', 'Dark Chocolate', 'Granola Bar', 'Salted Peanuts', 'Rice Crackers', 'Gummy Bears'], brands: ['Taffel', 'Fazer', 'Nature Valley', 'Estrella', 'Haribo'], tags: [['vegan', 'gluten-free'], ['vegan'], ['vegetarian', 'gluten'], ['vegan', 'gluten-free'], ['vegan', 'gluten-free'], ['gelatin']], basePrice: 2.4 },
  { category: 'pantry', items: ['Pasta', 'Basmati Rice', 'Chickpeas', 'Olive Oil', 'Peanut Butter', 'Oat Flakes', 'Tomato Sauce'], brands: ['Barilla', 'Tilda', 'Heinz', 'Felix', 'Myllyn Paras'], tags: [['vegan', 'gluten'], ['vegan', 'gluten-free'], ['vegan', 'gluten-free'], ['vegan', 'gluten-free'], ['vegan'], ['vegan'], ['vegan']], basePrice: 1.9 },
  { category: 'frozen', items: ['Frozen Peas', 'Fish Fingers', 'Veggie Burgers', 'Ice Cream', 'Frozen Pizza'], brands: ['Findus', 'Iglo', 'Beyond Meat', "Ben & Jerry's"], tags: [['vegan'], ['fish', 'gluten'], ['vegan'], ['dairy', 'vegetarian'], ['vegetarian', 'gluten', 'dairy']], basePrice: 3.2 },
];

const SIZES = ['', ' 500 g', ' 1 kg', ' Family Pack'];

function buildCatalog(): DemoProduct[] {
  const products: DemoProduct[] = [];
  let n = 0;
  for (const shelf of SHELVES) {
    shelf.items.forEach((item, i) => {
      shelf.brands.forEach((brand, b) => {
        for (let s = 0; s < 2; s++) {
          n += 1;
          const size = SIZES[(i + b + s) % SIZES.length]!;
          products.push({
            id: `sku-${String(n).padStart(4, '0')}`,
            name: `${brand} ${item}${size}`,
            brand,
            category: shelf.category,
            tags: shelf.tags[i] ?? [],
            price: Math.round((shelf.basePrice * (1 + ((i * 7 + b * 3 + s * 5) % 9) / 10)) * 100) / 100,
          });
        }
      });
    });
  }
  return products;
}

export const DEMO_CATALOG: readonly DemoProduct[] = buildCatalog();
