import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSatnavError } from '../errors.ts';
import { MemoryStore } from '../storage/kv.ts';
import { valueOf } from './amount.ts';
import { PolicyEngine } from './engine.ts';
import { PERIODS, periodStart, type Period } from './period.ts';

/**
 * Random batches of reserve / commit / release run concurrently (Promise.all),
 * with restarts and clock jumps between batches. A plain model records what
 * each call returned; after every batch the engine's totals must equal the
 * model's, and no cap may be broken:
 * - today's spend + holds ≤ the global daily cap (approval never lifts it);
 * - a site's spend + holds in its current period ≤ its allowance, plus what the
 *   person explicitly approved beyond it.
 * Commit after release is left out: it records money the node says left after
 * the hold was given back, which may legitimately pass a cap (unit-tested).
 */
const ORIGINS = ['https://a.example', 'https://b.example', 'https://c.example'] as const;
const START = Date.parse('2025-03-14T20:00:00Z'); // a Friday evening: days, a week and a month end soon

const reserveOp = fc.record({
  op: fc.constant('reserve' as const),
  site: fc.nat({ max: ORIGINS.length - 1 }),
  amountSat: fc.nat({ max: 1_500 }),
  maxFeeSat: fc.option(fc.nat({ max: 60 }), { nil: undefined }),
  approvedByUser: fc.boolean(),
});
const settleOp = fc.record({
  op: fc.constantFrom('commit' as const, 'release' as const),
  pick: fc.nat(),
  // Actual spend as a share of the hold: the node never sends more than amount + fee limit.
  amountPct: fc.nat({ max: 100 }),
  feePct: fc.nat({ max: 100 }),
});
const batch = fc.record({
  restart: fc.boolean(),
  advanceMinutes: fc.constantFrom(0, 0, 0, 45, 6 * 60, 30 * 60),
  ops: fc.array(fc.oneof({ weight: 3, arbitrary: reserveOp }, { weight: 2, arbitrary: settleOp }), { minLength: 1, maxLength: 8 }),
});
const scenario = fc.record({
  dailyCapSat: fc.nat({ max: 5_000 }),
  autoApproveSat: fc.nat({ max: 2_000 }),
  allowances: fc.tuple(fc.nat({ max: 3_000 }), fc.nat({ max: 3_000 }), fc.nat({ max: 3_000 })),
  periods: fc.tuple(fc.constantFrom(...PERIODS), fc.constantFrom(...PERIODS), fc.constantFrom(...PERIODS)),
  offset: fc.integer({ min: -720, max: 840 }),
  batches: fc.array(batch, { minLength: 1, maxLength: 8 }),
});

interface ModelEntry {
  origin: string;
  day: string;
  hold: number;
  approved: boolean;
  state: 'held' | 'committed' | 'released';
  spent: number;
}

describe('policy engine properties', () => {
  it('concurrent reserve/commit/release never break a cap and totals match the outcomes', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const store = new MemoryStore();
        let now = START;
        const make = () => new PolicyEngine({ store, now: () => now, timeZoneOffsetMinutes: () => s.offset });
        let engine = make();
        await engine.updateGlobal({ dailyCap: { sat: s.dailyCapSat }, autoApprove: { sat: s.autoApproveSat } });
        const period: Record<string, Period> = {};
        for (const [i, origin] of ORIGINS.entries()) {
          period[origin] = s.periods[i]!;
          await engine.upsertSite(origin, { enabled: true, allowance: { sat: s.allowances[i]! }, period: s.periods[i]! });
        }
        const model = new Map<string, ModelEntry>();

        for (const b of s.batches) {
          if (b.restart) engine = make();
          now += b.advanceMinutes * 60_000;
          const ids = [...model.keys()];
          const touched = new Set<string>();
          const calls: Array<() => Promise<void>> = [];
          for (const op of b.ops) {
            if (op.op === 'reserve') {
              const req = { origin: ORIGINS[op.site]!, source: 'webln' as const, chosenBy: 'site' as const, amountSat: op.amountSat, maxFeeSat: op.maxFeeSat, approvedByUser: op.approvedByUser };
              // Alone in its batch, a reserve must do what evaluate said just before.
              const expected = b.ops.length === 1 ? await engine.evaluate(req) : undefined;
              calls.push(async () => {
                try {
                  const r = await engine.reserve(req);
                  model.set(r.id, { origin: r.origin, day: r.day, hold: r.amountSat + r.maxFeeSat, approved: r.approvedByUser, state: 'held', spent: 0 });
                  if (expected) expect(expected.decision === 'auto' || (expected.decision === 'prompt' && req.approvedByUser && expected.approvable)).toBe(true);
                } catch (e) {
                  if (!isSatnavError(e)) throw e;
                  expect(['BUDGET_EXCEEDED', 'APPROVAL_REQUIRED', 'DAILY_CAP_EXCEEDED']).toContain(e.code);
                  if (expected) expect(expected.decision === 'deny' || (expected.decision === 'prompt' && !(req.approvedByUser && expected.approvable))).toBe(true);
                }
              });
              continue;
            }
            const id = ids[op.pick % Math.max(1, ids.length)];
            const m = id === undefined ? undefined : model.get(id);
            // One settle per reservation per batch keeps the model's outcome independent of interleaving.
            if (id === undefined || !m || touched.has(id) || (op.op === 'commit' && m.state === 'released')) continue;
            touched.add(id);
            if (op.op === 'release') {
              calls.push(async () => {
                await engine.release(id);
                if (m.state === 'held') m.state = 'released';
              });
              continue;
            }
            const r = (await engine.activeReservations()).find((x) => x.id === id);
            const amountSat = r ? Math.floor((r.amountSat * op.amountPct) / 100) : 0;
            const feeSat = r ? Math.floor((r.maxFeeSat * op.feePct) / 100) : 0;
            calls.push(async () => {
              await engine.commit(id, { amountSat, feeSat });
              if (m.state === 'held') Object.assign(m, { state: 'committed', spent: amountSat + feeSat });
            });
          }
          await Promise.all(calls.map((c) => c()));

          const entries = [...model.entries()];
          const active = await engine.activeReservations();
          expect(active.map((r) => r.id).sort()).toEqual(entries.filter(([, m]) => m.state === 'held').map(([id]) => id).sort());

          const usageSince = (since: string, origin?: string) => {
            let spentSat = 0;
            let heldSat = 0;
            let approvedSat = 0;
            for (const [, m] of entries) {
              if (m.day < since || (origin !== undefined && m.origin !== origin)) continue;
              const own = m.state === 'held' ? m.hold : m.state === 'committed' ? m.spent : 0;
              if (m.state === 'held') heldSat += m.hold;
              if (m.state === 'committed') spentSat += m.spent;
              if (m.approved) approvedSat += own;
            }
            return { spentSat, heldSat, approvedSat };
          };
          const daily = await engine.dailyUsage();
          const modelDaily = usageSince(daily.day);
          expect([daily.spentSat, daily.heldSat]).toEqual([modelDaily.spentSat, modelDaily.heldSat]);
          expect(daily.spentSat + daily.heldSat).toBeLessThanOrEqual(s.dailyCapSat);

          for (const view of await engine.listSites()) {
            expect(view.periodStart).toBe(periodStart(daily.day, period[view.origin]!));
            const m = usageSince(view.periodStart, view.origin);
            expect([view.spentSat, view.heldSat]).toEqual([m.spentSat, m.heldSat]);
            expect(view.spentSat + view.heldSat).toBeLessThanOrEqual(valueOf(view.allowance) + m.approvedSat);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
