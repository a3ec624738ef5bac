// The demo catalog: products a fresh database gets when SEAM_DEMO_DATA is true,
// so a newcomer sees a shop at once. Ids and timestamps derive from the sku and
// the list position, so every environment shows the same products, in the same
// order, under the same ids.
import { createHash } from 'node:crypto';
import type { CreateProduct } from '@seam/catalog-contract';
import type { Database, Logger } from '@seam/platform';
import { products } from './schema.js';

type DemoProduct = Required<CreateProduct>;

/** DEMO_PRODUCTS lists the demo catalog in listing order (oldest first). */
export const DEMO_PRODUCTS: readonly DemoProduct[] = [
  {
    sku: 'COF-GRN-001',
    name: 'Conical Burr Espresso Grinder',
    description: 'Stepless grind adjustment with 54 mm steel burrs; from Turkish to French press.',
    price: { amount: 24900, currency: 'EUR' },
    category: 'coffee',
  },
  {
    sku: 'COF-KTL-001',
    name: 'Gooseneck Pour-Over Kettle 1 L',
    description: 'Electric kettle with a precision spout and temperature hold from 40 to 100 °C.',
    price: { amount: 6990, currency: 'EUR' },
    category: 'coffee',
  },
  {
    sku: 'COF-BNS-001',
    name: 'Ethiopia Yirgacheffe Whole Beans 250 g',
    description: 'Washed single origin, light roast; notes of jasmine, bergamot and lemon.',
    price: { amount: 1450, currency: 'EUR' },
    category: 'coffee',
  },
  {
    sku: 'COF-DRP-001',
    name: 'Ceramic Pour-Over Dripper',
    description: 'Spiral-ribbed cone for size 02 filters, glazed porcelain, dishwasher safe.',
    price: { amount: 2490, currency: 'EUR' },
    category: 'coffee',
  },
  {
    sku: 'COF-SCL-001',
    name: 'Coffee Scale with Timer',
    description: 'Weighs to 0.1 g up to 2 kg with a built-in brew timer; USB-C rechargeable.',
    price: { amount: 3990, currency: 'USD' },
    category: 'coffee',
  },
  {
    sku: 'KIT-KNF-001',
    name: "Chef's Knife 21 cm",
    description: 'Forged from a single piece of stainless steel, full tang, olive wood handle.',
    price: { amount: 14900, currency: 'EUR' },
    category: 'kitchen',
  },
  {
    sku: 'KIT-PAN-001',
    name: 'Cast Iron Skillet 26 cm',
    description: 'Pre-seasoned, oven safe and induction ready; it only gets better with age.',
    price: { amount: 4999, currency: 'USD' },
    category: 'kitchen',
  },
  {
    sku: 'KIT-BRD-001',
    name: 'End-Grain Walnut Cutting Board',
    description: 'Kind to knife edges; 45 x 30 cm with a juice groove and rubber feet.',
    price: { amount: 8900, currency: 'USD' },
    category: 'kitchen',
  },
  {
    sku: 'KIT-DOV-001',
    name: 'Enamelled Dutch Oven 5.5 L',
    description: 'Cast iron with a chip-resistant enamel; for bread, braises and stews.',
    price: { amount: 17900, currency: 'EUR' },
    category: 'kitchen',
  },
  {
    sku: 'AUD-HPH-001',
    name: 'Wireless Noise-Cancelling Headphones',
    description: 'Adaptive noise cancelling, 30 hours of battery and multipoint Bluetooth 5.3.',
    price: { amount: 29900, currency: 'USD' },
    category: 'audio',
  },
  {
    sku: 'AUD-SPK-001',
    name: 'Portable Bluetooth Speaker',
    description: 'Waterproof (IP67), 12 hours of play time, pairs with a second speaker.',
    price: { amount: 8999, currency: 'USD' },
    category: 'audio',
  },
  {
    sku: 'AUD-TTB-001',
    name: 'Belt-Drive Turntable',
    description: 'Two speeds, carbon tonearm, built-in switchable phono preamp.',
    price: { amount: 34900, currency: 'EUR' },
    category: 'audio',
  },
  {
    sku: 'AUD-EAR-001',
    name: 'True Wireless Earbuds',
    description: 'Six sizes of ear tips, wireless charging case, 8 hours per charge.',
    price: { amount: 12900, currency: 'GBP' },
    category: 'audio',
  },
  {
    sku: 'BOK-DDIA-001',
    name: 'Designing Data-Intensive Applications',
    description:
      'Martin Kleppmann on the ideas behind reliable, scalable and maintainable systems.',
    price: { amount: 4499, currency: 'USD' },
    category: 'books',
  },
  {
    sku: 'BOK-PRAG-001',
    name: 'The Pragmatic Programmer, 20th Anniversary Edition',
    description: 'David Thomas and Andrew Hunt; your journey to mastery, revised.',
    price: { amount: 3999, currency: 'USD' },
    category: 'books',
  },
  {
    sku: 'BOK-COOK-001',
    name: 'Salt, Fat, Acid, Heat',
    description: 'Samin Nosrat on the four elements of good cooking, illustrated.',
    price: { amount: 2800, currency: 'EUR' },
    category: 'books',
  },
  {
    sku: 'BOK-ALPS-001',
    name: 'A Field Guide to the Alps',
    description: 'Flora, fauna and 60 day hikes from Chamonix to the Julian Alps.',
    price: { amount: 2450, currency: 'CHF' },
    category: 'books',
  },
  {
    sku: 'OUT-TNT-001',
    name: 'Two-Person Backpacking Tent',
    description: 'Freestanding, 1.6 kg packed, two doors and vestibules, fully taped seams.',
    price: { amount: 38900, currency: 'EUR' },
    category: 'outdoor',
  },
  {
    sku: 'OUT-BAG-001',
    name: 'Down Sleeping Bag -5 °C',
    description: '700 fill power responsibly sourced down, 950 g, with a compression sack.',
    price: { amount: 27900, currency: 'EUR' },
    category: 'outdoor',
  },
  {
    sku: 'OUT-BTL-001',
    name: 'Insulated Steel Bottle 750 ml',
    description: 'Keeps drinks cold for 24 hours or hot for 12; leak-proof lid.',
    price: { amount: 3490, currency: 'USD' },
    category: 'outdoor',
  },
  {
    sku: 'OUT-LMP-001',
    name: 'Rechargeable Headlamp 400 lm',
    description: 'Red night mode, lock-out switch, 60 hours on its lowest setting.',
    price: { amount: 4490, currency: 'USD' },
    category: 'outdoor',
  },
  {
    sku: 'APP-SCK-001',
    name: '100% Merino Wool Hiking Socks',
    description: 'Cushioned sole, seamless toe; two pairs per pack.',
    price: { amount: 1990, currency: 'EUR' },
    category: 'apparel',
  },
  {
    sku: 'APP-JKT-001',
    name: 'Waterproof Shell Jacket',
    description: 'Three-layer breathable membrane, pit zips and a helmet-compatible hood.',
    price: { amount: 24900, currency: 'USD' },
    category: 'apparel',
  },
  {
    sku: 'APP-TEE-001',
    name: 'Organic Cotton T-Shirt',
    description: 'Heavyweight 220 g/m² jersey, garment-dyed, regular fit.',
    price: { amount: 2900, currency: 'EUR' },
    category: 'apparel',
  },
  {
    sku: 'APP-CAP-001',
    name: 'Wool Flat Cap',
    description: 'Donegal tweed woven in Ireland, quilted lining.',
    price: { amount: 3500, currency: 'GBP' },
    category: 'apparel',
  },
  {
    sku: 'OFF-DSK-001',
    name: 'Electric Standing Desk 160 x 80 cm',
    description: 'Dual motors, 65 to 130 cm, four memory presets, bamboo top.',
    price: { amount: 54900, currency: 'EUR' },
    category: 'home-office',
  },
  {
    sku: 'OFF-CHR-001',
    name: 'Ergonomic Mesh Office Chair',
    description: 'Adjustable lumbar support, 4D armrests and a synchro tilt mechanism.',
    price: { amount: 44900, currency: 'USD' },
    category: 'home-office',
  },
  {
    sku: 'OFF-LMP-001',
    name: 'LED Desk Lamp with Wireless Charger',
    description: 'Dimmable, colour temperature from 2700 to 6500 K, Qi charging pad in the base.',
    price: { amount: 7990, currency: 'EUR' },
    category: 'home-office',
  },
  {
    sku: 'OFF-KBD-001',
    name: 'Mechanical Keyboard, Tenkeyless',
    description: 'Hot-swappable tactile switches, PBT keycaps, USB-C and Bluetooth.',
    price: { amount: 13900, currency: 'USD' },
    category: 'home-office',
  },
  {
    sku: 'OFF-NTB-001',
    name: 'Dot-Grid Notebook A5, 3 Pack',
    description: 'Fountain-pen friendly 68 g/m² Tomoe River paper, lay-flat binding.',
    price: { amount: 2400, currency: 'JPY' },
    category: 'home-office',
  },
];

