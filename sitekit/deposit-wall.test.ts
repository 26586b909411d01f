import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { recordingFetch } from '../devnet/contract/recording-fetch.ts';
import { startDevnet, type Devnet } from '../devnet/index.ts';
import { parseDepositChallenge } from '../src/deposit/challenge.ts';
import { depositKeyFor } from '../src/deposit/credential.ts';
import { depositNonce, nonceWindow } from '../src/deposit/nonce.ts';
import { rootFromSeed } from '../src/keys/root.ts';
import { codeOf, rejectedWith, thrownCode } from '../src/testing/expect-code.ts';
import { memoryActivity } from './activity.ts';
import { createDepositWall, type DepositWall, type DepositWallOptions } from './deposit-wall.ts';
import { createVisitor, type HeldDeposit, type Visitor } from './visitor.ts';

const ORIGIN = 'https://news.example';
const ARTICLE = `${ORIGIN}/article`;
const SECRET = '42'.repeat(32);
const AMOUNT = 5_000;

let dn: Devnet;
const lndContract = recordingFetch('lnd');
let shift = 0;
const now = () => Date.now() + shift * 1000;

function wallOptions(o: Partial<DepositWallOptions> = {}): DepositWallOptions {
  return {
    lndUrl: dn.nodes.carol.lndRestUrl, macaroon: dn.nodes.carol.adminMacaroonHex, fetch: lndContract.fetch,
    secret: SECRET, origin: ORIGIN, realm: 'articles', amountSat: AMOUNT, maxHoldSeconds: 3600, maxCltv: 40, idleSeconds: 600,
    paths: { release: '/deposit/release', status: '/deposit/status' }, forfeitTerms: `${ORIGIN}/terms#forfeit`, now, ...o,
  };
}

/** The site: the wall's endpoints, then the page behind the guard. */
const siteOf = (w: DepositWall) => async (req: Request): Promise<Response> => {
  const handled = await w.handle(req);
  if (handled) return handled;
  const g = await w.guard(req);
  if (!g.ok) return g.response;
  return new Response('the article', { status: 200, headers: g.headers });
};

let wall: DepositWall;
let alice: Visitor;
const visitorFor = (seed: number, w = () => wall) =>
  createVisitor({ root: rootFromSeed(new Uint8Array(64).fill(seed)), lndUrl: dn.nodes.alice.lndRestUrl, macaroon: dn.nodes.alice.adminMacaroonHex, site: (r) => siteOf(w())(r), now });

const aliceLocalSat = async () => (await dn.control.balances('alice')).channels.reduce((n, c) => n + c.localSat, 0);
const get = (headers: Record<string, string> = {}) => wall.guard(new Request(ARTICLE, { headers }));
const refusal = async (headers: Record<string, string>) => {
  const g = await get(headers);
  if (g.ok) throw new Error('granted');
  return g.response;
};
const freshNonce = (hash: string, secret = SECRET) => depositNonce(Buffer.from(secret, 'hex'), hash, nonceWindow(Math.floor(now() / 1000)));
const stateOn = async (hash: string) => (await dn.control.lookupInvoice('carol', hash)).state;
/** Waits until the visitor's node has the final outcome (a canceled HTLC fails back asynchronously). */
async function finalOutcome(v: Visitor, hash: string) {
  for (let i = 0; i < 100; i++) {
    const o = await v.outcome(hash);
    if (o !== 'IN_FLIGHT') return o;
    await new Promise((r) => setTimeout(r, 20));
  }
  return 'IN_FLIGHT';
}
async function held(v = alice): Promise<HeldDeposit> {
  const { response, deposit } = await v.visit(ARTICLE);
  expect(response.status).toBe(200);
  return deposit!;
}

beforeAll(async () => {
  dn = await startDevnet({ basePort: 0, validate: true });
  wall = createDepositWall(wallOptions());
  alice = visitorFor(1);
});
afterAll(() => dn.stop());
afterEach(async () => {
  shift = 0;
  wall = createDepositWall(wallOptions());
  // A test that failed half-way leaves no deposit behind for the next one's sweep counts.
  for (const d of await wall.list()) if (d.state === 'held' || d.state === 'pending') await dn.control.cancelInvoice('carol', d.paymentHash);
  expect(lndContract.violations()).toEqual([]);
  expect(dn.control.contractViolations()).toEqual([]);
});

