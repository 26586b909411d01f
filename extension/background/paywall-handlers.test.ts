import { afterEach, describe, expect, it, vi } from 'vitest';
import { uiRequest } from '../../src/messages/ui-api.ts';
import { CredentialStore, type Credential } from '../../src/paywall/credentials.ts';
import { WallPayer, type PaywallDeps } from '../../src/paywall/payer.ts';
import { paidAccessItem, paywallHandlers, setRevokedRulesHook } from './paywall-handlers.ts';
import type { Services } from './services.ts';

const NOW = 1_900_000_000_000;
const hash = (n: number) => n.toString(16).padStart(64, '0');
const SECRET = (n: number) => `L402 macaroon${n}:${hash(n)}`;

const cred = (n: number, over: Partial<Credential> = {}): Credential => ({
  id: `c${n}`,
  origin: 'https://api.example',
  paths: [`/p${n}`],
  services: [`s${n}`],
  scheme: 'l402',
  header: { name: 'Authorization', value: SECRET(n) },
  paymentHash: hash(n),
  amountSat: 10,
  paidBy: 'https://news.example',
  createdAt: NOW - n,
  expiresAt: null,
  reusable: true,
  ...over,
});

/** The handlers' services: a real payer over a real store in a plain slot (only `paywall` is used). */
async function services(...held: Credential[]) {
  let value: unknown;
  const credentials = new CredentialStore(
    {
      read: async () => structuredClone(value),
      update: async (fn) => {
        value = structuredClone(fn(structuredClone(value)));
      },
    },
    () => NOW,
  );
  for (const c of held) await credentials.put(c);
  const paywall = new WallPayer({ credentials } as unknown as PaywallDeps);
  return { paywall } as unknown as Services;
}

const list = async (svc: Services) => (await paywallHandlers['paywall.list']({ type: 'paywall.list' }, svc)).credentials;
const revoke = (svc: Services, target: { id: string } | { paidBy: string }) => paywallHandlers['paywall.revoke']({ type: 'paywall.revoke', target }, svc);

afterEach(() => setRevokedRulesHook(undefined));

describe('paywall.list', () => {
  it('shows every credential held, newest first, without its header (a bearer secret)', async () => {
    const svc = await services(cred(1), cred(2, { scheme: 'x402', reusable: false, services: [] }));
    const shown = await list(svc);
    expect(shown.map((c) => c.id)).toEqual(['c1', 'c2']);
    expect(shown[0]).toEqual({
      id: 'c1',
      server: 'https://api.example',
      paths: ['/p1'],
      services: ['s1'],
      scheme: 'l402',
      amountSat: 10,
      paidBy: 'https://news.example',
      createdAt: NOW - 1,
      expiresAt: null,
      reusable: true,
    });
    const wire = JSON.stringify(shown);
    expect(wire).not.toContain('macaroon');
    expect(wire).not.toContain(hash(1));
    expect(wire).not.toContain('header');
  });
  it('a field a credential gains later does not reach the pages', () => {
    const grown = { ...cred(1), secretExtra: 'x' } as Credential;
    expect(Object.keys(paidAccessItem(grown))).not.toContain('secretExtra');
  });
});

describe('paywall.revoke', () => {
  it('one credential: gone, its rule removal asked for, the rest listed', async () => {
    const svc = await services(cred(1), cred(2));
    const hook = vi.fn(async () => undefined);
    setRevokedRulesHook(hook);
    const after = await revoke(svc, { id: 'c1' });
    expect(after.credentials.map((c) => c.id)).toEqual(['c2']);
    expect(hook).toHaveBeenCalledWith(['c1']);
    expect((await list(svc)).map((c) => c.id)).toEqual(['c2']);
  });
  it('all a site paid for: only that site’s, every id to the rule removal', async () => {
    const svc = await services(cred(1), cred(2, { paidBy: 'https://shop.example' }), cred(3));
    const hook = vi.fn(async () => undefined);
    setRevokedRulesHook(hook);
    const after = await revoke(svc, { paidBy: 'https://news.example' });
    expect(after.credentials.map((c) => c.id)).toEqual(['c2']);
    expect(hook).toHaveBeenCalledWith(['c1', 'c3']);
  });
  it('an id already gone is no error, and no rule to remove', async () => {
    const svc = await services(cred(1));
    const hook = vi.fn(async () => undefined);
    setRevokedRulesHook(hook);
    expect((await revoke(svc, { id: 'nope' })).credentials.map((c) => c.id)).toEqual(['c1']);
    expect(hook).not.toHaveBeenCalled();
  });
  it('without the hook wired, revoking still works (the glue resyncs its rules on the vault change)', async () => {
    const svc = await services(cred(1));
    expect((await revoke(svc, { id: 'c1' })).credentials).toEqual([]);
  });
  it('the request schema takes an id or a site, nothing else', () => {
    expect(uiRequest.safeParse({ type: 'paywall.revoke', target: { id: 'c1' } }).success).toBe(true);
    expect(uiRequest.safeParse({ type: 'paywall.revoke', target: { paidBy: 'https://news.example' } }).success).toBe(true);
    expect(uiRequest.safeParse({ type: 'paywall.revoke', target: {} }).success).toBe(false);
    expect(uiRequest.safeParse({ type: 'paywall.revoke', target: { id: 'c1', paidBy: 'https://news.example' } }).success).toBe(false);
    expect(uiRequest.safeParse({ type: 'paywall.revoke', target: { id: '' } }).success).toBe(false);
    expect(uiRequest.safeParse({ type: 'paywall.list', extra: 1 }).success).toBe(false);
  });
  it('the limits patch carries the 402 settings, whole', () => {
    expect(uiRequest.safeParse({ type: 'limits.updateGlobal', patch: { l402: { autoPay: false, overBudget: 'show402' } } }).success).toBe(true);
    expect(uiRequest.safeParse({ type: 'limits.updateGlobal', patch: { l402: { autoPay: false } } }).success).toBe(false);
    expect(uiRequest.safeParse({ type: 'limits.updateGlobal', patch: { l402: { autoPay: true, overBudget: 'never' } } }).success).toBe(false);
    expect(uiRequest.safeParse({ type: 'limits.updateSite', origin: 'https://news.example', patch: { l402AutoPay: true } }).success).toBe(true);
  });
});
