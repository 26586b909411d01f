import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../storage/kv.ts';
import { codeOf, rejectedWith } from '../testing/expect-code.ts';
import { PAGE_INVOICES_KEY, PAGE_INVOICE_LIMITS, PageInvoices } from './page-invoices.ts';

const SHOP = 'https://shop.example';
const OTHER = 'https://other.example';
const HOUR = 3600_000;
const DAY = 24 * HOUR;

let clock: number;
let store: MemoryStore;
let invoices: PageInvoices;
let made: number;
let issues: string[];

beforeEach(() => {
  clock = Date.UTC(2025, 0, 1);
  store = new MemoryStore();
  issues = [];
  invoices = new PageInvoices({ store, now: () => clock, onIssue: (i) => issues.push(i) });
  made = 0;
});

const hashOf = (n: number) => n.toString(16).padStart(64, '0');
/** An invoice the "node" makes, expiring an hour from now by default. */
function make(expiresInMs = HOUR) {
  return async () => ({ paymentHash: hashOf(++made), paymentRequest: `lnbc${made}`, expiresAt: Math.floor((clock + expiresInMs) / 1000) });
}
/** Within the rate: one creation every 3 s is 20 a minute. */
async function createSpaced(origin: string, n: number) {
  const hashes: string[] = [];
  for (let i = 0; i < n; i++) {
    hashes.push((await invoices.create(origin, make())).paymentHash);
    clock += 3_000;
  }
  return hashes;
}
const stored = async () => (await store.get<{ records: Array<{ hash: string; origin: string }> }>(PAGE_INVOICES_KEY))?.records ?? [];

describe('PageInvoices: ownership', () => {
  it('a site owns the invoices it made; another site, or an invoice never made for a page, has no owner to claim', async () => {
    const inv = await invoices.create(SHOP, make());
    expect(inv.paymentRequest).toBe('lnbc1');
    expect(await invoices.ownerOf(inv.paymentHash)).toBe(SHOP);
    await invoices.create(OTHER, make());
    expect(await invoices.ownerOf(hashOf(2))).toBe(OTHER);
    expect(await invoices.ownerOf(hashOf(99))).toBeUndefined();
  });

  it('ownership is the exact origin, even where limits are shared by the whole site', async () => {
    await invoices.create('https://a1.shop.example', make());
    expect(await invoices.ownerOf(hashOf(1))).toBe('https://a1.shop.example');
  });

  it('an unreadable index is reported and owns nothing (refused, never misattributed)', async () => {
    await store.set({ [PAGE_INVOICES_KEY]: { schemaVersion: 1, records: [{ hash: hashOf(1), origin: 42 }] } });
    expect(await invoices.ownerOf(hashOf(1))).toBeUndefined();
    expect(issues[0]).toMatch(/webln\.invoices unreadable/);
  });
});

describe('PageInvoices: rate limit per site', () => {
  it('the 21st invoice in a minute is refused with RATE_LIMITED, before the node is asked', async () => {
    for (let i = 0; i < PAGE_INVOICE_LIMITS.perMinute; i++) await invoices.create(SHOP, make());
    const refused = await rejectedWith(invoices.create(SHOP, make()));
    expect(refused.code).toBe('RATE_LIMITED');
    expect(refused.message).toBe('page-invoices: too many invoices in a minute, from=shop.example');
    expect(refused.details).toEqual({ retryAfterMs: 60_000 });
    expect(made).toBe(20);
    clock += 60_000;
    expect(await codeOf(invoices.create(SHOP, make()))).toBe('no error');
  });

  it('subdomains share their site’s limit; another site is unaffected', async () => {
    for (let i = 0; i < PAGE_INVOICE_LIMITS.perMinute; i++) await invoices.create(`https://a${i}.shop.example`, make());
    expect(await codeOf(invoices.create('https://fresh.shop.example', make()))).toBe('RATE_LIMITED');
    expect(await codeOf(invoices.create(OTHER, make()))).toBe('no error');
  });

  it('calls in one tick cannot slip past the count; failed creations count too', async () => {
    const results = await Promise.all(Array.from({ length: 25 }, () => codeOf(invoices.create(SHOP, make()))));
    expect(results.filter((c) => c === 'no error')).toHaveLength(20);
    expect(results.filter((c) => c === 'RATE_LIMITED')).toHaveLength(5);
    expect(await stored()).toHaveLength(20);
    clock += 60_000;
    const failing = async () => {
      throw new Error('node down');
    };
    for (let i = 0; i < 20; i++) await expect(invoices.create(OTHER, failing)).rejects.toThrow('node down');
    expect(await codeOf(invoices.create(OTHER, make()))).toBe('RATE_LIMITED');
  });
});

