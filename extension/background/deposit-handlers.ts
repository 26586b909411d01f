import type { DepositRecord } from '../../src/deposit/book.ts';
import type { DepositItem, Deposits } from '../../src/messages/ui-api.ts';
import type { Services } from './services.ts';
import type { UiHandlers } from './ui-handlers.ts';

/** The popup's Deposits screen: what is locked where, the history, and the release button. Items are built field by field. */
export function depositItem(r: DepositRecord): DepositItem {
  return {
    paymentHash: r.paymentHash,
    site: r.origin,
    paidBy: r.paidBy,
    realm: r.realm,
    amountSat: r.amountSat,
    state: r.state,
    createdAt: r.createdAt,
    ...(r.heldAt !== undefined && { heldAt: r.heldAt }),
    maxHoldSeconds: r.maxHoldSeconds,
    lockedUntil: r.lockedUntil,
    ...(r.releaseAskedAt !== undefined && { releaseAskedAt: r.releaseAskedAt }),
    ...(r.endedAt !== undefined && { endedAt: r.endedAt }),
    forfeit: r.forfeit,
    ...(r.note !== undefined && { note: r.note }),
  };
}

async function depositsOf(svc: Pick<Services, 'deposits' | 'policy'>): Promise<Deposits> {
  const [list, today] = await Promise.all([svc.deposits.list(), svc.policy.dailyUsage()]);
  return { items: list.map(depositItem), lockedSat: today.lockedSat, lockLimitSat: today.lockLimitSat };
}

export const depositHandlers = {
  'deposits.list': async (_req, svc) => depositsOf(svc),
  'deposits.release': async (req, svc) => {
    await svc.deposits.release(req.paymentHash);
    return depositsOf(svc);
  },
} satisfies Partial<UiHandlers>;
