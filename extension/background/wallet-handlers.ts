import type { Limits } from '../../src/messages/ui-api.ts';
import type { Services } from './services.ts';
import type { UiHandlers } from './ui-handlers.ts';

async function limitsOf(svc: Services): Promise<Limits> {
  const [config, today, sites] = await Promise.all([svc.policy.getConfig(), svc.policy.dailyUsage(), svc.policy.listSites()]);
  return { global: config.global, today, sites };
}

/** Approvals (prompt window), spending limits and activity: the person's side of WebLN. */
export const walletHandlers = {
  'approval.get': async (req, svc) => svc.approvals.get(req.id),
  'approval.decide': async (req, svc) => {
    svc.approvals.decide(req.id, req.decision);
    return { ok: true as const };
  },
  'limits.get': async (_req, svc) => limitsOf(svc),
  'limits.updateGlobal': async (req, svc) => {
    await svc.policy.updateGlobal(req.patch);
    return limitsOf(svc);
  },
  'limits.updateSite': async (req, svc) => {
    await svc.policy.upsertSite(req.origin, req.patch);
    return limitsOf(svc);
  },
  'limits.revokeSite': async (req, svc) => {
    await svc.policy.revokeSite(req.origin);
    return limitsOf(svc);
  },
  'activity.list': async (req, svc) => {
    // Opening the activity list is a good moment to settle anything left pending.
    await svc.payments.reconcile().catch(() => undefined);
    return { entries: await svc.ledger.list({ limit: 200, ...req.filter }) };
  },
  'activity.csv': async (req, svc) => ({ csv: await svc.ledger.toCsv(req.filter) }),
} satisfies Partial<UiHandlers>;
