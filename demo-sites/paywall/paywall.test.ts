import { request as httpRequest } from 'node:http';
import { randomBytes } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDevnet, type Devnet, type DevnetControl } from '../../devnet/index.ts';
import { decodeInvoice } from '../../src/bolt11/index.ts';
import { startDemoSites, type DemoSites } from '../server.ts';
import { parseChallenges } from './auth-header.ts';
import { addCaveat, decodeIdentifier, decodeMacaroon, encodeIdentifier, encodeMacaroon, mintMacaroon } from './macaroon.ts';
import * as mpp from './mpp.ts';
import { startPaywallServer, type PaywallServer, type PaywallStats } from './paywall.ts';
import { X402_NETWORK, type PaymentRequired } from './x402.ts';

// The paywall in-process against the in-process devnet; alice (the wallet's node) pays through
// the devnet control API. The clock is the paywall's own, moved by `skewMs`.
let devnet: Devnet;
let pw: PaywallServer;
let skewMs = 0;

beforeAll(async () => {
  devnet = await startDevnet({ basePort: 0 });
  pw = await startPaywallServer({ control: devnet.control, now: () => Date.now() + skewMs, priceSat: 10, validitySec: 60 });
});
afterAll(async () => {
  await pw.stop();
  await devnet.stop();
});
beforeEach(() => {
  skewMs = 0;
});

interface Raw {
  status: number;
  headers: Record<string, string[]>;
  body: string;
}

/** A GET with node:http, keeping repeated response headers apart. */
function get(base: string, path: string, headers: Record<string, string | string[]> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        const h: Record<string, string[]> = {};
        for (let i = 0; i < res.rawHeaders.length; i += 2) (h[res.rawHeaders[i]!.toLowerCase()] ??= []).push(res.rawHeaders[i + 1]!);
        resolve({ status: res.statusCode ?? 0, headers: h, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}
const at = (path: string, headers?: Record<string, string | string[]>) => get(pw.url, path, headers);
const one = (r: Raw, name: string) => r.headers[name]?.[0] ?? '';

async function pay(paymentRequest: string): Promise<string> {
  const out = await devnet.control.payInvoice('alice', paymentRequest);
  expect(out.status).toBe('SUCCEEDED');
  return out.preimage!;
}

const stats = async (): Promise<PaywallStats> => (await fetch(`${pw.url}/paywall/stats`)).json() as Promise<PaywallStats>;
const post = (base: string, path: string, body?: unknown) =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? '' : JSON.stringify(body) });

// ---------------- L402 ----------------

interface L402Challenge {
  macaroon: string;
  invoice: string;
}

function l402Challenge(r: Raw): L402Challenge {
  expect(r.status).toBe(402);
  const [lsat, l402] = r.headers['www-authenticate'] ?? [];
  const m = /^LSAT macaroon="([A-Za-z0-9+/=]+)", invoice="(lnbcrt[0-9a-z]+)"$/.exec(lsat ?? '');
  expect(m, lsat).toBeTruthy();
  expect(l402).toBe(`L402 macaroon="${m![1]}", invoice="${m![2]}"`);
  return { macaroon: m![1]!, invoice: m![2]! };
}

async function buyL402(path: string): Promise<{ auth: string; challenge: L402Challenge; preimage: string }> {
  const challenge = l402Challenge(await at(path));
  const preimage = await pay(challenge.invoice);
  return { auth: `L402 ${challenge.macaroon}:${preimage}`, challenge, preimage };
}

