import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../storage/kv.ts';
import { codeOf } from '../testing/expect-code.ts';
import { DEFAULT_GLOBAL, DEFAULT_SITE, feeLimitSat, migrateConfig } from './config.ts';
import { PolicyEngine, type SpendRequest, type PolicyReason } from './engine.ts';
import { SETTLED_GEN_SIZE, SETTLED_GENS } from './spend.ts';
import type { TimeZoneOffset } from './period.ts';
import { MAX_SATS } from '../base/sats.ts';

const SITE = 'https://example.com';
const OTHER = 'https://other.example';
const WEDNESDAY_NOON_UTC = Date.parse('2025-03-12T12:00:00Z');

function setup(opts: { at?: number; offset?: number | TimeZoneOffset } = {}) {
  const store = new MemoryStore();
  const clock = { t: opts.at ?? WEDNESDAY_NOON_UTC };
  const offset = opts.offset ?? 0;
  const issues: string[] = [];
  const make = () =>
    new PolicyEngine({
      store,
      now: () => clock.t,
      timeZoneOffsetMinutes: typeof offset === 'number' ? () => offset : offset,
      onIssue: (i) => issues.push(i),
    });
  return { store, clock, issues, engine: make(), make };
}

const pay = (amountSat: number, extra: Partial<SpendRequest> & { approvedByUser?: boolean } = {}) => ({
  origin: SITE,
  source: 'webln' as const,
  chosenBy: 'site' as const,
  grant: 'sendPayment' as const,
  amountSat,
  approvedByUser: false,
  ...extra,
});

describe('config', () => {
  it('starts from the documented defaults with no site', async () => {
    const { engine } = setup();
    expect(await engine.getConfig()).toEqual({ global: DEFAULT_GLOBAL, sites: {} });
    expect(DEFAULT_GLOBAL).toEqual({
      dailyCap: { sat: 10_000 },
      autoApprove: { sat: 1_000 },
      maxFee: { baseSat: 10, ppm: 10_000 },
      l402: { autoPay: true, overBudget: 'ask' },
      deposits: { autoHold: true, maxDepositSat: 100_000, maxForfeitPerDaySat: 100_000, maxLockedSat: 1_000_000, maxHoldSeconds: 86_400, maxCltv: 288 },
      payIn: 'btc',
      maxSlippagePpm: 10_000,
    });
  });
  it('updateGlobal persists across instances and merges', async () => {
    const { engine, make } = setup();
    expect(await engine.updateGlobal({ dailyCap: { sat: 500 } })).toEqual({ ...DEFAULT_GLOBAL, dailyCap: { sat: 500 } });
    await engine.updateGlobal({ autoApprove: { sat: 20 }, dailyCap: undefined });
    expect((await make().getConfig()).global).toEqual({ ...DEFAULT_GLOBAL, dailyCap: { sat: 500 }, autoApprove: { sat: 20 } });
  });
  const badGlobal: Array<[string, unknown]> = [
    ['negative cap', { dailyCapSat: -1 }],
    ['fractional ceiling', { autoApprove: { sat: 1.5 } }],
    ['cap above supply', { dailyCap: { sat: MAX_SATS + 1 } }],
    ['ppm above 100 %', { maxFee: { baseSat: 1, ppm: 1_000_001 } }],
    ['partial maxFee', { maxFee: { ppm: 5 } }],
    ['unknown key', { dailyCap: 5 }],
    ['string amount', { dailyCapSat: '5' }],
    ['slippage above 50 %', { maxSlippagePpm: 500_001 }],
    ['fractional slippage', { maxSlippagePpm: 0.5 }],
  ];
  for (const [name, patch] of badGlobal)
    it(`updateGlobal rejects ${name} and writes nothing`, async () => {
      const { engine } = setup();
      expect(await codeOf(engine.updateGlobal(patch as never))).toBe('INVALID_PATCH');
      expect((await engine.getConfig()).global).toEqual(DEFAULT_GLOBAL);
    });
});

describe('sites', () => {
  it('a new site starts from DEFAULT_SITE (nothing granted) plus the patch, stamped with now', async () => {
    const { engine, clock } = setup();
    const view = await engine.upsertSite(SITE, { allowance: { sat: 300 } });
    expect(view).toEqual({
      ...DEFAULT_SITE,
      allowance: { sat: 300 },
      createdAt: clock.t,
      origin: SITE,
      periodStart: '2025-03-12',
      spentSat: 0,
      heldSat: 0,
      lockedSat: 0,
      remainingSat: 300,
      spent: { sat: 0 },
      held: { sat: 0 },
      remaining: { sat: 300 },
    });
    expect(view.enabled).toBe(false);
  });
  it('an update keeps createdAt and every field not patched', async () => {
    const { engine, clock } = setup();
    const created = clock.t;
    await engine.upsertSite(SITE, { enabled: true, l402AutoPay: true, methods: { signMessage: false } });
    clock.t += 60_000;
    const view = await engine.upsertSite(SITE, { paused: true, l402AutoPay: undefined });
    expect(view).toMatchObject({ createdAt: created, enabled: true, paused: true, l402AutoPay: true, methods: { signMessage: false } });
  });
  it('getSite returns undefined for an unknown site; listSites is sorted by origin', async () => {
    const { engine } = setup();
    expect(await engine.getSite(SITE)).toBeUndefined();
    await engine.upsertSite(OTHER, {});
    await engine.upsertSite(SITE, {});
    expect((await engine.listSites()).map((s) => s.origin)).toEqual([SITE, OTHER]);
  });
  const badOrigins = ['', 'example.com', 'https://example.com/', 'https://example.com/path', 'https://EXAMPLE.com', ' https://example.com', 'https://a.com:443'];
  for (const origin of badOrigins)
    it(`rejects origin ${JSON.stringify(origin)}`, async () => {
      const { engine } = setup();
      expect(await codeOf(engine.upsertSite(origin, {}))).toBe('INVALID_ORIGIN');
      await expect(engine.getSite(origin)).rejects.toThrow('origin: invalid origin');
    });
  it('accepts ports and extension origins as the browser reports them', async () => {
    const { engine } = setup();
    for (const origin of ['http://localhost:8080', 'chrome-extension://abcdefghijklmnop'])
      expect((await engine.upsertSite(origin, {})).origin).toBe(origin);
  });
  const badSitePatches: Array<[string, unknown]> = [
    ['unknown period', { period: 'year' }],
    ['negative allowance', { allowanceSat: -5 }],
    ['createdAt (engine-owned)', { createdAt: 1 }],
    ['unknown WebLN method', { methods: { stealKeys: true } }],
    ['non-boolean switch', { paused: 'yes' }],
  ];
  for (const [name, patch] of badSitePatches)
    it(`upsertSite rejects ${name}`, async () => {
      const { engine } = setup();
      expect(await codeOf(engine.upsertSite(SITE, patch as never))).toBe('INVALID_PATCH');
      expect(await engine.getSite(SITE)).toBeUndefined();
    });
  it('revokeSite forgets grants but not spend: re-adding frees no budget', async () => {
    const { engine } = setup();
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 500 } });
    const r = await engine.reserve(pay(100));
    await engine.commit(r.id, { amountSat: 100, feeSat: 2 });
    expect(await engine.revokeSite(SITE)).toBe(true);
    expect(await engine.revokeSite(SITE)).toBe(false);
    expect((await engine.evaluate(pay(1))).reason).toBe('site_not_enabled');
    const again = await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 500 } });
    expect(again).toMatchObject({ spentSat: 102, remainingSat: 398 });
  });
});

