import type { PaidAccess, PaidAccessItem } from '../../src/messages/ui-api.ts';
import type { Credential } from '../../src/paywall/credentials.ts';
import type { Services } from './services.ts';
import type { UiHandlers } from './ui-handlers.ts';

/**
 * The popup's "Paid access" screen: what Satnav bought at 402 walls, and
 * revoking it. Credentials cross to the pages only as `PaidAccessItem`, built
 * field by field, so their header (a bearer secret) never leaves the worker,
 * whatever fields a credential gains later.
 */

/**
 * Removes the browser's header rules of revoked credentials, so no request
 * carries them any more. Wired by the worker to the 402 glue
 * (`setRevokedRulesHook`); unwired, the rules still go once the glue resyncs
 * them with the credentials held (it does on every change of the vault).
 */
export type RevokedRulesHook = (credentialIds: readonly string[]) => Promise<void>;

let revokedRules: RevokedRulesHook | undefined;

/** The worker hands over the glue's rule removal; `undefined` unwires it (tests). */
export function setRevokedRulesHook(hook: RevokedRulesHook | undefined): void {
  revokedRules = hook;
}

export function paidAccessItem(c: Credential): PaidAccessItem {
  return {
    id: c.id,
    server: c.origin,
    paths: [...c.paths],
    services: [...c.services],
    scheme: c.scheme,
    amountSat: c.amountSat,
    paidBy: c.paidBy,
    createdAt: c.createdAt,
    expiresAt: c.expiresAt,
    reusable: c.reusable,
  };
}

async function paidAccessOf(svc: Pick<Services, 'paywall'>): Promise<PaidAccess> {
  return { credentials: (await svc.paywall.list()).map(paidAccessItem) };
}

export const paywallHandlers = {
  'paywall.list': async (_req, svc) => paidAccessOf(svc),
  'paywall.revoke': async (req, svc) => {
    const { target } = req;
    const ids = 'id' in target ? ((await svc.paywall.revoke(target.id)) ? [target.id] : []) : await svc.paywall.revokePaidBy(target.paidBy);
    if (ids.length > 0 && revokedRules) await revokedRules(ids);
    return paidAccessOf(svc);
  },
} satisfies Partial<UiHandlers>;
