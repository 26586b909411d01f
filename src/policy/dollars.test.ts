import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../storage/kv.ts';
import { codeOf } from '../testing/expect-code.ts';
import { microUsdToSat, satToMicroUsd, unitsToMicroUsd } from './amount.ts';
import { DEFAULT_GLOBAL, DEFAULT_SITE, migrateConfig } from './config.ts';
import { PolicyEngine, type SpendRequest, type Valuation } from './engine.ts';
import { migrateSpend } from './spend.ts';

/**
 * Budgets in dollars against payments valued at their own quote. The devnet's
 * rate: 1 BTC = 100,000 $, a 6-decimal USD asset → 10^11 units per BTC, so
 * 1 sat = 1,000 micro-dollars and 100 sat = $0.10.
 */
const SITE = 'https://shop.example';
const OTHER = 'https://other.example';
const NOON = Date.parse('2025-03-12T12:00:00Z');
const DEVNET = { coefficient: 100_000_000_000n, scale: 0 };
/** Twice the price of bitcoin: a sat is worth 2,000 micro-dollars. */
const DEARER = { coefficient: 2_000_000_000_000n, scale: 1 };

function setup() {
  const store = new MemoryStore();
  const make = () => new PolicyEngine({ store, now: () => NOON, timeZoneOffsetMinutes: () => 0 });
  return { store, engine: make(), make };
}

/** What the pipeline hands in for a BTC payment it valued: amount + fee limit at the quote, rounded up. */
function valuation(holdSat: number, rate = DEVNET, quoteId?: string): Valuation {
  const units = (BigInt(holdSat) * rate.coefficient + 10n ** BigInt(rate.scale + 8) - 1n) / 10n ** BigInt(rate.scale + 8);
  return { worstCaseUnits: units, rate, decimalDisplay: 6, ...(quoteId && { quoteId }) };
}

const pay = (amountSat: number, extra: Partial<SpendRequest> & { approvedByUser?: boolean } = {}) => ({
  origin: SITE,
  source: 'webln' as const,
  chosenBy: 'site' as const,
  amountSat,
  maxFeeSat: 10,
  approvedByUser: false,
  ...extra,
});
const valued = (amountSat: number, extra: Partial<SpendRequest> & { approvedByUser?: boolean } = {}, rate = DEVNET) =>
  pay(amountSat, { valuation: valuation(amountSat + 10, rate), ...extra });

describe('conversions', () => {
  it('1 sat is 1,000 micro-dollars at the devnet rate; value rounds up, what is left rounds down', () => {
    expect(satToMicroUsd(100, { ...DEVNET, decimalDisplay: 6 })).toBe(100_000);
    expect(satToMicroUsd(1, { coefficient: 1n, scale: 0, decimalDisplay: 6 })).toBe(1); // 10^-8 µ$ → 1
    expect(microUsdToSat(1_999, { ...DEVNET, decimalDisplay: 6 })).toBe(1);
    expect(satToMicroUsd(100, { ...DEARER, decimalDisplay: 6 })).toBe(200_000);
  });
  it('asset units of any decimals in micro-dollars: exact, or rounded up', () => {
    expect(unitsToMicroUsd(1_234n, 6)).toBe(1_234);
    expect(unitsToMicroUsd(5n, 2)).toBe(50_000);
    expect(unitsToMicroUsd(1_001n, 9)).toBe(2);
  });
});

describe('needsValuation', () => {
  it('is false while every budget is in sats', async () => {
    const { engine } = setup();
    await engine.upsertSite(SITE, { enabled: true });
    expect(await engine.needsValuation(SITE)).toBe(false);
  });
  it('a dollar allowance needs it for that site only; a dollar cap or ceiling for every site', async () => {
    const { engine } = setup();
    await engine.upsertSite(SITE, { enabled: true, allowance: { microUsd: 100_000 } });
    expect([await engine.needsValuation(SITE), await engine.needsValuation(OTHER)]).toEqual([true, false]);
    await engine.updateGlobal({ autoApprove: { microUsd: 1_000_000 } });
    expect(await engine.needsValuation(OTHER)).toBe(true);
    await engine.updateGlobal({ autoApprove: { sat: 1_000 }, dailyCap: { microUsd: 20_000_000 } });
    expect(await engine.needsValuation(OTHER)).toBe(true);
  });
  it('rejects a page-made origin', async () => {
    expect(await codeOf(setup().engine.needsValuation('javascript:alert(1)'))).toBe('INVALID_ORIGIN');
  });
});

