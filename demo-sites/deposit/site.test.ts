import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnet, type Devnet } from '../../devnet/index.ts';
import { parseDepositChallenge } from '../../src/deposit/challenge.ts';
import { rootFromSeed } from '../../src/keys/root.ts';
import { createVisitor, type Visitor } from '../../sitekit/visitor.ts';
import { startDemoSites, type DemoSites } from '../server.ts';
import { startDepositSites } from './sites.ts';

// The demo site over real HTTP against the in-process devnet; the visitor pays from alice as the
// wallet would (site key in TLV 1402001).
let devnet: Devnet;
let sites: DemoSites;
let visitor: Visitor;
const article = () => `${sites.url}/deposit/article.html`;
const aliceLocalSat = async () => (await devnet.control.balances('alice')).channels.reduce((n, c) => n + c.localSat, 0);
async function settled(hash: string) {
  for (let i = 0; i < 100; i++) {
    const o = await visitor.outcome(hash);
    if (o !== 'IN_FLIGHT') return o;
    await new Promise((r) => setTimeout(r, 20));
  }
  return 'IN_FLIGHT';
}

beforeAll(async () => {
  devnet = await startDevnet({ basePort: 0, validate: true });
  sites = await startDemoSites({ devnet: devnet.control, deposit: { amountSat: 100_000 } });
  visitor = createVisitor({ root: rootFromSeed(new Uint8Array(64).fill(7)), lndUrl: devnet.nodes.alice.lndRestUrl, macaroon: devnet.nodes.alice.adminMacaroonHex });
});
afterAll(async () => {
  await sites.stop();
  expect(devnet.control.contractViolations()).toEqual([]);
  await devnet.stop();
});

describe('the deposit demo in the demo sites', () => {
  it('without a deposit: 402, a Deposit challenge for 100,000 sats and a page that explains it', async () => {
    const res = await fetch(article(), { headers: { accept: 'text/html' } });
    expect(res.status).toBe(402);
    const c = parseDepositChallenge(res.headers.get('www-authenticate')!, sites.url)!;
    expect(c).toMatchObject({ amountSat: 100_000, idleSeconds: 600, maxHoldSeconds: 3600, maxCltv: 40, forfeit: `${sites.url}/deposit/terms.html` });
    expect(c.release).toBe(`${sites.url}/deposit/release`);
    const page = await res.text();
    expect(page).toContain('This page asks a refundable deposit of 100,000 sats');
    expect(page).toContain('data-deposit="402"');
    const terms = await fetch(`${sites.url}/deposit/terms.html`);
    expect(await terms.text()).toContain('forfeited only for abuse');
  });

  it('with a deposit: the article and its abuse button; release gives it all back', async () => {
    const before = await aliceLocalSat();
    const { response, deposit } = await visitor.visit(article(), { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).toContain('data-deposit="held"');
    expect(body).toContain(`<code id="deposit-hash">${deposit!.paymentHash}</code>`);
    expect(body).toContain('<form method="post" action="/deposit/abuse">');
    expect((await sites.deposit!.stats()).held).toBeGreaterThanOrEqual(1);
    expect((await visitor.release(deposit!)).body).toEqual({ state: 'released' });
    expect(await settled(deposit!.paymentHash)).toBe('FAILED');
    expect(await aliceLocalSat()).toBe(before);
  });

  it('abuse: POST /deposit/abuse with the credential forfeits the deposit', async () => {
    const before = await sites.deposit!.stats();
    const { deposit } = await visitor.visit(article());
    const res = await visitor.fetch(`${sites.url}/deposit/abuse`, deposit!, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('data-deposit="forfeited"');
    expect(await settled(deposit!.paymentHash)).toBe('SUCCEEDED');
    const after = await sites.deposit!.stats();
    expect(after.forfeited).toBe(before.forfeited + 1);
    expect(after.issued).toBeGreaterThanOrEqual(before.issued + 1);
  });

  it('abuse without a deposit is only a 402', async () => {
    const res = await fetch(`${sites.url}/deposit/abuse`, { method: 'POST' });
    expect(res.status).toBe(402);
  });

  it('stats come from the node; config changes the next challenge and refuses bad values', async () => {
    const s = await (await fetch(`${sites.url}/deposit/stats`)).json();
    expect(Object.keys(s).sort()).toEqual(['config', 'forfeited', 'held', 'issued', 'pending', 'released']);
    expect(s.issued).toBe(s.pending + s.held + s.released + s.forfeited);
    const post = (body: unknown) => fetch(`${sites.url}/deposit/config`, { method: 'POST', body: JSON.stringify(body) });
    const ok = await post({ amountSat: 2_000, idleSeconds: 60, maxHoldSeconds: 600, maxCltv: 30 });
    expect(await ok.json()).toEqual({ amountSat: 2_000, idleSeconds: 60, maxHoldSeconds: 600, maxCltv: 30 });
    const c = parseDepositChallenge((await fetch(article())).headers.get('www-authenticate')!, sites.url)!;
    expect([c.amountSat, c.idleSeconds, c.maxHoldSeconds, c.maxCltv, c.invoice.minFinalCltvExpiry]).toEqual([2_000, 60, 600, 30, 30]);
    for (const bad of [{ amountSat: 0 }, { idleSeconds: 601 }, { maxCltv: 5 }, { price: 1 }, { amountSat: 'many' }]) {
      const r = await post(bad);
      expect([bad, r.status]).toEqual([bad, 400]);
    }
    expect(await (await fetch(`${sites.url}/deposit/config`)).json()).toMatchObject({ amountSat: 2_000 });
    expect((await post({ amountSat: 100_000, idleSeconds: 600, maxHoldSeconds: 3600, maxCltv: 40 })).status).toBe(200);
  });

  it('unknown deposit paths are 404; status without a credential 403', async () => {
    expect((await fetch(`${sites.url}/deposit/nothing`)).status).toBe(404);
    expect((await fetch(`${sites.url}/deposit/status`)).status).toBe(403);
  });
});

describe('startDepositSites: the same wall on many origins', () => {
  it('100 sites: a deposit at each, each with its own key; none honours another’s; all refunded', async () => {
    const many = await startDepositSites({ count: 100, devnet: devnet.control, amountSat: 1_000, sweepSeconds: 0 });
    try {
      expect(new Set(many.urls).size).toBe(100);
      const before = await aliceLocalSat();
      const visits = [];
      for (const url of many.urls) {
        const v = await visitor.visit(`${url}/deposit/article.html`);
        expect(v.response.status).toBe(200);
        visits.push(v.deposit!);
      }
      expect(new Set(many.urls.map((u) => visitor.keyHex(u))).size).toBe(100);
      // Site 0's deposit, signed correctly for site 1's origin, is not site 1's deposit.
      const moved = { ...visits[0]!, origin: many.urls[1]! };
      const first = await visitor.fetch(`${many.urls[1]}/deposit/article.html`, moved);
      expect([first.status, first.headers.get('deposit-reason')]).toEqual([402, 'stale-nonce']); // site 1's nonces are its own
      const again = await visitor.fetch(`${many.urls[1]}/deposit/article.html`, moved); // signed with site 1's Deposit-Nonce
      expect([again.status, again.headers.get('deposit-reason')]).toEqual([402, 'unknown-deposit']);
      expect((await many.sites[0]!.stats()).held).toBe(1);
      for (const d of visits) expect((await visitor.release(d)).body).toEqual({ state: 'released' });
      for (const d of visits) expect(await settled(d.paymentHash)).toBe('FAILED');
      expect(await aliceLocalSat()).toBe(before);
    } finally {
      await many.stop();
    }
  }, 60_000);
});