describe('fee rule', () => {
  const cases: Array<[amount: number, fee: number]> = [
    [0, 10],
    [1_000, 10],
    [1_001, 11], // 10.01 rounds up
    [100_000, 1_000],
    [MAX_SATS, MAX_SATS / 100],
  ];
  for (const [amount, fee] of cases)
    it(`max(10 sat, 1 %) of ${amount} is ${fee}`, () => expect(feeLimitSat(DEFAULT_GLOBAL, amount)).toBe(fee));
});

describe('evaluate', () => {
  // Site allowance 2,000/day, ceiling 1,000, cap 10,000, fee rule max(10, 1 %).
  const cases: Array<{
    name: string;
    site?: Parameters<PolicyEngine['upsertSite']>[1] | null;
    req: Partial<SpendRequest> & { amountSat: number };
    decision: 'auto' | 'prompt' | 'deny';
    reason: PolicyReason;
  }> = [
    { name: 'unknown site', site: null, req: { amountSat: 1 }, decision: 'deny', reason: 'site_not_enabled' },
    { name: 'site not enabled', site: { enabled: false }, req: { amountSat: 1 }, decision: 'deny', reason: 'site_not_enabled' },
    { name: 'paused site', site: { paused: true }, req: { amountSat: 1 }, decision: 'deny', reason: 'site_paused' },
    { name: 'the person chose it at a site never enabled', site: null, req: { amountSat: 1, chosenBy: 'person' }, decision: 'prompt', reason: 'above_site_allowance' },
    { name: 'the person chose it at a site not enabled, over the daily cap', site: { enabled: false }, req: { amountSat: 9_991, chosenBy: 'person' }, decision: 'prompt', reason: 'daily_cap_exceeded' },
    { name: 'the person chose it at a paused site', site: { paused: true }, req: { amountSat: 1, chosenBy: 'person' }, decision: 'deny', reason: 'site_paused' },
    { name: 'sendPayment withdrawn', site: { methods: { sendPayment: false } }, req: { amountSat: 1 }, decision: 'deny', reason: 'method_not_granted' },
    { name: 'keysend withdrawn', site: { methods: { keysend: false } }, req: { amountSat: 1, grant: 'keysend' }, decision: 'deny', reason: 'method_not_granted' },
    { name: 'keysend grant does not gate sendPayment', site: { methods: { keysend: false } }, req: { amountSat: 1 }, decision: 'auto', reason: 'within_budget' },
    { name: 'deposit at a site that turned deposits off', site: { depositsAllowed: false }, req: { amountSat: 1, source: 'deposit' }, decision: 'deny', reason: 'deposits_not_allowed' },
    { name: 'deposit at a site never seen', site: null, req: { amountSat: 50_000, source: 'deposit' }, decision: 'auto', reason: 'within_budget' },
    { name: 'deposit at a paused site', site: { paused: true }, req: { amountSat: 1, source: 'deposit' }, decision: 'deny', reason: 'site_paused' },
    { name: 'deposit far above allowance and daily cap: not spending', site: { allowance: { sat: 10 } }, req: { amountSat: 100_000, source: 'deposit' }, decision: 'auto', reason: 'within_budget' },
    { name: 'deposit above the deposit limit', site: {}, req: { amountSat: 100_001, source: 'deposit' }, decision: 'prompt', reason: 'above_deposit_limit' },
    { name: 'deposit inside another page', site: {}, req: { amountSat: 10, source: 'deposit', embeddedIn: 'https://other.example' }, decision: 'prompt', reason: 'embedded_frame' },
    { name: 'deposit with a fee limit above the rule', site: {}, req: { amountSat: 1_000, maxFeeSat: 11, source: 'deposit' }, decision: 'prompt', reason: 'above_fee_limit' },
    { name: 'over the daily cap, above the ceiling', site: { allowance: { sat: 50_000 } }, req: { amountSat: 9_991 }, decision: 'prompt', reason: 'daily_cap_exceeded' },
    { name: 'over the daily cap, under the ceiling', site: { allowance: { sat: 50_000 } }, req: { amountSat: 500, maxFeeSat: 9_501 }, decision: 'deny', reason: 'daily_cap_exceeded' },
    { name: 'the person chose it, over the daily cap', site: { allowance: { sat: 50_000 } }, req: { amountSat: 500, maxFeeSat: 9_501, chosenBy: 'person' }, decision: 'prompt', reason: 'daily_cap_exceeded' },
    { name: 'exactly the daily cap', site: { allowance: { sat: 50_000 } }, req: { amountSat: 9_900, maxFeeSat: 100 }, decision: 'prompt', reason: 'above_auto_approve' },
    { name: 'over the site allowance, under the ceiling: no window', site: {}, req: { amountSat: 1_000, maxFeeSat: 1_001 }, decision: 'deny', reason: 'above_site_allowance' },
    { name: 'over the site allowance, the person chose it', site: {}, req: { amountSat: 1_000, maxFeeSat: 1_001, chosenBy: 'person' }, decision: 'prompt', reason: 'above_site_allowance' },
    { name: 'over the site allowance, above the ceiling', site: {}, req: { amountSat: 2_500 }, decision: 'prompt', reason: 'above_site_allowance' },
    { name: "the site's allowance is checked before the cap", site: { allowance: { sat: 100 } }, req: { amountSat: 500, maxFeeSat: 9_501 }, decision: 'deny', reason: 'above_site_allowance' },
    { name: 'inside another origin’s page', site: {}, req: { amountSat: 10, embeddedIn: 'https://other.example' }, decision: 'prompt', reason: 'embedded_frame' },
    { name: 'inside an unknown page', site: {}, req: { amountSat: 10, embeddedIn: null }, decision: 'prompt', reason: 'embedded_frame' },
    { name: 'inside another page, over the allowance: still no window', site: {}, req: { amountSat: 1_000, maxFeeSat: 1_001, embeddedIn: 'https://other.example' }, decision: 'deny', reason: 'above_site_allowance' },
    { name: 'over the ceiling', site: {}, req: { amountSat: 1_001 }, decision: 'prompt', reason: 'above_auto_approve' },
    { name: 'exactly the ceiling', site: {}, req: { amountSat: 1_000 }, decision: 'auto', reason: 'within_budget' },
    { name: 'fee above the rule', site: {}, req: { amountSat: 100, maxFeeSat: 11 }, decision: 'prompt', reason: 'above_fee_limit' },
    { name: 'fee at the rule', site: {}, req: { amountSat: 100, maxFeeSat: 10 }, decision: 'auto', reason: 'within_budget' },
    { name: 'L402 with auto-pay off', site: {}, req: { amountSat: 10, source: 'l402' }, decision: 'prompt', reason: 'l402_auto_pay_off' },
    { name: 'L402 with auto-pay on', site: { l402AutoPay: true }, req: { amountSat: 10, source: 'l402' }, decision: 'auto', reason: 'within_budget' },
    { name: 'zero amount', site: {}, req: { amountSat: 0 }, decision: 'auto', reason: 'within_budget' },
  ];
  for (const c of cases)
    it(`${c.name} → ${c.decision} ${c.reason}`, async () => {
      const { engine } = setup();
      if (c.site !== null) await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 2_000 }, ...c.site });
      const ev = await engine.evaluate({ origin: SITE, source: 'webln', chosenBy: 'site', grant: 'sendPayment', ...c.req });
      expect([ev.decision, ev.reason]).toEqual([c.decision, c.reason]);
    });
  it('reports remaining budgets and the fee limit it would hold', async () => {
    const { engine } = setup();
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 2_000 } });
    await engine.reserve(pay(300));
    expect(await engine.evaluate(pay(500))).toEqual({
      decision: 'auto',
      reason: 'within_budget',
      approvable: true,
      maxFeeSat: 10,
      remainingSiteSat: 1_690,
      remainingDailySat: 9_690,
      remainingSite: { sat: 1_690 },
      remainingDaily: { sat: 9_690 },
    });
  });
  const badRequests: Array<[string, Record<string, unknown>, string]> = [
    ['NaN amount', { amountSat: NaN }, 'INVALID_AMOUNT'],
    ['negative amount', { amountSat: -1 }, 'INVALID_AMOUNT'],
    ['fractional amount', { amountSat: 0.5 }, 'INVALID_AMOUNT'],
    ['amount beyond supply', { amountSat: MAX_SATS + 1 }, 'INVALID_AMOUNT'],
    ['negative fee', { amountSat: 1, maxFeeSat: -1 }, 'INVALID_AMOUNT'],
    ['unknown source', { amountSat: 1, source: 'gift' }, 'INVALID_REQUEST'],
    ['unknown chooser', { amountSat: 1, chosenBy: 'page' }, 'INVALID_REQUEST'],
    ['page-made top-level origin', { amountSat: 1, embeddedIn: 'not an origin' }, 'INVALID_ORIGIN'],
    ['page-made origin', { amountSat: 1, origin: 'javascript:alert(1)' }, 'INVALID_ORIGIN'],
  ];
  for (const [name, req, code] of badRequests)
    it(`rejects ${name} before reading anything`, async () => {
      const { engine } = setup();
      const full = { ...pay(0), ...req } as never;
      expect(await codeOf(engine.evaluate(full))).toBe(code);
      expect(await codeOf(engine.reserve(full))).toBe(code);
    });
});