describe('a dollar allowance against BTC payments', () => {
  it('$0.10 a day: 50 sat + 10 fee ($0.06) goes through, the next one is refused without a window', async () => {
    const { engine } = setup();
    await engine.upsertSite(SITE, { enabled: true, allowance: { microUsd: 100_000 } });
    expect((await engine.evaluate(valued(50))).decision).toBe('auto');
    const r = await engine.reserve(valued(50));
    expect(r.valued).toMatchObject({ units: '60000', microUsd: 60_000, rate: { coefficient: '100000000000', scale: 0, decimalDisplay: 6 } });
    expect(await engine.evaluate(valued(50))).toMatchObject({ decision: 'deny', reason: 'above_site_allowance', remainingSite: { microUsd: 40_000 }, remainingSiteSat: 40 });
    expect(await codeOf(engine.reserve(valued(50)))).toBe('BUDGET_EXCEEDED');
    await engine.commit(r.id, { amountSat: 50, feeSat: 2 });
    // The fee was 2, not 10: 52 sat at the quote is $0.052.
    expect(await engine.getSite(SITE)).toMatchObject({ spentSat: 52, heldSat: 0, spent: { microUsd: 52_000 }, remaining: { microUsd: 48_000 }, remainingSat: 48 });
  });
  it('above the ceiling the person is asked, and may approve past the allowance', async () => {
    const { engine } = setup();
    await engine.upsertSite(SITE, { enabled: true, allowance: { microUsd: 100_000 } });
    const big = valued(2_000);
    expect((await engine.evaluate(big)).reason).toBe('above_site_allowance');
    expect(await codeOf(engine.reserve(big))).toBe('BUDGET_EXCEEDED');
    expect((await engine.reserve({ ...big, approvedByUser: true })).valued?.microUsd).toBe(2_010_000);
  });
  it('without a valuation it is refused, also with approval: never paid unmeasured', async () => {
    const { engine } = setup();
    await engine.upsertSite(SITE, { enabled: true, allowance: { microUsd: 100_000 } });
    expect(await engine.evaluate(pay(1))).toMatchObject({ decision: 'deny', reason: 'valuation_missing', approvable: false });
    expect(await codeOf(engine.reserve(pay(1, { approvedByUser: true, chosenBy: 'person' })))).toBe('VALUATION_MISSING');
    expect(await engine.activeReservations()).toEqual([]);
  });
  it('a hold is never less than its sats at the quote, whatever worst case it was handed', async () => {
    const { engine } = setup();
    await engine.upsertSite(SITE, { enabled: true, allowance: { microUsd: 100_000 } });
    const r = await engine.reserve(pay(50, { valuation: { ...valuation(60), worstCaseUnits: 1n } }));
    expect(r.valued?.microUsd).toBe(60_000);
  });
  it('each payment counts at its own quote: a later, dearer quote does not re-value what was spent', async () => {
    const { engine } = setup();
    await engine.upsertSite(SITE, { enabled: true, allowance: { microUsd: 300_000 } });
    await engine.commit((await engine.reserve(valued(90))).id, { amountSat: 90, feeSat: 10 }); // $0.10
    const dear = valued(40, {}, DEARER); // (40 + 10) sat at 2,000 µ$ = $0.10
    expect(await engine.evaluate(dear)).toMatchObject({ decision: 'auto', remainingSite: { microUsd: 200_000 }, remainingSiteSat: 100 });
    await engine.commit((await engine.reserve(dear)).id, { amountSat: 40, feeSat: 10 });
    expect(await engine.getSite(SITE)).toMatchObject({ spentSat: 150, spent: { microUsd: 200_000 } });
  });
  it('spend from before the budget was in dollars counts at the quote of the payment judged', async () => {
    const { engine } = setup();
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 1_000 } });
    await engine.commit((await engine.reserve(pay(70))).id, { amountSat: 70, feeSat: 10 }); // 80 sat, never valued
    await engine.upsertSite(SITE, { allowance: { microUsd: 200_000 } });
    // Devnet quote: 80 sat = $0.08 spent, 60 sat hold = $0.06 → fits; dearer: $0.16 + $0.10 → over.
    expect((await engine.evaluate(valued(50))).decision).toBe('auto');
    expect((await engine.evaluate(valued(40, {}, DEARER))).reason).toBe('above_site_allowance');
  });
});