describe('L402 (as Aperture)', () => {
  it('answers an unauthenticated request with 402 and two challenges, LSAT first, one macaroon and invoice', async () => {
    const r = await at('/paywall/l402/data.json');
    const { macaroon, invoice } = l402Challenge(r);
    expect(r.headers['www-authenticate']).toHaveLength(2);
    expect(one(r, 'content-type')).toBe('text/plain; charset=utf-8');
    expect(r.body).toBe('payment required\n');
    expect(one(r, 'cache-control')).toBe('no-store');
    expect(one(r, 'access-control-expose-headers')).toContain('WWW-Authenticate');

    const inv = decodeInvoice(invoice);
    expect(inv.network).toBe('regtest');
    expect(inv.amountMsat).toBe(10_000n);
    expect(inv.payee).toBe(devnet.control.nodeInfo('carol').pubkey);
    const mac = decodeMacaroon(Buffer.from(macaroon, 'base64'));
    expect(mac.location).toBe('lsat');
    const id = decodeIdentifier(mac.identifier);
    expect(bytesToHex(id.paymentHash)).toBe(inv.paymentHash);
    const caveats = mac.caveats.map((c) => new TextDecoder().decode(c));
    expect(caveats[0]).toBe('services=data:0');
    const until = Number(/^data_valid_until=(\d+)$/.exec(caveats[1]!)![1]);
    expect(Math.abs(until - (Date.now() / 1000 + 60))).toBeLessThan(3);

    // What a browser's fetch sees: one comma-joined value holding both challenges.
    const joined = (await fetch(`${pw.url}/paywall/l402/data.json`)).headers.get('www-authenticate')!;
    expect(parseChallenges(joined).map((c) => [c.scheme, Object.keys(c.params)])).toEqual([
      ['LSAT', ['macaroon', 'invoice']],
      ['L402', ['macaroon', 'invoice']],
    ]);
  });

  it('serves the content after alice pays, with L402 and with LSAT, again and again', async () => {
    const { auth, challenge, preimage } = await buyL402('/paywall/l402/data.json');
    const r = await at('/paywall/l402/data.json', { authorization: auth });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ paidWith: 'l402', paymentHash: decodeInvoice(challenge.invoice).paymentHash });
    expect((await at('/paywall/l402/data.json', { authorization: `LSAT ${challenge.macaroon}:${preimage}` })).status).toBe(200);
    // Aperture's own client sends both headers, LSAT first.
    expect((await at('/paywall/l402/data.json', { authorization: [`LSAT ${challenge.macaroon}:${preimage}`, auth] })).status).toBe(200);
    expect((await at('/paywall/l402/data.json', { authorization: auth })).status).toBe(200);
  });

  it('one media token opens both the image and the poster, not the data', async () => {
    const { auth } = await buyL402('/paywall/l402/image.svg');
    const img = await at('/paywall/l402/image.svg', { authorization: auth });
    expect([img.status, one(img, 'content-type')]).toEqual([200, 'image/svg+xml']);
    expect((await at('/paywall/l402/poster.svg', { authorization: auth })).status).toBe(200);
    const data = await at('/paywall/l402/data.json', { authorization: auth });
    expect([data.status, one(data, 'x-paywall-reason')]).toEqual([402, 'wrong-service']);
    expect(data.body).toMatch(/^payment required \(wrong-service: token is for media, not data\)/);
    l402Challenge(data); // a fresh challenge for the data service
  });

  it('refuses a wrong preimage', async () => {
    const { challenge } = await buyL402('/paywall/l402/data.json');
    const r = await at('/paywall/l402/data.json', { authorization: `L402 ${challenge.macaroon}:${bytesToHex(randomBytes(32))}` });
    expect([r.status, one(r, 'x-paywall-reason')]).toEqual([402, 'wrong-preimage']);
    l402Challenge(r);
  });

  it('refuses malformed credentials, an uppercase preimage and a macaroon it did not mint', async () => {
    const { challenge, preimage } = await buyL402('/paywall/l402/data.json');
    for (const authorization of ['L402 !!!:zz', `L402 ${challenge.macaroon}:${preimage.toUpperCase()}`, `L402 ${challenge.macaroon}`, 'L402 AAAA:' + preimage]) {
      const r = await at('/paywall/l402/data.json', { authorization });
      expect([r.status, one(r, 'x-paywall-reason')], authorization).toEqual([402, 'malformed-credential']);
    }
    const foreign = mintMacaroon(randomBytes(32), encodeIdentifier(sha256(Buffer.from(preimage, 'hex')), randomBytes(32)), 'lsat', ['services=data:0']);
    const r = await at('/paywall/l402/data.json', { authorization: `L402 ${Buffer.from(encodeMacaroon(foreign)).toString('base64')}:${preimage}` });
    expect(one(r, 'x-paywall-reason')).toBe('unknown-token');
  });

  it('verifies the HMAC chain: a forged caveat fails, a holder-added narrower caveat passes, a wider one fails', async () => {
    const { challenge, preimage } = await buyL402('/paywall/l402/data.json');
    const mac = decodeMacaroon(Buffer.from(challenge.macaroon, 'base64'));
    const b64 = (m: typeof mac) => Buffer.from(encodeMacaroon(m)).toString('base64');
    const forged = { ...mac, caveats: [new TextEncoder().encode('services=data:0,media:0'), mac.caveats[1]!] };
    expect(one(await at('/paywall/l402/image.svg', { authorization: `L402 ${b64(forged)}:${preimage}` }), 'x-paywall-reason')).toBe('bad-signature');
    const soon = Math.floor(Date.now() / 1000) + 30;
    expect((await at('/paywall/l402/data.json', { authorization: `L402 ${b64(addCaveat(mac, `data_valid_until=${soon}`))}:${preimage}` })).status).toBe(200);
    const later = `data_valid_until=${soon + 3600}`;
    expect(one(await at('/paywall/l402/data.json', { authorization: `L402 ${b64(addCaveat(mac, later))}:${preimage}` }), 'x-paywall-reason')).toBe('bad-caveat');
  });

  it('answers 402 with a fresh challenge once the validity caveat has passed', async () => {
    const { auth, challenge } = await buyL402('/paywall/l402/data.json');
    expect((await at('/paywall/l402/data.json', { authorization: auth })).status).toBe(200);
    skewMs = 61_000;
    const r = await at('/paywall/l402/data.json', { authorization: auth });
    expect([r.status, one(r, 'x-paywall-reason')]).toEqual([402, 'expired']);
    expect(l402Challenge(r).invoice).not.toBe(challenge.invoice);
    const fresh = decodeMacaroon(Buffer.from(l402Challenge(r).macaroon, 'base64'));
    const until = Number(new TextDecoder().decode(fresh.caveats[1]!).split('=')[1]);
    expect(until).toBeGreaterThan(Date.now() / 1000 + 100);
  });

  it('revoke: the old credential gets a fresh challenge, one more payment opens it again', async () => {
    const { auth } = await buyL402('/paywall/l402/article.html');
    expect((await at('/paywall/l402/article.html', { authorization: auth })).status).toBe(200);
    const res = await post(pw.url, '/paywall/revoke', { scheme: 'l402' });
    expect(((await res.json()) as { revoked: { l402: number } }).revoked.l402).toBeGreaterThan(0);
    const r = await at('/paywall/l402/article.html', { authorization: auth });
    expect([r.status, one(r, 'x-paywall-reason')]).toEqual([402, 'revoked']);
    const next = l402Challenge(r);
    const preimage = await pay(next.invoice);
    expect((await at('/paywall/l402/article.html', { authorization: `L402 ${next.macaroon}:${preimage}` })).status).toBe(200);
  });

  it('revoke by payment hash touches only that token', async () => {
    const a = await buyL402('/paywall/l402/data.json');
    const b = await buyL402('/paywall/l402/data.json');
    const hash = decodeInvoice(a.challenge.invoice).paymentHash;
    expect(await (await post(pw.url, '/paywall/revoke', { paymentHash: hash })).json()).toEqual({ revoked: { l402: 1, mpp: 0 } });
    expect((await at('/paywall/l402/data.json', { authorization: a.auth })).status).toBe(402);
    expect((await at('/paywall/l402/data.json', { authorization: b.auth })).status).toBe(200);
  });

  it('20 concurrent requests with one credential: all served, exactly one payment', async () => {
    await post(pw.url, '/paywall/reset');
    const { auth } = await buyL402('/paywall/l402/data.json');
    const all = await Promise.all(Array.from({ length: 20 }, () => at('/paywall/l402/data.json', { authorization: auth })));
    expect(all.map((r) => r.status)).toEqual(Array(20).fill(200));
    const s = await stats();
    expect(s.l402).toEqual({ invoicesIssued: 1, invoicesSettled: 1, invoicesAccepted: 0, served: 20, refused: 0 });
    expect(s.servedByPath).toEqual({ 'l402/data.json': 20 });
  });

  it('20 concurrent unauthenticated requests: 20 challenges, each with its own invoice', async () => {
    await post(pw.url, '/paywall/reset');
    const all = await Promise.all(Array.from({ length: 20 }, () => at('/paywall/l402/frame.html')));
    expect(new Set(all.map((r) => l402Challenge(r).invoice)).size).toBe(20);
    expect((await stats()).l402).toMatchObject({ invoicesIssued: 20, invoicesSettled: 0 });
  });
});