describe('reserve', () => {
  it('holds amount + max fee against the site and the day', async () => {
    const { engine } = setup();
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 2_000 } });
    const r = await engine.reserve(pay(500, { maxFeeSat: 7 }));
    expect(r).toMatchObject({ origin: SITE, source: 'webln', amountSat: 500, maxFeeSat: 7, approvedByUser: false, day: '2025-03-12' });
    expect(await engine.getSite(SITE)).toMatchObject({ heldSat: 507, spentSat: 0, remainingSat: 1_493 });
    expect(await engine.dailyUsage()).toEqual({
      day: '2025-03-12',
      cap: { sat: 10_000 },
      spentSat: 0,
      heldSat: 507,
      remainingSat: 9_493,
      spent: { sat: 0 },
      held: { sat: 507 },
      remaining: { sat: 9_493 },
      lockedSat: 0,
      lockLimitSat: 1_000_000,
    });
    expect(await engine.activeReservations()).toEqual([r]);
  });
  it('stamps lastUsedAt on the site', async () => {
    const { engine, clock } = setup();
    await engine.upsertSite(SITE, { enabled: true });
    clock.t += 5_000;
    await engine.reserve(pay(1));
    expect((await engine.getSite(SITE))?.lastUsedAt).toBe(clock.t);
  });
  const refusals: Array<[string, Parameters<PolicyEngine['upsertSite']>[1] | null, number, string]> = [
    ['unknown site', null, 1, 'SITE_NOT_ENABLED'],
    ['paused site', { paused: true }, 1, 'SITE_PAUSED'],
    ['over the allowance', { allowance: { sat: 100 } }, 91, 'BUDGET_EXCEEDED'],
    ['over the ceiling', { allowance: { sat: 5_000 } }, 1_001, 'APPROVAL_REQUIRED'],
    ['over the daily cap', { allowance: { sat: 50_000 } }, 10_000, 'DAILY_CAP_EXCEEDED'],
    ['deposit not allowed', { depositsAllowed: false }, 1, 'DEPOSITS_NOT_ALLOWED'],
    ['deposit above its limit', {}, 100_001, 'DEPOSIT_REFUSED'],
  ];
  for (const [name, site, amount, code] of refusals)
    it(`${name} → ${code}, nothing held`, async () => {
      const { engine } = setup();
      if (site) await engine.upsertSite(SITE, { enabled: true, ...site });
      const source = code.startsWith('DEPOSIT') ? 'deposit' : 'webln';
      expect(await codeOf(engine.reserve(pay(amount, { source })))).toBe(code);
      expect(await engine.activeReservations()).toEqual([]);
    });
  it('a refusal says why and how much is left', async () => {
    const { engine } = setup();
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 100 } });
    const e = await engine.reserve(pay(95)).catch((x: unknown) => x);
    expect(e).toMatchObject({
      code: 'BUDGET_EXCEEDED',
      message: `policy: above_site_allowance=${SITE}`,
      details: { reason: 'above_site_allowance', origin: SITE, requestedSat: 105, remainingSiteSat: 100, remainingDailySat: 10_000 },
    });
  });
  it('approval lifts the site allowance and the ceiling', async () => {
    const { engine } = setup();
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 100 } });
    const r = await engine.reserve(pay(5_000, { approvedByUser: true }));
    expect(r.approvedByUser).toBe(true);
    expect(await engine.getSite(SITE)).toMatchObject({ heldSat: 5_050, remainingSat: 0 });
    // Approval was for that payment only: the next one the site asks for is refused without a window…
    expect((await engine.evaluate(pay(1))).decision).toBe('deny');
    // …and one the person chooses asks again.
    expect((await engine.evaluate(pay(1, { chosenBy: 'person' }))).decision).toBe('prompt');
  });
  it('approval never lifts the global daily cap', async () => {
    const { engine } = setup();
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 50_000 } });
    await engine.reserve(pay(9_000, { approvedByUser: true, maxFeeSat: 0 }));
    expect(await codeOf(engine.reserve(pay(1_001, { approvedByUser: true, maxFeeSat: 0 })))).toBe('DAILY_CAP_EXCEEDED');
    expect(await codeOf(engine.reserve(pay(1_000, { approvedByUser: true, maxFeeSat: 0 })))).toBe('no error');
  });
  it('approval does not override a denial (paused, not enabled)', async () => {
    const { engine } = setup();
    expect(await codeOf(engine.reserve(pay(1, { approvedByUser: true })))).toBe('SITE_NOT_ENABLED');
    await engine.upsertSite(SITE, { enabled: true, paused: true });
    expect(await codeOf(engine.reserve(pay(1, { approvedByUser: true })))).toBe('SITE_PAUSED');
  });
  it('the daily cap is shared by all sites', async () => {
    const { engine } = setup();
    await engine.updateGlobal({ dailyCap: { sat: 1_000 } });
    await engine.upsertSite(SITE, { enabled: true });
    await engine.upsertSite(OTHER, { enabled: true });
    await engine.reserve(pay(600, { maxFeeSat: 0 }));
    expect(await codeOf(engine.reserve(pay(401, { origin: OTHER, maxFeeSat: 0 })))).toBe('DAILY_CAP_EXCEEDED');
    expect(await codeOf(engine.reserve(pay(400, { origin: OTHER, maxFeeSat: 0 })))).toBe('no error');
  });
  it('rejects a non-boolean approvedByUser', async () => {
    const { engine } = setup();
    expect(await codeOf(engine.reserve({ ...pay(1), approvedByUser: 'yes' as never }))).toBe('INVALID_REQUEST');
  });
});