describe('a dollar daily cap and ceiling', () => {
  it('the cap holds across sites and no approval lifts it', async () => {
    const { engine } = setup();
    await engine.updateGlobal({ dailyCap: { microUsd: 500_000 } });
    for (const o of [SITE, OTHER]) await engine.upsertSite(o, { enabled: true, allowance: { sat: 100_000 } });
    await engine.reserve(valued(290, { approvedByUser: true })); // $0.30
    expect(await engine.dailyUsage()).toMatchObject({ cap: { microUsd: 500_000 }, heldSat: 300, held: { microUsd: 300_000 }, remaining: { microUsd: 200_000 }, remainingSat: 200 });
    const over = valued(200, { origin: OTHER, approvedByUser: true, chosenBy: 'person' }); // $0.21
    expect(await engine.evaluate(over)).toMatchObject({ decision: 'prompt', reason: 'daily_cap_exceeded', approvable: false });
    expect(await codeOf(engine.reserve(over))).toBe('DAILY_CAP_EXCEEDED');
  });
  it('a ceiling in dollars compares the amount (not the fee) at the quote', async () => {
    const { engine } = setup();
    await engine.updateGlobal({ autoApprove: { microUsd: 50_000 } });
    await engine.upsertSite(SITE, { enabled: true });
    expect((await engine.evaluate(valued(50))).decision).toBe('auto'); // $0.05
    expect((await engine.evaluate(valued(51, { chosenBy: 'person' }))).reason).toBe('above_auto_approve');
  });
  it('a sat cap counts a payment made in dollars by its sats', async () => {
    const { engine } = setup();
    await engine.updateGlobal({ dailyCap: { sat: 100 } });
    await engine.upsertSite(SITE, { enabled: true });
    const r = await engine.reserve(valued(50));
    await engine.commit(r.id, { amountSat: 50, feeSat: 1, units: 60_000n });
    expect(await engine.dailyUsage()).toMatchObject({ spentSat: 51, remaining: { sat: 49 } });
    expect((await engine.evaluate(valued(40))).reason).toBe('daily_cap_exceeded');
  });
});

describe('commit and release in both units', () => {
  it('an asset payment counts the units the node reports; a release frees both units', async () => {
    const { engine } = setup();
    await engine.upsertSite(SITE, { enabled: true, allowance: { microUsd: 1_000_000 } });
    const a = await engine.reserve(valued(100));
    await engine.commit(a.id, { amountSat: 100, feeSat: 3, units: 104_500n });
    const b = await engine.reserve(valued(200));
    expect(await engine.getSite(SITE)).toMatchObject({ spentSat: 103, heldSat: 210, spent: { microUsd: 104_500 }, held: { microUsd: 210_000 } });
    await engine.release(b.id);
    expect(await engine.getSite(SITE)).toMatchObject({ heldSat: 0, held: { microUsd: 0 }, remaining: { microUsd: 895_500 } });
  });
  it('a commit after a release still counts in dollars at the quote it was valued with', async () => {
    const { engine } = setup();
    await engine.upsertSite(SITE, { enabled: true, allowance: { microUsd: 1_000_000 } });
    const r = await engine.reserve(valued(100, {}, DEARER));
    await engine.release(r.id);
    await engine.commit(r.id, { amountSat: 100, feeSat: 0 });
    await engine.commit(r.id, { amountSat: 100, feeSat: 0 });
    expect(await engine.getSite(SITE)).toMatchObject({ spentSat: 100, spent: { microUsd: 200_000 } });
  });
  it('rejects negative units', async () => {
    const { engine } = setup();
    await engine.upsertSite(SITE, { enabled: true });
    const r = await engine.reserve(valued(10));
    expect(await codeOf(engine.commit(r.id, { amountSat: 10, feeSat: 0, units: -1n }))).toBe('INVALID_AMOUNT');
  });
});

describe('valuation checks', () => {
  const bad: Array<[string, Partial<Valuation>]> = [
    ['negative units', { worstCaseUnits: -1n }],
    ['units as a number', { worstCaseUnits: 5 as never }],
    ['zero rate', { rate: { coefficient: 0n, scale: 0 } }],
    ['huge scale', { rate: { coefficient: 1n, scale: 31 } }],
    ['too many decimals', { decimalDisplay: 13 }],
    ['quote id not hex', { quoteId: 'zz' }],
  ];
  for (const [name, change] of bad)
    it(`refuses ${name} before reading anything`, async () => {
      const { engine } = setup();
      expect(await codeOf(engine.evaluate(pay(10, { valuation: { ...valuation(20), ...change } })))).toBe('INVALID_REQUEST');
    });
});