/** DEMO_EPOCH is the createdAt of the first demo product; each next one is an hour later. */
const DEMO_EPOCH = Date.UTC(2025, 0, 6, 9, 0, 0);
const HOUR_MS = 3_600_000;

/** DEMO_NAMESPACE is the UUID namespace of demo product ids (RFC 9562 version 5). */
const DEMO_NAMESPACE = Buffer.from('8d1c2a4e5b6f47a0b3c9d2e1f0a4b5c6', 'hex');

/** demoProductId is the fixed id of the demo product with `sku`. */
export function demoProductId(sku: string): string {
  const hash = createHash('sha1').update(DEMO_NAMESPACE).update(sku, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * seedDemoCatalog inserts the demo products when the catalog is empty and
 * returns how many it inserted. Replicas racing on one empty database insert
 * each product once: conflicts (on sku or id) are skipped.
 */
export async function seedDemoCatalog(db: Database, log: Logger): Promise<number> {
  const existing = await db.select({ id: products.id }).from(products).limit(1);
  if (existing.length > 0) return 0;
  const inserted = await db
    .insert(products)
    .values(
      DEMO_PRODUCTS.map((product, index) => {
        const createdAt = new Date(DEMO_EPOCH + index * HOUR_MS);
        return {
          id: demoProductId(product.sku),
          sku: product.sku,
          name: product.name,
          description: product.description,
          priceAmount: product.price.amount,
          priceCurrency: product.price.currency,
          category: product.category,
          createdAt,
          updatedAt: createdAt,
        };
      }),
    )
    .onConflictDoNothing()
    .returning({ id: products.id });
  log.info({ products: inserted.length }, 'seeded the demo catalog');
  return inserted.length;
}