describe('atomicity', () => {
  it('50 concurrent reserves against an allowance that fits 10 → exactly 10 hold', async () => {
    const { engine } = setup();
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 1_000 } });
    const codes = await Promise.all(Array.from({ length: 50 }, () => codeOf(engine.reserve(pay(90)))));
    expect(codes.filter((c) => c === 'no error')).toHaveLength(10);
    expect(codes.filter((c) => c === 'BUDGET_EXCEEDED')).toHaveLength(40);
    expect(await engine.getSite(SITE)).toMatchObject({ heldSat: 1_000, remainingSat: 0 });
  });
  it('50 concurrent approved reserves against a cap that fits 10 → exactly 10 hold', async () => {
    const { engine } = setup();
    await engine.updateGlobal({ dailyCap: { sat: 1_000 } });
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 0 } });
    const codes = await Promise.all(Array.from({ length: 50 }, () => codeOf(engine.reserve(pay(90, { approvedByUser: true, chosenBy: 'person' })))));
    expect(codes.filter((c) => c === 'no error')).toHaveLength(10);
    expect(codes.filter((c) => c === 'DAILY_CAP_EXCEEDED')).toHaveLength(40);
  });
  it('two engines on one store share the lock', async () => {
    const { engine, make } = setup();
    const second = make();
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 1_000 } });
    const codes = await Promise.all(Array.from({ length: 50 }, (_, i) => codeOf((i % 2 ? engine : second).reserve(pay(90)))));
    expect(codes.filter((c) => c === 'no error')).toHaveLength(10);
  });
  it('a failed section does not block the next one', async () => {
    const { engine } = setup();
    expect(await codeOf(engine.reserve(pay(1)))).toBe('SITE_NOT_ENABLED');
    await engine.upsertSite(SITE, { enabled: true });
    expect(await codeOf(engine.reserve(pay(1)))).toBe('no error');
  });
});