describe('unsettled invoices (hold invoices with a preimage the test knows)', () => {
  let held: PaywallServer;
  const preimages = new Map<string, string>();

  beforeAll(async () => {
    const carol = devnet.control.nodeInfo('carol');
    // The merchant makes hold invoices for hashes whose preimage this test holds: it can present a
    // credential before (or without) the invoice being settled.
    const control: Pick<DevnetControl, 'createInvoice' | 'lookupInvoice'> = {
      lookupInvoice: (node, hash) => devnet.control.lookupInvoice(node, hash),
      createInvoice: async (node, o) => {
        expect(node).toBe('carol');
        const preimage = randomBytes(32);
        const hash = sha256(preimage);
        const res = await fetch(`${carol.lndRestUrl}/v2/invoices/hodl`, {
          method: 'POST',
          headers: { 'grpc-metadata-macaroon': carol.adminMacaroonHex },
          body: JSON.stringify({ hash: Buffer.from(hash).toString('base64'), value: String(o.amountSat), memo: o.memo, expiry: String(o.expirySec) }),
        });
        const { payment_request } = (await res.json()) as { payment_request: string };
        preimages.set(bytesToHex(hash), preimage.toString('hex'));
        return { paymentRequest: payment_request, paymentHash: bytesToHex(hash) };
      },
    };
    held = await startPaywallServer({ control });
  });
  afterAll(() => held.stop());

  it('L402: refused while OPEN and while the HTLC is held (Retry-After), served once settled', async () => {
    const c = l402Challenge(await get(held.url, '/paywall/l402/data.json'));
    const hash = decodeInvoice(c.invoice).paymentHash;
    const auth = `L402 ${c.macaroon}:${preimages.get(hash)}`;
    const open = await get(held.url, '/paywall/l402/data.json', { authorization: auth });
    expect([open.status, one(open, 'x-paywall-reason'), one(open, 'retry-after')]).toEqual([402, 'invoice-not-settled', '']);
    expect((await devnet.control.payInvoice('alice', c.invoice)).status).toBe('IN_FLIGHT');
    const inFlight = await get(held.url, '/paywall/l402/data.json', { authorization: auth });
    expect([inFlight.status, one(inFlight, 'x-paywall-reason'), one(inFlight, 'retry-after')]).toEqual([402, 'invoice-not-settled', '1']);
    expect((await held.paywall.stats()).l402).toMatchObject({ invoicesAccepted: 1, invoicesSettled: 0 });
    await devnet.control.settleInvoice('carol', hash, preimages.get(hash));
    expect((await get(held.url, '/paywall/l402/data.json', { authorization: auth })).status).toBe(200);
  });

  it('Payment: refused while unpaid', async () => {
    const r = await get(held.url, '/paywall/mpp/data.json');
    const challenge = mppChallenge(r);
    const hash = (mpp.decodeRequest(challenge.request) as mpp.ChargeRequest).methodDetails.paymentHash;
    const refused = await get(held.url, '/paywall/mpp/data.json', { authorization: mpp.encodeCredential(challenge, preimages.get(hash)!) });
    expect([refused.status, one(refused, 'x-paywall-reason')]).toEqual([402, 'invoice-not-settled']);
  });
});

