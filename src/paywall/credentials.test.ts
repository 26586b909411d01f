import { describe, expect, it } from 'vitest';
import { CredentialStore, MAX_CREDENTIALS, type Credential } from './credentials.ts';

const NOW = 1_900_000_000_000;
const hash = (n: number) => n.toString(16).padStart(64, '0');

function store() {
  let value: unknown;
  const s = new CredentialStore(
    {
      read: async () => structuredClone(value),
      update: async (fn) => {
        value = structuredClone(fn(structuredClone(value)));
      },
    },
    () => NOW,
  );
  return { s, raw: () => value, set: (v: unknown) => (value = v) };
}

const cred = (n: number, over: Partial<Credential> = {}): Credential => ({
  id: `c${n}`,
  origin: 'https://api.example',
  paths: [`/p${n}`],
  services: ['quotes'],
  scheme: 'l402',
  header: { name: 'Authorization', value: `L402 mac${n}:${hash(n)}` },
  paymentHash: hash(n),
  amountSat: 10,
  paidBy: 'https://shop.example',
  createdAt: NOW - n,
  expiresAt: NOW / 1000 + 60,
  reusable: true,
  ...over,
});

describe('CredentialStore', () => {
  it('a newer token for the same server and services replaces the older one', async () => {
    const { s } = store();
    await s.put(cred(1));
    await s.put(cred(2));
    expect((await s.list()).map((c) => c.id)).toEqual(['c2']);
  });
  it('tokens for other services or servers live side by side, newest first', async () => {
    const { s } = store();
    await s.put(cred(1));
    await s.put(cred(2, { services: ['media'] }));
    await s.put(cred(3, { origin: 'https://other.example' }));
    expect((await s.list()).map((c) => c.id)).toEqual(['c1', 'c2', 'c3']);
  });
  it('a path belongs to one credential: applying it elsewhere moves it', async () => {
    const { s } = store();
    await s.put(cred(1, { paths: ['/a'] }));
    await s.put(cred(2, { services: ['media'], paths: ['/b'] }));
    await s.addPath('c2', '/a');
    expect((await s.forUrl(new URL('https://api.example/a?x=1')))?.id).toBe('c2');
    expect((await s.get('c1'))?.paths).toEqual([]);
  });
  it('expired credentials are neither listed nor kept', async () => {
    const { s, raw } = store();
    await s.put(cred(1, { expiresAt: NOW / 1000 - 1 }));
    await s.put(cred(2, { services: ['b'] }));
    expect((await s.list()).map((c) => c.id)).toEqual(['c2']);
    expect((raw() as { credentials: unknown[] }).credentials).toHaveLength(1);
  });
  it(`holds at most ${MAX_CREDENTIALS}`, async () => {
    const { s } = store();
    for (let i = 0; i < MAX_CREDENTIALS + 5; i++) await s.put(cred(i, { services: [`s${i}`], createdAt: NOW + i }));
    expect(await s.list()).toHaveLength(MAX_CREDENTIALS);
  });
  it('storing a credential clears its pending purchase', async () => {
    const { s } = store();
    await s.addPending({ paymentHash: hash(1), origin: 'https://api.example', path: '/a', paidBy: 'https://shop.example', headers: { wwwAuthenticate: ['L402 x'], paymentRequired: null }, createdAt: NOW });
    expect(await s.pending()).toHaveLength(1);
    await s.put(cred(1));
    expect(await s.pending()).toEqual([]);
  });
  it('damaged records are dropped one by one, never a crash', async () => {
    const { s, set } = store();
    set({ credentials: [cred(1), { id: 'broken' }, 42], pending: 'nope' });
    expect((await s.list()).map((c) => c.id)).toEqual(['c1']);
    expect(await s.pending()).toEqual([]);
  });
  it('refuses to store a credential for something that is not an origin', async () => {
    const { s } = store();
    await expect(s.put(cred(1, { origin: 'https://api.example/path' }))).rejects.toThrow();
  });
  it('removes what a site paid for', async () => {
    const { s } = store();
    await s.put(cred(1));
    await s.put(cred(2, { services: ['m'], paidBy: 'https://other.example' }));
    expect(await s.removePaidBy('https://shop.example')).toBe(1);
    expect((await s.list()).map((c) => c.id)).toEqual(['c2']);
  });
});