describe('commit and release', () => {
  async function held(amount = 500, maxFeeSat = 10) {
    const s = setup();
    await s.engine.upsertSite(SITE, { enabled: true, allowance: { sat: 2_000 } });
    const r = await s.engine.reserve(pay(amount, { maxFeeSat }));
    return { ...s, r };
  }
  it('commit replaces the hold with actual amount + fee', async () => {
    const { engine, r } = await held(500, 10);
    await engine.commit(r.id, { amountSat: 500, feeSat: 3 });
    expect(await engine.getSite(SITE)).toMatchObject({ spentSat: 503, heldSat: 0, remainingSat: 1_497 });
    expect(await engine.dailyUsage()).toMatchObject({ spentSat: 503, heldSat: 0, remainingSat: 9_497 });
    expect(await engine.activeReservations()).toEqual([]);
  });
  it('a second commit is a no-op (never double-counts)', async () => {
    const { engine, r } = await held();
    await engine.commit(r.id, { amountSat: 500, feeSat: 3 });
    await engine.commit(r.id, { amountSat: 500, feeSat: 3 });
    expect((await engine.getSite(SITE))?.spentSat).toBe(503);
  });
  it('release drops the hold; a second release is a no-op', async () => {
    const { engine, r } = await held();
    await engine.release(r.id);
    await engine.release(r.id);
    expect(await engine.getSite(SITE)).toMatchObject({ spentSat: 0, heldSat: 0, remainingSat: 2_000 });
  });
  it('release after commit is a no-op', async () => {
    const { engine, r } = await held();
    await engine.commit(r.id, { amountSat: 500, feeSat: 1 });
    await engine.release(r.id);
    expect((await engine.getSite(SITE))?.spentSat).toBe(501);
  });
  it('commit after release counts the spend once (the node says money left)', async () => {
    const { engine, r } = await held();
    await engine.release(r.id);
    await engine.commit(r.id, { amountSat: 500, feeSat: 1 });
    await engine.commit(r.id, { amountSat: 500, feeSat: 1 });
    expect(await engine.getSite(SITE)).toMatchObject({ spentSat: 501, heldSat: 0 });
  });
  it('concurrent duplicate commits count once', async () => {
    const { engine, r } = await held();
    await Promise.all(Array.from({ length: 5 }, () => engine.commit(r.id, { amountSat: 500, feeSat: 1 })));
    expect((await engine.getSite(SITE))?.spentSat).toBe(501);
  });
  it('unknown reservation ids are refused', async () => {
    const { engine } = setup();
    expect(await codeOf(engine.commit('nope', { amountSat: 1, feeSat: 0 }))).toBe('RESERVATION_UNKNOWN');
    expect(await codeOf(engine.release('nope'))).toBe('RESERVATION_UNKNOWN');
  });
  it('commit validates the actual amounts', async () => {
    const { engine, r } = await held();
    expect(await codeOf(engine.commit(r.id, { amountSat: -1, feeSat: 0 }))).toBe('INVALID_AMOUNT');
    expect(await codeOf(engine.commit(r.id, { amountSat: 1, feeSat: 0.5 }))).toBe('INVALID_AMOUNT');
    expect(await engine.activeReservations()).toHaveLength(1);
  });
});

describe('restart', () => {
  it('a new engine on the same store still counts holds and settles them', async () => {
    const { engine, make } = setup();
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 1_000 } });
    const a = await engine.reserve(pay(400));
    const b = await engine.reserve(pay(400));
    const restarted = make();
    expect((await restarted.activeReservations()).map((r) => r.id).sort()).toEqual([a.id, b.id].sort());
    expect(await codeOf(restarted.reserve(pay(200)))).toBe('BUDGET_EXCEEDED');
    await restarted.commit(a.id, { amountSat: 400, feeSat: 2 });
    await restarted.release(b.id);
    expect(await make().getSite(SITE)).toMatchObject({ spentSat: 402, heldSat: 0 });
    // The idempotency memory survived the restart too.
    await make().commit(a.id, { amountSat: 400, feeSat: 2 });
    expect((await make().getSite(SITE))?.spentSat).toBe(402);
  });
});

describe('reading from memory', () => {
  /** Counts the reads that reach the store. */
  function counted() {
    const t = setup();
    let reads = 0;
    const getMany = t.store.getMany.bind(t.store);
    t.store.getMany = async (keys) => (reads++, getMany(keys));
    return { ...t, reads: () => reads };
  }

  it('config and spend are read once, then kept through its own writes, whatever is asked', async () => {
    const { make, reads } = counted();
    await make().upsertSite(SITE, { enabled: true, allowance: { sat: 5_000 } });
    const engine = make();
    const before = reads();
    await engine.evaluate(pay(100));
    await engine.getSite(SITE);
    await engine.getConfig();
    await engine.needsValuation(SITE);
    await engine.dailyUsage();
    expect(reads() - before).toBe(1);
    const r = await engine.reserve(pay(100));
    await engine.evaluate(pay(100));
    await engine.commit(r.id, { amountSat: 100, feeSat: 1 });
    await engine.getSite(SITE);
    expect(reads() - before).toBe(1);
  });

  it('what it keeps after its own writes is what a fresh read of the store gives', async () => {
    const { engine, make } = counted();
    const views = async (e: PolicyEngine) => ({ config: await e.getConfig(), site: await e.getSite(SITE), daily: await e.dailyUsage() });
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 5_000 } });
    expect(await views(engine)).toEqual(await views(make()));
    const a = await engine.reserve(pay(300));
    const b = await engine.reserve(pay(200));
    expect(await views(engine)).toEqual(await views(make()));
    await engine.commit(a.id, { amountSat: 300, feeSat: 2 });
    await engine.release(b.id);
    await engine.updateGlobal({ dailyCap: { sat: 9_000 } });
    expect(await views(engine)).toEqual(await views(make()));
    expect((await engine.getSite(SITE))?.spentSat).toBe(302);
  });

  it('a change by anyone else on the store (another worker life, another engine) is seen at once', async () => {
    const { engine, make } = counted();
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 5_000 } });
    expect((await engine.getSite(SITE))?.remainingSat).toBe(5_000);
    await make().reserve(pay(1_000));
    expect((await engine.getSite(SITE))?.remainingSat).toBeLessThan(5_000);
    await make().updateGlobal({ dailyCap: { sat: 77 } });
    expect((await engine.getConfig()).global.dailyCap).toEqual({ sat: 77 });
  });

  it('what a read returns cannot be changed behind the engine', async () => {
    const { engine } = setup();
    await engine.upsertSite(SITE, { enabled: true });
    const config = await engine.getConfig();
    expect(() => {
      (config.global as { payIn: string }).payIn = 'usd';
    }).toThrow(TypeError);
    expect(() => {
      config.sites[SITE]!.enabled = false;
    }).toThrow(TypeError);
    expect((await engine.getSite(SITE))?.enabled).toBe(true);
  });
});