// ---------------- Payment (MPP) ----------------

/** The echo Alby's client builds: id, realm, method, intent, request, expires. */
function mppChallenge(r: Raw): mpp.ChallengeParams {
  expect(r.status).toBe(402);
  expect(r.headers['www-authenticate']).toHaveLength(1);
  const [c] = parseChallenges(one(r, 'www-authenticate'));
  expect(c!.scheme).toBe('Payment');
  expect(Object.keys(c!.params)).toEqual(['id', 'realm', 'method', 'intent', 'request', 'expires']);
  const { id, realm, method, intent, request, expires } = c!.params as Required<mpp.ChallengeParams>;
  return { id, realm, method, intent, request, expires };
}

async function buyMpp(path: string) {
  const challenge = mppChallenge(await at(path));
  const req = mpp.decodeRequest(challenge.request) as mpp.ChargeRequest;
  const preimage = await pay(req.methodDetails.invoice);
  return { challenge, req, preimage, auth: mpp.encodeCredential(challenge, preimage) };
}

describe('Payment scheme, Lightning charge (as Aperture)', () => {
  it('challenges with one Payment header, a JCS request holding the invoice, a problem body', async () => {
    const r = await at('/paywall/mpp/image.svg');
    const c = mppChallenge(r);
    expect(c).toMatchObject({ realm: 'satnav-demo-paywall', method: 'lightning', intent: 'charge' });
    expect(c.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(c.expires!) - Date.now()).toBeGreaterThan(890_000);
    const req = mpp.decodeRequest(c.request) as mpp.ChargeRequest & { externalId: string };
    expect(mpp.b64urlEncode(new TextEncoder().encode(mpp.canonicalJson(req)))).toBe(c.request);
    const inv = decodeInvoice(req.methodDetails.invoice);
    expect(req).toEqual({
      amount: '10',
      currency: 'sat',
      description: 'Lightning Ledger chart',
      externalId: 'media',
      methodDetails: { invoice: req.methodDetails.invoice, paymentHash: inv.paymentHash, network: 'regtest' },
    });
    expect(one(r, 'content-type')).toBe('application/problem+json');
    expect(JSON.parse(r.body)).toEqual({ type: 'https://paymentauth.org/problems/payment-required', title: 'Payment Required', status: 402, detail: 'Payment required for access.' });
  });

  it('serves once per payment with a receipt; the same credential again is refused', async () => {
    const { auth, req, challenge } = await buyMpp('/paywall/mpp/image.svg');
    const r = await at('/paywall/mpp/image.svg', { authorization: auth });
    expect([r.status, one(r, 'cache-control')]).toEqual([200, 'private']);
    expect(JSON.parse(Buffer.from(mpp.b64urlDecode(one(r, 'payment-receipt'))).toString())).toMatchObject({
      status: 'success',
      method: 'lightning',
      reference: req.methodDetails.paymentHash,
      challengeId: challenge.id,
    });
    const again = await at('/paywall/mpp/image.svg', { authorization: auth });
    expect([again.status, one(again, 'x-paywall-reason')]).toEqual([402, 'already-used']);
    mppChallenge(again);
  });

  it('10 concurrent presentations of one credential: exactly one is served', async () => {
    const { auth } = await buyMpp('/paywall/mpp/data.json');
    const all = await Promise.all(Array.from({ length: 10 }, () => at('/paywall/mpp/data.json', { authorization: auth })));
    expect(all.filter((r) => r.status === 200)).toHaveLength(1);
    expect(all.filter((r) => one(r, 'x-paywall-reason') === 'already-used')).toHaveLength(9);
  });

  it('refuses a wrong preimage, an altered challenge, another service, an expired challenge, garbage', async () => {
    const { challenge, preimage } = await buyMpp('/paywall/mpp/data.json');
    const reason = async (path: string, authorization: string) => {
      const r = await at(path, { authorization });
      expect(r.status).toBe(402);
      return one(r, 'x-paywall-reason');
    };
    expect(await reason('/paywall/mpp/data.json', mpp.encodeCredential(challenge, bytesToHex(randomBytes(32))))).toBe('wrong-preimage');
    expect(await reason('/paywall/mpp/data.json', mpp.encodeCredential({ ...challenge, expires: '2099-01-01T00:00:00Z' }, preimage))).toBe('bad-challenge');
    expect(await reason('/paywall/mpp/data.json', mpp.encodeCredential({ ...challenge, realm: 'elsewhere' }, preimage))).toBe('bad-challenge');
    expect(await reason('/paywall/mpp/image.svg', mpp.encodeCredential(challenge, preimage))).toBe('wrong-service');
    expect(await reason('/paywall/mpp/data.json', 'Payment !!!')).toBe('malformed-credential');
    skewMs = 901_000;
    expect(await reason('/paywall/mpp/data.json', mpp.encodeCredential(challenge, preimage))).toBe('challenge-expired');
    skewMs = 0;
    // still unspent: all the refusals above consumed nothing
    expect((await at('/paywall/mpp/data.json', { authorization: mpp.encodeCredential(challenge, preimage) })).status).toBe(200);
  });

  it('with mppReusable the credential buys more than one request until revoked', async () => {
    await post(pw.url, '/paywall/config', { mppReusable: true });
    try {
      const { auth } = await buyMpp('/paywall/mpp/poster.svg');
      expect((await at('/paywall/mpp/poster.svg', { authorization: auth })).status).toBe(200);
      expect((await at('/paywall/mpp/poster.svg', { authorization: auth })).status).toBe(200);
      await post(pw.url, '/paywall/revoke', { scheme: 'mpp' });
      expect(one(await at('/paywall/mpp/poster.svg', { authorization: auth }), 'x-paywall-reason')).toBe('revoked');
    } finally {
      await post(pw.url, '/paywall/config', { mppReusable: false });
    }
  });
});