describe('challenge', () => {
  it('answers 402 with one Deposit challenge the wallet parser accepts, and a hold invoice on the node', async () => {
    const res = await refusal({ accept: 'text/html' });
    expect(res.status).toBe(402);
    expect(res.headers.get('deposit-reason')).toBeNull();
    expect(res.headers.get('cache-control')).toBe('no-store');
    const header = res.headers.get('www-authenticate')!;
    expect(header).toMatch(/^Deposit /);
    expect(header).not.toMatch(/L402|LSAT|Payment /);
    const c = parseDepositChallenge(header, ORIGIN)!;
    expect(c).toMatchObject({
      realm: 'articles', amountSat: AMOUNT, maxHoldSeconds: 3600, maxCltv: 40, idleSeconds: 600,
      release: `${ORIGIN}/deposit/release`, status: `${ORIGIN}/deposit/status`, forfeit: `${ORIGIN}/terms#forfeit`,
    });
    expect(c.invoice.minFinalCltvExpiry).toBe(40);
    expect(c.invoice.expiresAt - c.invoice.timestamp).toBe(600);
    expect(c.nonce).toBe(freshNonce(c.invoice.paymentHash));
    const inv = await dn.control.lookupInvoice('carol', c.invoice.paymentHash);
    expect(inv).toMatchObject({ state: 'OPEN', hold: true, valueSat: AMOUNT });
    expect(inv.memo).toMatch(/^deposit articles [0-9a-f]{32}$/);
    const page = await res.text();
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page).toContain('refundable deposit of 5,000 sats');
    expect(page).toContain('10 minutes without activity');
    expect(page).toContain(`<a href="${ORIGIN}/terms#forfeit">`);
  });

  it('a new invoice per challenge; plain text without text/html; another Authorization scheme is no credential', async () => {
    const a = await refusal({});
    const b = await refusal({ authorization: 'Bearer abc' });
    expect(a.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await a.text()).toContain('Forfeited only on breach of the terms');
    expect(b.headers.get('deposit-reason')).toBeNull();
    const hash = (r: Response) => parseDepositChallenge(r.headers.get('www-authenticate')!, ORIGIN)!.invoice.paymentHash;
    expect(hash(a)).not.toBe(hash(b));
  });

  it('a page of the site’s own', async () => {
    wall = createDepositWall(wallOptions({ page: (c, html) => ({ contentType: 'text/x-test', body: `${c.amountSat} ${html}` }) }));
    const res = await refusal({ accept: 'text/html' });
    expect([res.headers.get('content-type'), await res.text()]).toEqual(['text/x-test', '5000 true']);
  });
});