describe('periods in local time', () => {
  /** Spends `sat` (no fee) at the current clock. */
  async function spend(engine: PolicyEngine, sat: number, origin = SITE) {
    const r = await engine.reserve(pay(sat, { origin, maxFeeSat: 0 }));
    await engine.commit(r.id, { amountSat: sat, feeSat: 0 });
  }
  it('daily allowance and daily cap renew at local midnight (New York, UTC-5)', async () => {
    const { engine, clock } = setup({ at: Date.parse('2025-03-13T04:59:00Z'), offset: -300 }); // 23:59 on the 12th
    await engine.updateGlobal({ dailyCap: { sat: 1_000 } });
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 300 }, period: 'day' });
    await spend(engine, 300);
    expect(await engine.getSite(SITE)).toMatchObject({ periodStart: '2025-03-12', remainingSat: 0 });
    expect((await engine.dailyUsage()).spentSat).toBe(300);
    clock.t = Date.parse('2025-03-13T05:00:00Z'); // local midnight
    expect(await engine.getSite(SITE)).toMatchObject({ periodStart: '2025-03-13', spentSat: 0, remainingSat: 300 });
    expect(await engine.dailyUsage()).toMatchObject({ day: '2025-03-13', spentSat: 0, remainingSat: 1_000 });
  });
  it('UTC midnight is not a boundary in New York', async () => {
    const { engine, clock } = setup({ at: Date.parse('2025-03-12T23:30:00Z'), offset: -300 });
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 300 } });
    await spend(engine, 300);
    clock.t = Date.parse('2025-03-13T00:30:00Z'); // new UTC day, same local day
    expect((await engine.getSite(SITE))?.remainingSat).toBe(0);
  });
  it('weekly allowance renews on local Monday 00:00 (India, UTC+5:30)', async () => {
    // Monday 2025-03-17 00:00 IST = 2025-03-16T18:30Z.
    const { engine, clock } = setup({ at: Date.parse('2025-03-10T00:00:00Z'), offset: 330 });
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 900 }, period: 'week' });
    await spend(engine, 200); // Monday 10th
    clock.t = Date.parse('2025-03-16T18:29:00Z'); // Sunday 23:59 local
    await spend(engine, 300);
    expect(await engine.getSite(SITE)).toMatchObject({ periodStart: '2025-03-10', spentSat: 500 });
    clock.t = Date.parse('2025-03-16T18:30:00Z');
    expect(await engine.getSite(SITE)).toMatchObject({ periodStart: '2025-03-17', spentSat: 0, remainingSat: 900 });
  });
  it('monthly allowance renews on the local 1st (Paris, UTC+1) and sums the whole month', async () => {
    const { engine, clock } = setup({ at: Date.parse('2025-03-02T10:00:00Z'), offset: 60 });
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 1_000 }, period: 'month' });
    await spend(engine, 100);
    clock.t = Date.parse('2025-03-15T10:00:00Z');
    await spend(engine, 200);
    clock.t = Date.parse('2025-03-31T22:59:00Z'); // 23:59 on the 31st local
    await spend(engine, 300);
    expect(await engine.getSite(SITE)).toMatchObject({ periodStart: '2025-03-01', spentSat: 600, remainingSat: 400 });
    clock.t = Date.parse('2025-03-31T23:00:00Z'); // April 1st local, still March in UTC
    expect(await engine.getSite(SITE)).toMatchObject({ periodStart: '2025-04-01', spentSat: 0, remainingSat: 1_000 });
  });
  it('follows a daylight-saving change through the injected offset', async () => {
    // New York moves from UTC-5 to UTC-4 at 2025-03-09T07:00Z; local midnight of the 10th is 04:00Z.
    const newYork: TimeZoneOffset = (t) => (t < Date.parse('2025-03-09T07:00:00Z') ? -300 : -240);
    const { engine, clock } = setup({ at: Date.parse('2025-03-10T03:59:00Z'), offset: newYork });
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 100 } });
    await spend(engine, 100);
    expect((await engine.getSite(SITE))?.periodStart).toBe('2025-03-09');
    clock.t = Date.parse('2025-03-10T04:00:00Z');
    expect(await engine.getSite(SITE)).toMatchObject({ periodStart: '2025-03-10', remainingSat: 100 });
  });
  it('a hold counts in the period it was made in, and its commit stays there', async () => {
    const { engine, clock } = setup({ at: Date.parse('2025-03-12T22:00:00Z'), offset: 60 }); // 23:00 local
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 500 } });
    const r = await engine.reserve(pay(490)); // + 10 fee = the whole allowance
    expect((await engine.getSite(SITE))?.remainingSat).toBe(0);
    clock.t = Date.parse('2025-03-12T23:30:00Z'); // 00:30 next day local
    expect(await engine.getSite(SITE)).toMatchObject({ heldSat: 0, remainingSat: 500 });
    await engine.commit(r.id, { amountSat: 490, feeSat: 5 });
    expect(await engine.getSite(SITE)).toMatchObject({ spentSat: 0, remainingSat: 500 });
    expect(await engine.activeReservations()).toEqual([]);
  });
  it('switching a site from day to month keeps what this month already spent', async () => {
    const { engine, clock } = setup({ at: Date.parse('2025-03-10T12:00:00Z'), offset: 60 });
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 1_000 }, period: 'day' });
    await spend(engine, 400);
    clock.t = Date.parse('2025-03-11T12:00:00Z');
    await spend(engine, 100);
    expect((await engine.getSite(SITE))?.spentSat).toBe(100);
    expect(await engine.upsertSite(SITE, { period: 'month' })).toMatchObject({ spentSat: 500, remainingSat: 500 });
  });
  it('old day buckets are pruned once no period can include them', async () => {
    const { engine, clock, store } = setup({ at: Date.parse('2025-01-15T12:00:00Z') });
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 1_000 }, period: 'month' });
    await spend(engine, 100);
    clock.t = Date.parse('2025-03-03T12:00:00Z');
    await spend(engine, 50);
    const stored = await store.get<{ daily: object; sites: Record<string, object> }>('policy:spend');
    expect(Object.keys(stored?.daily ?? {})).toEqual(['2025-03-03']);
    expect(Object.keys(stored?.sites[SITE] ?? {})).toEqual(['2025-03-03']);
  });
});