// ---------------- x402 ----------------

function x402Required(r: Raw): PaymentRequired {
  expect(r.status).toBe(402);
  return JSON.parse(Buffer.from(one(r, 'payment-required'), 'base64').toString()) as PaymentRequired;
}
/** As @getalby/lightning-tools 9.0.1 builds it. */
const albySignature = (req: PaymentRequired['accepts'][number], invoice = req.extra.invoice) =>
  Buffer.from(JSON.stringify({ x402Version: 2, scheme: req.scheme, network: req.network, payload: { invoice }, accepted: req })).toString('base64');

describe('x402 on Lightning (as fetchWithX402 expects)', () => {
  it('402 with PAYMENT-REQUIRED: v2, one lightning entry whose amount is the invoice amount in msat', async () => {
    const r = await at('/paywall/x402/poster.svg');
    const pr = x402Required(r);
    const [req] = pr.accepts;
    expect(pr).toMatchObject({ x402Version: 2, resource: { url: `${pw.url}/paywall/x402/poster.svg`, mimeType: 'image/svg+xml' } });
    expect(req).toEqual({
      scheme: 'exact',
      network: X402_NETWORK.regtest,
      amount: '10000',
      asset: 'BTC',
      payTo: 'anonymous',
      maxTimeoutSeconds: 600,
      extra: { paymentMethod: 'lightning', invoice: req!.extra.invoice },
    });
    expect(decodeInvoice(req!.extra.invoice).amountMsat).toBe(10_000n);
    expect(one(r, 'access-control-expose-headers')).toContain('PAYMENT-REQUIRED');
  });

  it('serves after payment with PAYMENT-RESPONSE, once per invoice; the scheme text’s payload shape works too', async () => {
    const [req] = x402Required(await at('/paywall/x402/poster.svg')).accepts;
    await pay(req!.extra.invoice);
    const r = await at('/paywall/x402/poster.svg', { 'payment-signature': albySignature(req!) });
    expect(r.status).toBe(200);
    expect(JSON.parse(Buffer.from(one(r, 'payment-response'), 'base64').toString())).toMatchObject({
      success: true,
      transaction: req!.extra.invoice,
      network: X402_NETWORK.regtest,
      payer: 'anonymous',
      extra: { invoice: req!.extra.invoice },
    });
    const again = await at('/paywall/x402/poster.svg', { 'payment-signature': albySignature(req!) });
    expect([again.status, one(again, 'x-paywall-reason')]).toEqual([402, 'already-used']);
    x402Required(again);

    const pr = x402Required(await at('/paywall/x402/data.json'));
    await pay(pr.accepts[0]!.extra.invoice);
    const specShape = { x402Version: 2, resource: pr.resource, accepted: pr.accepts[0], payload: { invoice: pr.accepts[0]!.extra.invoice } };
    expect((await at('/paywall/x402/data.json', { 'payment-signature': Buffer.from(JSON.stringify(specShape)).toString('base64') })).status).toBe(200);
  });

  it('refuses unpaid, substituted, foreign, re-priced, wrong-network and malformed payments', async () => {
    const [req] = x402Required(await at('/paywall/x402/data.json')).accepts;
    const reason = async (sig: string, path = '/paywall/x402/data.json') => {
      const r = await at(path, { 'payment-signature': sig });
      return [r.status, one(r, 'x-paywall-reason')];
    };
    expect(await reason(albySignature(req!))).toEqual([402, 'invoice-not-settled']);
    const other = await devnet.control.createInvoice('carol', { amountSat: 10 });
    expect(await reason(albySignature(req!, other.paymentRequest))).toEqual([402, 'invoice-mismatch']);
    expect(await reason(albySignature({ ...req!, extra: { ...req!.extra, invoice: other.paymentRequest } }))).toEqual([402, 'unknown-invoice']);
    expect(await reason(albySignature({ ...req!, amount: '1000' }))).toEqual([402, 'amount-mismatch']);
    expect(await reason(albySignature({ ...req!, network: X402_NETWORK.mainnet }))).toEqual([402, 'wrong-network']);
    expect(await reason(albySignature(req!), '/paywall/x402/image.svg')).toEqual([402, 'wrong-service']);
    expect(await reason('not base64!')).toEqual([400, 'malformed-credential']);
    expect(await reason(Buffer.from('{"x402Version":1}').toString('base64'))).toEqual([400, 'malformed-credential']);
    await pay(req!.extra.invoice);
    expect(await reason(albySignature(req!))).toEqual([200, '']);
  });
});