describe('a visit', () => {
  it('pay with the key record → pending → held → page → release: the payer is whole again', async () => {
    const before = await aliceLocalSat();
    const first = await get();
    if (first.ok) throw new Error('granted without a deposit');
    const d = await alice.pay(first.response, ARTICLE);
    const s = await alice.waitHeld(d);
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({ state: 'held', amount: AMOUNT, idleLeft: 600 });
    expect(Math.abs(s.body.holdUntil! - (Math.floor(Date.now() / 1000) + 3600))).toBeLessThanOrEqual(2);
    expect(await stateOn(d.paymentHash)).toBe('ACCEPTED');
    expect(await aliceLocalSat()).toBeLessThan(before - AMOUNT + 1);

    const page = await alice.fetch(ARTICLE, d);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe('the article');
    expect(page.headers.get('deposit-nonce')).toMatch(/^[0-9a-f]{64}$/);
    expect(page.headers.get('cache-control')).toBe('private, no-store');

    const r = await alice.release(d);
    expect(r).toEqual({ status: 200, body: { state: 'released' } });
    expect(await finalOutcome(alice, d.paymentHash)).toBe('FAILED');
    expect(await stateOn(d.paymentHash)).toBe('CANCELED');
    expect(await aliceLocalSat()).toBe(before);

    expect(await alice.release(d)).toEqual({ status: 200, body: { state: 'released' } });
    expect((await alice.status(d)).body).toEqual({ state: 'released', amount: AMOUNT, idleLeft: 0, holdUntil: s.body.holdUntil });
    const after = await alice.fetch(ARTICLE, d);
    expect([after.status, after.headers.get('deposit-reason')]).toEqual([402, 'released']);
    expect(after.headers.get('deposit-nonce')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('status of an unpaid deposit is pending; it is never granted; releasing it cancels the invoice', async () => {
    const first = await refusal({});
    const c = parseDepositChallenge(first.headers.get('www-authenticate')!, ORIGIN)!;
    const d: HeldDeposit = { origin: ORIGIN, realm: 'articles', paymentHash: c.invoice.paymentHash, amountSat: AMOUNT, release: c.release, status: c.status, nonce: c.nonce };
    const s = await alice.status(d);
    expect(s.body).toMatchObject({ state: 'pending', amount: AMOUNT, idleLeft: 600 });
    const page = await alice.fetch(ARTICLE, d);
    expect([page.status, page.headers.get('deposit-reason')]).toEqual([402, 'not-held']);
    expect(await alice.release(d)).toEqual({ status: 200, body: { state: 'released' } });
    expect(await stateOn(d.paymentHash)).toBe('CANCELED');
    expect((await alice.status(d)).body).toEqual({ state: 'released', amount: AMOUNT, idleLeft: 0, holdUntil: 0 });
  });

  it('forfeit settles: the payer SUCCEEDS (pays); status says forfeited, release 409, the page is refused', async () => {
    const before = await aliceLocalSat();
    const d = await held();
    expect(await wall.forfeit(d.paymentHash)).toBe('forfeited');
    expect(await finalOutcome(alice, d.paymentHash)).toBe('SUCCEEDED');
    expect(await stateOn(d.paymentHash)).toBe('SETTLED');
    expect(await aliceLocalSat()).toBeLessThanOrEqual(before - AMOUNT);
    expect((await alice.status(d)).body.state).toBe('forfeited');
    expect(await alice.release(d)).toEqual({ status: 409, body: { state: 'forfeited' } });
    expect((await alice.fetch(ARTICLE, d)).headers.get('deposit-reason')).toBe('forfeited');
    expect(await wall.forfeit(d.paymentHash)).toBe('forfeited');
  });

  it('forfeit refuses what is not a held deposit of this wall', async () => {
    const other = await dn.control.createInvoice('carol', { amountSat: 10, hold: true });
    expect(await codeOf(wall.forfeit(other.paymentHash))).toBe('INVOICE_UNKNOWN');
    expect(await codeOf(wall.forfeit('ab'.repeat(32)))).toBe('INVOICE_UNKNOWN');
    const open = parseDepositChallenge((await refusal({})).headers.get('www-authenticate')!, ORIGIN)!;
    expect((await rejectedWith(wall.forfeit(open.invoice.paymentHash))).message).toBe('sitekit: only a held deposit can be forfeited, state=OPEN');
    expect(await codeOf(wall.forfeit('not hex'))).toBe('NODE_BAD_INPUT');
  });

  it('a second server with the same secret and node serves the same deposit (nothing kept but activity)', async () => {
    const d = await held();
    const activity = memoryActivity();
    const twin = createDepositWall(wallOptions({ activity }));
    const before = Math.floor(now() / 1000);
    const g = await twin.guard(new Request(ARTICLE, { headers: { authorization: alice.credential(d, 'hold') } }));
    expect(g.ok).toBe(true);
    expect(await activity.get(d.paymentHash)).toBeGreaterThanOrEqual(before);
    expect(await activity.get(d.paymentHash)).toBeLessThanOrEqual(Math.floor(now() / 1000));
    const r = await twin.handle(new Request(d.release, { method: 'POST', headers: { authorization: alice.credential(d, 'release') } }));
    expect(r!.status).toBe(200);
    expect(await activity.get(d.paymentHash)).toBeUndefined();
  });
});

describe('time', () => {
  it('idle: the sweep cancels a deposit with no verified request for `idle` seconds, and only that one', async () => {
    const quiet = await held();
    const busy = await held(visitorFor(2));
    shift = 400;
    expect((await visitorFor(2).status(busy)).body.state).toBe('held');
    shift = 601;
    expect(await wall.sweep()).toMatchObject({ idle: 1, maxHold: 0 });
    expect(await stateOn(quiet.paymentHash)).toBe('CANCELED');
    expect(await stateOn(busy.paymentHash)).toBe('ACCEPTED');
    expect(await finalOutcome(alice, quiet.paymentHash)).toBe('FAILED');
    await visitorFor(2).release(busy);
  });

  it('idle: a request after the idle time is refused and releases at once, without a sweep', async () => {
    const d = await held();
    shift = 601;
    d.nonce = freshNonce(d.paymentHash); // as the wallet's status polls would have kept it
    const late = await alice.fetch(ARTICLE, d);
    expect([late.status, late.headers.get('deposit-reason')]).toEqual([402, 'idle']);
    expect(await stateOn(d.paymentHash)).toBe('CANCELED');
  });

  it('idle is counted from acceptance when no request came after it (a payment without the record)', async () => {
    const first = await refusal({});
    const c = parseDepositChallenge(first.headers.get('www-authenticate')!, ORIGIN)!;
    const paid = await dn.control.payInvoice('alice', c.invoice.paymentRequest);
    expect(paid.status).toBe('IN_FLIGHT');
    shift = 590;
    expect((await wall.sweep()).idle).toBe(0);
    shift = 610;
    expect((await wall.sweep()).idle).toBe(1);
    expect(await stateOn(c.invoice.paymentHash)).toBe('CANCELED');
  });

  it('sweepUnseen: false (sticky sessions) leaves deposits served elsewhere to their server, but not past max hold', async () => {
    const elsewhere = await held();
    wall = createDepositWall(wallOptions({ sweepUnseen: false }));
    shift = 601;
    expect(await wall.sweep()).toMatchObject({ idle: 0, maxHold: 0 });
    expect(await stateOn(elsewhere.paymentHash)).toBe('ACCEPTED');
    shift = 3601;
    expect(await wall.sweep()).toMatchObject({ maxHold: 1 });
    expect(await stateOn(elsewhere.paymentHash)).toBe('CANCELED');
  });

  it('max hold: canceled max_hold after acceptance even while the visitor is active', async () => {
    const d = await held();
    wall = createDepositWall(wallOptions({ idleSeconds: 3600 }));
    shift = 3500;
    expect((await alice.status(d)).body).toMatchObject({ state: 'held', idleLeft: expect.any(Number) });
    expect((await alice.status(d)).body.idleLeft).toBeLessThanOrEqual(101);
    shift = 3601;
    expect(await wall.sweep()).toMatchObject({ maxHold: 1 });
    expect(await finalOutcome(alice, d.paymentHash)).toBe('FAILED');
    expect((await alice.status(d)).body.state).toBe('released');
  });

  it('max hold at a request: status answers released', async () => {
    const d = await held();
    shift = 3601;
    expect((await alice.status(d)).body.state).toBe('released');
    expect(await stateOn(d.paymentHash)).toBe('CANCELED');
  });

  it('start() sweeps on a timer, stop() ends it', async () => {
    const d = await held();
    shift = 601;
    wall.start(0.05);
    for (let i = 0; i < 100 && (await stateOn(d.paymentHash)) !== 'CANCELED'; i++) await new Promise((r) => setTimeout(r, 20));
    wall.stop();
    expect(await stateOn(d.paymentHash)).toBe('CANCELED');
  });
});

describe('refused credentials', () => {
  const hold = (v: Visitor, d: HeldDeposit) => ({ authorization: v.credential(d, 'hold') });

  it('sent by another site’s page (an <img>, a form POST): refused without a challenge; a visit from a link is served', async () => {
    const d = await held();
    const from = (site: string, mode: string, method = 'GET') => wall.guard(new Request(ARTICLE, { method, headers: { ...hold(alice, d), 'sec-fetch-site': site, 'sec-fetch-mode': mode } }));
    const img = await from('cross-site', 'no-cors');
    expect(img.ok ? 200 : img.response.status).toBe(403);
    const post = await from('cross-site', 'navigate', 'POST');
    expect(post.ok ? 200 : post.response.status).toBe(403);
    expect(!img.ok && img.response.headers.get('www-authenticate')).toBe(null);
    expect((await from('cross-site', 'navigate')).ok).toBe(true);
    expect((await from('same-origin', 'cors', 'POST')).ok).toBe(true);
    expect(await stateOn(d.paymentHash)).toBe('ACCEPTED');
    await alice.release(d);
  });

  it('another wallet’s key (a valid signature, but not the key the payment carried)', async () => {
    const d = await held();
    const mallory = visitorFor(9);
    const page = await refusal(hold(mallory, d));
    expect(page.headers.get('deposit-reason')).toBe('wrong-key');
    expect(await mallory.release(d)).toEqual({ status: 403, body: { error: 'wrong-key' } });
    expect(await mallory.status(d)).toEqual({ status: 403, body: { error: 'wrong-key' } });
    expect(await stateOn(d.paymentHash)).toBe('ACCEPTED');
    await alice.release(d);
  });

  it('a payment without the key record is never granted', async () => {
    const c = parseDepositChallenge((await refusal({})).headers.get('www-authenticate')!, ORIGIN)!;
    await dn.control.payInvoice('alice', c.invoice.paymentRequest);
    const d: HeldDeposit = { origin: ORIGIN, realm: 'articles', paymentHash: c.invoice.paymentHash, amountSat: AMOUNT, release: c.release, status: c.status, nonce: c.nonce };
    expect((await refusal(hold(alice, d))).headers.get('deposit-reason')).toBe('wrong-key');
    await dn.control.cancelInvoice('carol', c.invoice.paymentHash);
  });

  it('a stale nonce: 402 with Deposit-Nonce; status/release 403 with it, and it works once signed again', async () => {
    const d = await held();
    d.nonce = depositNonce(Buffer.from(SECRET, 'hex'), d.paymentHash, nonceWindow(Math.floor(now() / 1000)) - 2);
    const page = await refusal(hold(alice, d));
    expect(page.headers.get('deposit-reason')).toBe('stale-nonce');
    const fresh = page.headers.get('deposit-nonce')!;
    expect(fresh).toMatch(/^[0-9a-f]{64}$/);
    const status = await wall.handle(new Request(d.status, { headers: hold(alice, d) }));
    expect(status!.status).toBe(403);
    const s = await wall.handle(new Request(d.status, { headers: { authorization: alice.credential(d, 'status') } }));
    expect([s!.status, await s!.json(), s!.headers.get('deposit-nonce')]).toEqual([403, { error: 'stale-nonce' }, fresh]);
    expect((await alice.status(d)).body.state).toBe('held'); // the visitor retries once with the fresh nonce
    expect((await alice.fetch(ARTICLE, d)).status).toBe(200);
    await alice.release(d);
  });

  it('a credential made for another origin, or presented at another origin', async () => {
    const d = await held();
    const elsewhere = { ...d, origin: 'https://evil.example' };
    expect((await refusal(hold(alice, elsewhere))).headers.get('deposit-reason')).toBe('bad-credential');
    const evil = createDepositWall(wallOptions({ origin: 'https://evil.example' }));
    const g = await evil.guard(new Request('https://evil.example/article', { headers: hold(alice, d) }));
    expect(g.ok ? 'granted' : g.response.headers.get('deposit-reason')).toBe('bad-credential');
    await alice.release(d);
  });

  it('a credential moved to another deposit, another action, another realm, or tampered with', async () => {
    const d = await held();
    const other = await held();
    const moved = alice.credential(d, 'hold').replace(d.paymentHash, other.paymentHash);
    expect((await refusal({ authorization: moved })).headers.get('deposit-reason')).toBe('bad-credential');
    expect((await refusal({ authorization: alice.credential(d, 'status') })).headers.get('deposit-reason')).toBe('bad-credential');
    expect((await refusal({ authorization: alice.credential({ ...d, realm: 'videos' }, 'hold') })).headers.get('deposit-reason')).toBe('bad-credential');
    const rel = await wall.handle(new Request(d.release, { method: 'POST', headers: hold(alice, d) }));
    expect([rel!.status, await rel!.json(), rel!.headers.get('deposit-nonce')]).toEqual([403, { error: 'bad-credential' }, null]);
    expect((await refusal({ authorization: 'Deposit "' })).headers.get('deposit-reason')).toBe('bad-credential');
    const none = await wall.handle(new Request(d.status));
    expect([none!.status, await none!.json()]).toEqual([403, { error: 'bad-credential' }]);
    await alice.release(d);
    await alice.release(other);
  });

  it('a stale timestamp', async () => {
    const d = await held();
    const old = alice.credential(d, 'hold');
    shift = 301;
    expect((await refusal({ authorization: old })).headers.get('deposit-reason')).toBe('bad-credential');
    shift = 0;
    await alice.release(d);
  });

  it('an invoice the wall did not make: another of the node’s, or another secret’s', async () => {
    const foreign = await dn.control.createInvoice('carol', { amountSat: AMOUNT, memo: 'deposit articles 00112233445566778899aabbccddeeff', hold: true });
    const nonce = freshNonce(foreign.paymentHash);
    const d: HeldDeposit = { origin: ORIGIN, realm: 'articles', paymentHash: foreign.paymentHash, amountSat: AMOUNT, release: `${ORIGIN}/deposit/release`, status: `${ORIGIN}/deposit/status`, nonce };
    expect((await refusal(hold(alice, d))).headers.get('deposit-reason')).toBe('unknown-deposit');
    expect(await alice.status(d)).toEqual({ status: 404, body: { error: 'unknown-deposit' } });
    const mine = await held();
    const stranger = createDepositWall(wallOptions({ secret: '43'.repeat(32) }));
    const again = { ...mine, nonce: freshNonce(mine.paymentHash, '43'.repeat(32)) };
    const g = await stranger.guard(new Request(ARTICLE, { headers: hold(alice, again) }));
    expect(g.ok ? 'granted' : g.response.headers.get('deposit-reason')).toBe('unknown-deposit');
    await alice.release(mine);
  });

  it('a deposit below a raised price', async () => {
    const d = await held();
    wall = createDepositWall(wallOptions({ amountSat: AMOUNT + 1 }));
    expect((await refusal(hold(alice, d))).headers.get('deposit-reason')).toBe('amount');
    await alice.release(d);
  });

  it('strict single use (usedCredential): the identical credential a second time is refused', async () => {
    const d = await held();
    const seen = new Set<string>();
    wall = createDepositWall(wallOptions({ usedCredential: (sig) => seen.has(sig) || (seen.add(sig), false) }));
    const cred = alice.credential(d, 'hold');
    expect((await get({ authorization: cred })).ok).toBe(true);
    expect((await refusal({ authorization: cred })).headers.get('deposit-reason')).toBe('replayed');
    await alice.release(d);
  });

  it('the identical credential twice is honoured by default (what a browser header rule does)', async () => {
    const d = await held();
    const cred = alice.credential(d, 'hold');
    expect((await get({ authorization: cred })).ok).toBe(true);
    expect((await get({ authorization: cred })).ok).toBe(true);
    await alice.release(d);
  });
});

describe('endpoints and failures', () => {
  it('handle: other paths are not its business; wrong methods get 405', async () => {
    expect(await wall.handle(new Request(`${ORIGIN}/article`))).toBeNull();
    const r = await wall.handle(new Request(`${ORIGIN}/deposit/release`));
    expect([r!.status, r!.headers.get('allow')]).toEqual([405, 'POST']);
    const s = await wall.handle(new Request(`${ORIGIN}/deposit/status`, { method: 'POST' }));
    expect([s!.status, s!.headers.get('allow')]).toEqual([405, 'GET']);
  });

  it('node down: 503 for the page and the endpoints, never a grant', async () => {
    const d = await held();
    dn.control.setDown('carol', true);
    try {
      const page = await refusal(hold(d));
      expect([page.status, page.headers.get('retry-after')]).toEqual([503, '5']);
      expect(await alice.status(d)).toEqual({ status: 503, body: { error: 'node-unavailable' } });
      expect(await codeOf(wall.sweep())).toMatch(/^NODE_/);
    } finally {
      dn.control.setDown('carol', false);
    }
    await alice.release(d);
    function hold(x: HeldDeposit) {
      return { authorization: alice.credential(x, 'hold') };
    }
  });

  it('list(): this wall’s deposits and their states', async () => {
    const d = await held();
    const all = await wall.list();
    expect(all.find((x) => x.paymentHash === d.paymentHash)).toEqual({ paymentHash: d.paymentHash, state: 'held', amountSat: AMOUNT });
    expect(all.every((x) => x.amountSat >= AMOUNT)).toBe(true);
    await alice.release(d);
  });

  it('refuses a configuration whose challenges would not parse or that wallets refuse', () => {
    const bad: Partial<DepositWallOptions>[] = [
      { origin: 'https://news.example/' }, { origin: 'not a url' }, { realm: '' }, { realm: 'a\nb' }, { realm: 'x'.repeat(257) },
      { amountSat: 0 }, { amountSat: 1.5 }, { amountSat: 2 ** 32 }, { idleSeconds: 3601 }, { maxCltv: 17 },
      { maxHoldSeconds: 40 * 600 + 1 }, { paths: { release: 'release', status: '/s' } }, { paths: { release: '/a', status: '/a' } },
      { paths: { release: '//evil.example/x', status: '/s' } }, { forfeitTerms: ' ' }, { forfeitTerms: 'ünïcödé ☃' }, { secret: 'ab'.repeat(31) },
      { secret: 'not hex at all, but long enough to pass a length check!!!!!!!!!!!!' }, { lndUrl: 'ftp://x' }, { macaroon: 'xyz' },
    ];
    for (const b of bad) expect([b, thrownCode(() => createDepositWall(wallOptions(b)))]).not.toEqual([b, 'no error']);
  });

  it('the visitor signs with the key the wallet derives for the origin', () => {
    expect(alice.keyHex(ORIGIN)).toBe(Buffer.from(depositKeyFor(rootFromSeed(new Uint8Array(64).fill(1)), ORIGIN).publicKey!).toString('hex'));
  });
});