describe('stored state from older versions', () => {
  const v2Site = { allowanceSat: 700, period: 'week', paused: false, enabled: true, remember: true, l402AutoPay: false, depositsAllowed: true, rewardAutoClaim: false, createdAt: 1 };
  const v2Global = { dailyCapSat: 5_000, autoApproveSat: 300, maxFee: { baseSat: 10, ppm: 10_000 } };
  it('config v2 → v3: each sat amount becomes an amount in sats', () => {
    const { config, issues } = migrateConfig({ schemaVersion: 2, global: v2Global, sites: { [SITE]: v2Site } });
    expect(issues).toEqual([]);
    expect(config.global).toEqual({ ...DEFAULT_GLOBAL, dailyCap: { sat: 5_000 }, autoApprove: { sat: 300 } });
    const { allowanceSat: _, ...rest } = v2Site;
    expect(config.sites[SITE]).toEqual({ ...rest, allowance: { sat: 700 } });
  });
  it('config v1 → v3: deposits opened, amounts in sats', () => {
    const { config } = migrateConfig({ schemaVersion: 1, global: v2Global, sites: { [SITE]: { ...v2Site, depositsAllowed: false } } });
    expect(config.sites[SITE]).toMatchObject({ allowance: { sat: 700 }, depositsAllowed: true });
  });
  it('config v2 with a broken amount: that field falls back and is reported', () => {
    const { config, issues } = migrateConfig({ schemaVersion: 2, global: { ...v2Global, autoApproveSat: -1 }, sites: {} });
    expect(config.global.autoApprove).toEqual(DEFAULT_GLOBAL.autoApprove);
    expect(issues).toEqual(['config.global.autoApprove: invalid; using default']);
  });
  it('a v3 config round-trips a dollar budget', async () => {
    const { engine, make } = setup();
    await engine.upsertSite(SITE, { enabled: true, allowance: { microUsd: 20_000_000 }, payIn: 'usd' });
    expect((await make().getSite(SITE))?.allowance).toEqual({ microUsd: 20_000_000 });
    await engine.upsertSite(SITE, { payIn: null });
    expect((await make().getSite(SITE))?.payIn).toBeUndefined();
    expect(DEFAULT_SITE.allowance).toEqual({ sat: 1_000 });
  });
  it('spend v3 → v4: old buckets are sats never valued in dollars', () => {
    const { state, issues } = migrateSpend({
      schemaVersion: 3,
      reservations: {},
      daily: { '2025-03-12': 120 },
      sites: { [SITE]: { '2025-03-12': 120 } },
      settled: [],
      forfeits: {},
      forfeitedSites: {},
    });
    expect(issues).toEqual([]);
    expect(state.daily).toEqual({ '2025-03-12': { sat: 120, microUsd: 0, unvaluedSat: 120 } });
    expect(state.sites[SITE]).toEqual({ '2025-03-12': { sat: 120, microUsd: 0, unvaluedSat: 120 } });
  });
  it('spend v1 → v4: kinds become sources, forfeits start empty, buckets become tallies', () => {
    const hold = { id: 'h', origin: SITE, kind: 'keysend', amountSat: 5, maxFeeSat: 1, approvedByUser: false, day: '2025-03-12', createdAt: 1 };
    const { state, issues } = migrateSpend({ schemaVersion: 1, reservations: { h: hold }, daily: { '2025-03-12': 9 }, sites: {}, settled: [] });
    expect(issues).toEqual([]);
    expect(state.reservations.h).toMatchObject({ source: 'webln', amountSat: 5 });
    expect(state.daily['2025-03-12']).toEqual({ sat: 9, microUsd: 0, unvaluedSat: 9 });
    expect(state.forfeits).toEqual({});
  });
  it('a stored v3 spend state is read and counted by a dollar budget at the quote judged', async () => {
    const { store, engine } = setup();
    await engine.upsertSite(SITE, { enabled: true, allowance: { microUsd: 100_000 } });
    await store.set({ 'policy:spend': { schemaVersion: 3, reservations: {}, daily: { '2025-03-12': 80 }, sites: { [SITE]: { '2025-03-12': 80 } }, settled: [], forfeits: {}, forfeitedSites: {} } });
    expect(await engine.evaluate(valued(20))).toMatchObject({ decision: 'deny', reason: 'above_site_allowance', remainingSite: { microUsd: 20_000 } });
  });
});