// ---------------- control and mounting ----------------

describe('control endpoints', () => {
  it('stats count per scheme; config validates; preflight answers CORS', async () => {
    await post(pw.url, '/paywall/reset');
    await at('/paywall/x402/data.json');
    await at('/paywall/mpp/data.json');
    const s = await stats();
    expect(s.x402.invoicesIssued).toBe(1);
    expect(s.mpp.invoicesIssued).toBe(1);
    expect(s.total.invoicesIssued).toBe(2);
    expect(s.config).toMatchObject({ priceSat: 10, validitySec: 60, mppReusable: false });

    const bad = await post(pw.url, '/paywall/config', { priceSat: -1 });
    expect(bad.status).toBe(400);
    expect((await post(pw.url, '/paywall/config', { nope: 1 })).status).toBe(400);
    expect(await (await post(pw.url, '/paywall/config', { priceSat: 21 })).json()).toMatchObject({ priceSat: 21 });
    const [req] = x402Required(await at('/paywall/x402/data.json')).accepts;
    expect(req!.amount).toBe('21000');
    await post(pw.url, '/paywall/config', { priceSat: 10 });

    const pre = await fetch(`${pw.url}/paywall/l402/data.json`, { method: 'OPTIONS' });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toContain('Authorization');
    expect((await at('/paywall/l402/nothing.json')).status).toBe(404);
  });
});