describe('PageInvoices: storage stays bounded', () => {
  it('a site looping on makeInvoice keeps at most 100 records: its oldest go, other sites keep theirs', async () => {
    const [otherHash] = await createSpaced(OTHER, 1);
    const hashes = await createSpaced(SHOP, PAGE_INVOICE_LIMITS.perSite + 50);
    const records = await stored();
    expect(records.filter((r) => r.origin === SHOP)).toHaveLength(PAGE_INVOICE_LIMITS.perSite);
    expect(await invoices.ownerOf(hashes[49]!)).toBeUndefined();
    expect(await invoices.ownerOf(hashes[50]!)).toBe(SHOP);
    expect(await invoices.ownerOf(hashes.at(-1)!)).toBe(SHOP);
    expect(await invoices.ownerOf(otherHash!)).toBe(OTHER);
  });

  it('the per-site cap counts the registrable domain, not the origin', async () => {
    for (let i = 0; i <= PAGE_INVOICE_LIMITS.perSite; i++) {
      await invoices.create(`https://a${i}.shop.example`, make());
      clock += 3_000;
    }
    expect(await stored()).toHaveLength(PAGE_INVOICE_LIMITS.perSite);
    expect(await invoices.ownerOf(hashOf(1))).toBeUndefined();
  });

  it('over the total, the oldest record of the site holding the most goes', async () => {
    const seeded = [
      ...Array.from({ length: 100 }, (_, i) => ({ hash: `heavy${i}`, origin: 'https://heavy.example' })),
      ...Array.from({ length: 900 }, (_, i) => ({ hash: `light${i}`, origin: `https://light${i % 18}.example` })),
    ].map((r) => ({ ...r, keepUntil: clock + DAY }));
    await store.set({ [PAGE_INVOICES_KEY]: { schemaVersion: 1, records: seeded } });
    await invoices.create('https://new.example', make());
    const records = await stored();
    expect(records).toHaveLength(PAGE_INVOICE_LIMITS.total);
    expect(await invoices.ownerOf('heavy0')).toBeUndefined();
    expect(await invoices.ownerOf('heavy1')).toBe('https://heavy.example');
    expect(records.filter((r) => r.hash.startsWith('light'))).toHaveLength(900);
    expect(await invoices.ownerOf(hashOf(1))).toBe('https://new.example');
  });
});

describe('PageInvoices: expiry', () => {
  it('a record lives until its invoice expires plus a day, then prune() removes it', async () => {
    await invoices.create(SHOP, make(HOUR));
    await invoices.create(OTHER, make(3 * DAY));
    clock += HOUR + DAY - 1_000;
    expect(await invoices.ownerOf(hashOf(1))).toBe(SHOP);
    clock += 1_000;
    expect(await invoices.ownerOf(hashOf(1))).toBeUndefined();
    await invoices.prune();
    expect((await stored()).map((r) => r.hash)).toEqual([hashOf(2)]);
  });

  it('never longer than 7 days, whatever expiry the node chose', async () => {
    await invoices.create(SHOP, make(365 * DAY));
    clock += 7 * DAY - 1;
    expect(await invoices.ownerOf(hashOf(1))).toBe(SHOP);
    clock += 1;
    expect(await invoices.ownerOf(hashOf(1))).toBeUndefined();
  });

  it('every write drops the expired, so a quiet site’s records do not wait for prune()', async () => {
    await invoices.create(SHOP, make(HOUR));
    clock += HOUR + DAY;
    await invoices.create(OTHER, make());
    expect((await stored()).map((r) => r.origin)).toEqual([OTHER]);
  });
});

describe('PageInvoices: keys of the previous version (webln.invoice:<hash>)', () => {
  it('young ones stay readable (7 days from creation), old and broken ones go; every legacy key is deleted', async () => {
    await store.set({
      'webln.invoice:fresh': { origin: SHOP, createdAt: clock - DAY },
      'webln.invoice:stale': { origin: SHOP, createdAt: clock - 8 * DAY },
      'webln.invoice:broken': { origin: 7 },
      'ledger:meta': { schemaVersion: 1, chunks: 0 },
    });
    await invoices.migrateLegacy(['webln.invoice:fresh', 'webln.invoice:stale', 'webln.invoice:broken', 'ledger:meta', 'webln.invoices']);
    expect(await invoices.ownerOf('fresh')).toBe(SHOP);
    expect(await invoices.ownerOf('stale')).toBeUndefined();
    expect(await store.getMany(['webln.invoice:fresh', 'webln.invoice:stale', 'webln.invoice:broken'])).toEqual({});
    expect(await store.get('ledger:meta')).toEqual({ schemaVersion: 1, chunks: 0 });
    clock += 6 * DAY;
    expect(await invoices.ownerOf('fresh')).toBeUndefined();
  });

  it('a legacy flood is folded in under the same caps, oldest dropped first', async () => {
    const keys = Array.from({ length: 300 }, (_, i) => `webln.invoice:old${i}`);
    await store.set(Object.fromEntries(keys.map((k, i) => [k, { origin: SHOP, createdAt: clock - DAY + i }])));
    await invoices.create(SHOP, make());
    await invoices.migrateLegacy(keys);
    const records = await stored();
    expect(records).toHaveLength(PAGE_INVOICE_LIMITS.perSite);
    expect(await invoices.ownerOf(hashOf(1))).toBe(SHOP);
    expect(await invoices.ownerOf('old299')).toBe(SHOP);
    expect(await invoices.ownerOf('old200')).toBeUndefined();
    expect(Object.keys(await store.getMany(keys))).toHaveLength(0);
  });
});