describe('deposits', () => {
  const deposit = (amountSat: number, extra: Partial<SpendRequest> & { approvedByUser?: boolean } = {}) => pay(amountSat, { source: 'deposit', grant: undefined, ...extra });
  it('a held deposit is locked, not spent: allowance and daily cap untouched', async () => {
    const { engine } = setup();
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 100 } });
    await engine.reserve(deposit(90_000));
    expect(await engine.getSite(SITE)).toMatchObject({ spentSat: 0, heldSat: 0, lockedSat: 90_900, remainingSat: 100 });
    expect(await engine.dailyUsage()).toMatchObject({ spentSat: 0, heldSat: 0, remainingSat: 10_000, lockedSat: 90_900, lockLimitSat: 1_000_000 });
    expect((await engine.evaluate(pay(50))).decision).toBe('auto');
  });
  it('the total locked is a limit across sites; the person may approve past it', async () => {
    const { engine } = setup();
    await engine.updateGlobal({ deposits: { ...DEFAULT_GLOBAL.deposits, maxLockedSat: 150_000 } });
    await engine.reserve({ ...deposit(70_000), origin: OTHER });
    await engine.reserve(deposit(70_000));
    expect((await engine.evaluate(deposit(10_000))).reason).toBe('above_locked_limit');
    expect(await codeOf(engine.reserve(deposit(10_000)))).toBe('DEPOSIT_REFUSED');
    expect((await engine.reserve(deposit(10_000, { approvedByUser: true }))).amountSat).toBe(10_000);
  });
  it('a refund (release) frees the lock and spends nothing; a forfeit (commit) is the site’s spending', async () => {
    const { engine } = setup();
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 1_000 } });
    const refunded = await engine.reserve(deposit(5_000));
    const forfeited = await engine.reserve(deposit(3_000));
    await engine.release(refunded.id);
    await engine.commit(forfeited.id, { amountSat: 3_000, feeSat: 2 });
    expect(await engine.getSite(SITE)).toMatchObject({ spentSat: 3_002, lockedSat: 0, remainingSat: 0 });
    expect(await engine.dailyUsage()).toMatchObject({ spentSat: 3_002, lockedSat: 0 });
  });
  it('a site that kept a deposit: its next deposits ask for 30 days, at any of its subdomains', async () => {
    const { engine, clock } = setup();
    const kept = await engine.reserve({ ...deposit(5_000), origin: 'https://a1.evil.example' });
    await engine.commit(kept.id, { amountSat: 5_000, feeSat: 0 }, { forfeit: true });
    expect((await engine.evaluate({ ...deposit(5_000), origin: 'https://a2.evil.example' })).reason).toBe('site_kept_a_deposit');
    expect((await engine.evaluate(deposit(5_000))).decision).toBe('auto');
    clock.t += 31 * 86_400_000;
    // Anything written prunes what is too old to remember.
    await engine.upsertSite(SITE, { enabled: true });
    await engine.reserve(pay(1));
    expect((await engine.evaluate({ ...deposit(5_000), origin: 'https://a2.evil.example' })).decision).toBe('auto');
  });
  it('forfeits a day are bounded: past the limit every deposit asks, however many sites take them', async () => {
    const { engine } = setup();
    await engine.updateGlobal({ deposits: { ...DEFAULT_GLOBAL.deposits, maxForfeitPerDaySat: 12_000 } });
    for (const n of [1, 2]) {
      const r = await engine.reserve({ ...deposit(5_000), origin: `https://taker${n}.example` });
      await engine.commit(r.id, { amountSat: 5_000, feeSat: 0 }, { forfeit: true });
    }
    expect((await engine.evaluate({ ...deposit(1_000), origin: 'https://honest.example' })).decision).toBe('auto');
    expect((await engine.evaluate({ ...deposit(5_000), origin: 'https://honest.example' })).reason).toBe('above_forfeit_limit');
    expect(await codeOf(engine.reserve({ ...deposit(5_000), origin: 'https://honest.example' }))).toBe('DEPOSIT_REFUSED');
  });
  it('auto-hold off: every deposit asks', async () => {
    const { engine } = setup();
    await engine.updateGlobal({ deposits: { ...DEFAULT_GLOBAL.deposits, autoHold: false } });
    expect((await engine.evaluate(deposit(1))).reason).toBe('deposit_auto_hold_off');
    expect(await codeOf(engine.reserve(deposit(1)))).toBe('APPROVAL_REQUIRED');
  });
  const badLimits: Array<[string, unknown]> = [
    ['hold time under a minute', { maxHoldSeconds: 59 }],
    ['CLTV limit above 2016 blocks', { maxCltv: 2_017 }],
    ['negative deposit limit', { maxDepositSat: -1 }],
  ];
  for (const [name, part] of badLimits)
    it(`deposit limits reject ${name}`, async () => {
      const { engine } = setup();
      expect(await codeOf(engine.updateGlobal({ deposits: { ...DEFAULT_GLOBAL.deposits, ...(part as object) } }))).toBe('INVALID_PATCH');
    });
});

describe('corrupt stored data', () => {
  it('garbage config → defaults, reported once, nothing crashes', async () => {
    const { engine, store, issues } = setup();
    await store.set({ 'policy:config': 'garbage' });
    expect(await engine.getConfig()).toEqual({ global: DEFAULT_GLOBAL, sites: {} });
    expect(await engine.listSites()).toEqual([]);
    expect(issues).toEqual(['config: not an object; using defaults']);
    // Writing repairs it.
    await engine.updateGlobal({ dailyCap: { sat: 42 } });
    expect((await store.get<{ schemaVersion: number }>('policy:config'))?.schemaVersion).toBe(3);
  });
  it('a config from a newer Satnav → defaults (no site enabled), reported', async () => {
    const { engine, store, issues } = setup();
    await store.set({ 'policy:config': { schemaVersion: 7, global: {}, sites: {} } });
    expect((await engine.evaluate(pay(1))).reason).toBe('site_not_enabled');
    expect(issues).toEqual(['config: schemaVersion=7 newer than 3; using defaults']);
  });
  it('a bad global field falls back alone; a bad site is dropped alone', async () => {
    const { engine, store, issues } = setup();
    const { allowance: _, ...v2Site } = { ...DEFAULT_SITE, enabled: true, createdAt: 1 };
    const good = { ...v2Site, allowanceSat: 1_000 };
    await store.set({
      'policy:config': {
        schemaVersion: 1,
        global: { dailyCapSat: -5, autoApproveSat: 7, maxFee: { baseSat: 1, ppm: 2 } },
        sites: { [SITE]: good, [OTHER]: { ...good, allowanceSat: 'lots' }, 'not an origin': good },
      },
    });
    expect(await engine.getConfig()).toEqual({
      // Fields added since (l402, deposits) take their defaults without a complaint.
      global: { ...DEFAULT_GLOBAL, dailyCap: { sat: 10_000 }, autoApprove: { sat: 7 }, maxFee: { baseSat: 1, ppm: 2 } },
      // v1 → v2 opened deposits for every site; v2 → v3 made each sat amount an amount in sats.
      sites: { [SITE]: { ...DEFAULT_SITE, enabled: true, createdAt: 1, depositsAllowed: true } },
    });
    expect(issues.sort()).toEqual([
      'config.global.dailyCap: invalid; using default',
      `config.sites[${OTHER}]: invalid; site dropped`,
      'config.sites[not an origin]: invalid; site dropped',
    ]);
  });
  it('migrateConfig on a fresh install reports nothing', () => {
    expect(migrateConfig(undefined)).toEqual({ config: { global: DEFAULT_GLOBAL, sites: {} }, issues: [] });
  });
  it('migrateConfig on a non-object sites map keeps the global part', () => {
    const { config, issues } = migrateConfig({ schemaVersion: 3, global: { ...DEFAULT_GLOBAL, dailyCap: { sat: 3 } }, sites: 5 });
    expect(config.global.dailyCap).toEqual({ sat: 3 });
    expect(issues).toEqual(['config.sites: not an object; no site enabled']);
  });
  it('a damaged reservation is dropped, the rest of the spend state survives', async () => {
    const { engine, store, issues } = setup();
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 1_000 } });
    const r = await engine.reserve(pay(100));
    const raw = (await store.get<{ reservations: Record<string, unknown>; daily: Record<string, unknown> }>('policy:spend'))!;
    raw.reservations.broken = { id: 'broken', amountSat: -1 };
    raw.daily['2025-03-12'] = 'x';
    await store.set({ 'policy:spend': raw });
    expect((await engine.activeReservations()).map((x) => x.id)).toEqual([r.id]);
    expect(issues.sort()).toEqual(['spend.daily[2025-03-12]: invalid; dropped', 'spend.reservations[broken]: invalid; dropped']);
  });
  it('garbage spend state → empty, reported, payments still checked', async () => {
    const { engine, store, issues } = setup();
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 100 } });
    await store.set({ 'policy:spend': [1, 2, 3] });
    expect(await codeOf(engine.reserve(pay(95)))).toBe('BUDGET_EXCEEDED');
    expect(await codeOf(engine.reserve(pay(50)))).toBe('no error');
    expect(issues).toEqual(['spend: not an object; counters reset']);
  });
});