describe('mounted in the demo sites', () => {
  let sites: DemoSites;
  beforeAll(async () => {
    sites = await startDemoSites({ devnet: devnet.control, paywall: { priceSat: 5 } });
  });
  afterAll(() => sites.stop());

  it('serves the page and its script, and the walls, on the demo origin', async () => {
    const page = await fetch(`${sites.url}/paywall.html`);
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const id of ['data-status', 'image', 'video', 'article-link', 'frame', 'stats']) expect(html).toContain(`id="${id}"`);
    expect((await fetch(`${sites.url}/paywall/paywall.js`)).headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${sites.url}/webln-direct.html`)).status).toBe(200);

    const article = await get(sites.url, '/paywall/l402/article.html', { accept: 'text/html' });
    expect([article.status, one(article, 'content-type')]).toEqual([402, 'text/html; charset=utf-8']);
    expect(article.body).toContain('data-paywall="402"');
    expect(article.body).toContain('5 sat');
    const { macaroon, invoice } = l402Challenge(article);
    const preimage = await pay(invoice);
    const paid = await get(sites.url, '/paywall/l402/frame.html', { accept: 'text/html', authorization: `L402 ${macaroon}:${preimage}` });
    expect(paid.status).toBe(200);
    expect(paid.body).toContain('data-paywall="paid"');
    expect(sites.paywall && (await sites.paywall.stats()).l402).toMatchObject({ invoicesIssued: 1, invoicesSettled: 1, served: 1 });
  });
});