describe('settled holds, stored in generations of their own', () => {
  /** Records the keys of every write. */
  function recorded() {
    const t = setup();
    const writes: Record<string, unknown>[] = [];
    const set = t.store.set.bind(t.store);
    t.store.set = async (entries) => (writes.push(entries), set(entries));
    return { ...t, writes };
  }

  it('a payment rewrites its own generation, never all of them; the spend record stays small however many were made', async () => {
    const { engine, store, writes, make } = recorded();
    await engine.updateGlobal({ dailyCap: { sat: 1_000_000 } });
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 1_000_000 } });
    const ids: string[] = [];
    for (let i = 0; i < SETTLED_GEN_SIZE * SETTLED_GENS + 50; i++) {
      const r = await engine.reserve(pay(1));
      ids.push(r.id);
      writes.length = 0;
      await engine.commit(r.id, { amountSat: 1, feeSat: 0 });
      const settledKeys = Object.keys(writes[0]!).filter((k) => k.startsWith('policy:settled:'));
      expect(settledKeys).toEqual([`policy:settled:${Math.floor(i / SETTLED_GEN_SIZE) % SETTLED_GENS}`]);
    }
    expect(JSON.stringify(await store.get('policy:spend')).length).toBeLessThan(1_500);
    expect((await store.get<Record<string, unknown>>('policy:spend'))?.['settled']).toBeUndefined();
    // The newest are remembered (a repeated commit counts nothing, a fresh engine too); the oldest generation is forgotten.
    const spent = (await engine.getSite(SITE))?.spentSat;
    await engine.commit(ids.at(-1)!, { amountSat: 1, feeSat: 0 });
    await make().commit(ids.at(-SETTLED_GEN_SIZE * (SETTLED_GENS - 1))!, { amountSat: 1, feeSat: 0 });
    expect((await make().getSite(SITE))?.spentSat).toBe(spent);
    expect(await codeOf(make().commit(ids[0]!, { amountSat: 1, feeSat: 0 }))).toBe('RESERVATION_UNKNOWN');
  });

  it('a late success after a release, in another worker life, is counted once', async () => {
    const { engine, make } = setup();
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 5_000 } });
    const r = await engine.reserve(pay(300));
    await engine.release(r.id);
    await make().commit(r.id, { amountSat: 300, feeSat: 2 });
    await make().commit(r.id, { amountSat: 300, feeSat: 2 });
    expect((await make().getSite(SITE))?.spentSat).toBe(302);
  });

  it('a v4 record with the settled holds inside: read as they were, then moved out in one write', async () => {
    const { store, make } = setup();
    const day = '2025-03-12';
    await store.set({
      'policy:spend': {
        schemaVersion: 4,
        reservations: {},
        daily: {},
        sites: {},
        settled: [
          { id: 'a', outcome: 'committed', origin: SITE, day },
          { id: 'b', outcome: 'released', origin: SITE, day },
        ],
        forfeits: {},
        forfeitedSites: {},
      },
    });
    const engine = make();
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 5_000 } });
    // Released before: a late success counts; committed before: counts nothing.
    await engine.commit('b', { amountSat: 40, feeSat: 0 });
    await engine.commit('a', { amountSat: 40, feeSat: 0 });
    const spend = await store.get<Record<string, unknown>>('policy:spend');
    expect(spend).toMatchObject({ schemaVersion: 5, settledNext: 3 });
    expect(spend?.['settled']).toBeUndefined();
    expect(await store.get('policy:settled:0')).toEqual({
      gen: 0,
      entries: [
        { id: 'a', n: 0, outcome: 'committed', origin: SITE, day },
        { id: 'b', n: 2, outcome: 'committed', origin: SITE, day },
      ],
    });
    expect(await codeOf(make().release('a'))).toBe('no error');
    expect((await make().getSite(SITE))?.spentSat).toBe(40);
  });

  it('a damaged generation is dropped and reported, the rest read', async () => {
    const { engine, store, issues, make } = setup();
    await engine.upsertSite(SITE, { enabled: true, allowance: { sat: 5_000 } });
    const r = await engine.reserve(pay(10));
    await engine.release(r.id);
    await store.set({ 'policy:settled:1': 'garbage' });
    const fresh = make();
    await fresh.commit(r.id, { amountSat: 10, feeSat: 0 });
    expect((await fresh.getSite(SITE))?.spentSat).toBe(10);
    expect(issues).toContain('spend.settled: invalid generation; dropped');
  });
});
