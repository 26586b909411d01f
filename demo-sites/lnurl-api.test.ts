import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnet, type Devnet } from '../devnet/index.ts';
import { decodeInvoice } from '../src/bolt11/index.ts';
import { linkingKeyFor, signK1 } from '../src/keys/lnurl-auth.ts';
import { rootFromSeed } from '../src/keys/root.ts';
import {
  decodeLnurl,
  fetchLnurlParams,
  requestPayInvoice,
  submitAuth,
  submitWithdraw,
  type LnurlFetchOptions,
  type LnurlParams,
  type LoginParams,
  type PayParams,
  type WithdrawParams,
} from '../src/lnurl/index.ts';
import { LndRest } from '../src/node/lnd-rest.ts';
import { codeOf } from '../src/testing/expect-code.ts';
import { lnurlApi } from './lnurl-api.ts';

// The wallet side is Satnav's own src/lnurl, talking to the service over real HTTP on 127.0.0.1.
const OPTS: LnurlFetchOptions = { allowInsecureLocalhost: true };

let devnet: Devnet;
let server: Server;
let base = '';
let alice: LndRest;

beforeAll(async () => {
  devnet = await startDevnet({ basePort: 0 });
  const api = lnurlApi(devnet.control, () => base);
  server = createServer((req, res) => void api(new URL(req.url ?? '/', 'http://x'), res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  alice = new LndRest({ baseUrl: devnet.nodes.alice.lndRestUrl, macaroonHex: devnet.nodes.alice.adminMacaroonHex });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await devnet.stop();
});

const get = async (path: string) => (await fetch(`${base}${path}`)).json() as Promise<Record<string, unknown>>;

async function params<T extends LnurlParams['tag']>(lnurl: string, tag: T): Promise<Extract<LnurlParams, { tag: T }>> {
  const p = await fetchLnurlParams(lnurl, OPTS);
  if (p.tag !== tag) throw new Error(`expected ${tag}, got ${p.tag}`);
  return p as Extract<LnurlParams, { tag: T }>;
}

describe('GET /lnurl/codes', () => {
  it('bech32 LNURLs of this server, and the lightning address', async () => {
    const codes = await get('/lnurl/codes');
    expect(decodeLnurl(codes.withdraw as string, OPTS).url).toBe(`${base}/lnurl/withdraw`);
    expect(decodeLnurl(codes.pay as string, OPTS).url).toBe(`${base}/lnurl/pay`);
    expect(decodeLnurl(codes.login as string, OPTS).url).toMatch(new RegExp(`^${base}/lnurl/login/cb\\?tag=login&k1=[0-9a-f]{64}&action=login$`));
    expect(codes.address).toBe(`tips@${new URL(base).host}`);
  });

  it('the wallet refuses them without allowInsecureLocalhost (they are plain http)', async () => {
    const codes = await get('/lnurl/codes');
    expect(await codeOf(fetchLnurlParams(codes.pay as string))).toBe('LNURL_INVALID');
  });

  it('answers CORS for browser wallets', async () => {
    expect((await fetch(`${base}/lnurl/codes`)).headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('tip jar (LNURL-pay)', () => {
  let tipJar: PayParams;
  beforeAll(async () => {
    tipJar = await params((await get('/lnurl/codes')).pay as string, 'payRequest');
  });

  it('offers 1–100,000 sat with comments', () => {
    expect(tipJar).toMatchObject({ minSendable: 1000, maxSendable: 100_000_000, commentAllowed: 140, meta: { description: 'Tip the Lightning Times' } });
  });

  it("carol's invoice has the amount asked for; alice pays it", async () => {
    const got = await requestPayInvoice(tipJar, 21_000, { ...OPTS, comment: 'Great paper' });
    expect(got.invoice.amountMsat).toBe(21_000n);
    expect(got.invoice.payee).toBe(devnet.nodes.carol.pubkey);
    expect(got.successAction).toEqual({ tag: 'message', message: 'Thanks!' });
    const paid = await alice.payInvoice({ paymentRequest: got.paymentRequest, feeLimitSat: 10 });
    expect(paid.status).toBe('SUCCEEDED');
    const invoice = await devnet.control.lookupInvoice('carol', got.invoice.paymentHash);
    expect(invoice).toMatchObject({ state: 'SETTLED', valueSat: 21, memo: 'Tip the Lightning Times: Great paper' });
  });

  it('the lightning address leads to the same tip jar, with its identifier', async () => {
    const address = `tips@${new URL(base).host}`;
    const viaAddress = await params(address, 'payRequest');
    expect(viaAddress).toMatchObject({ address, callback: `${tipJar.callback}?for=address`, meta: { identifier: address } });
    expect((await requestPayInvoice(viaAddress, 1000, OPTS)).invoice.amountMsat).toBe(1000n);
  });

  // Asked of the service directly, so the wallet's own check is not what passes the test.
  const sha256Hex = (text: string) => bytesToHex(sha256(utf8ToBytes(text)));
  /** The invoice a payRequest's callback answers; `query` is added as a wallet adds it. */
  const invoiceFrom = async (callback: string, query: string) => {
    const body = (await (await fetch(`${callback}${callback.includes('?') ? '&' : '?'}${query}`)).json()) as { pr: string };
    return decodeInvoice(body.pr);
  };
  const routes: Array<[name: string, path: string]> = [
    ['/lnurl/pay', '/lnurl/pay'],
    ['the lightning address (LUD-16)', '/.well-known/lnurlp/tips'],
  ];
  for (const [name, path] of routes) {
    it(`${name}: the invoice's h tag is sha256 of the exact metadata served, with no d tag`, async () => {
      const served = await get(path);
      const invoice = await invoiceFrom(served.callback as string, 'amount=2000&comment=hi');
      expect(invoice.descriptionHash).toBe(sha256Hex(served.metadata as string));
      expect(invoice.description).toBeUndefined();
      expect(invoice.payee).toBe(devnet.nodes.carol.pubkey);
      // The comment is kept with carol's invoice, not in the payment request.
      expect(await devnet.control.lookupInvoice('carol', invoice.paymentHash)).toMatchObject({ memo: 'Tip the Lightning Times: hi', valueSat: 2 });
    });
  }

  it("the address's metadata adds its identifier, so each callback hashes its own route's metadata", async () => {
    const [plain, address] = [await get('/lnurl/pay'), await get('/.well-known/lnurlp/tips')];
    const [plainMeta, addressMeta] = [plain.metadata as string, address.metadata as string];
    expect(JSON.parse(addressMeta)).toEqual([...(JSON.parse(plainMeta) as unknown[]), ['text/identifier', `tips@${new URL(base).host}`]]);
    const hashOf = async (callback: string) => (await invoiceFrom(callback, 'amount=1000')).descriptionHash;
    expect([await hashOf(plain.callback as string), await hashOf(address.callback as string)]).toEqual([sha256Hex(plainMeta), sha256Hex(addressMeta)]);
    expect(sha256Hex(plainMeta)).not.toBe(sha256Hex(addressMeta));
  });

  it('an amount in part sats is refused by the service', async () => {
    await expect(requestPayInvoice(tipJar, 1500, OPTS)).rejects.toMatchObject({ code: 'LNURL_SERVICE_ERROR', details: { reason: 'amount must be whole sats' } });
  });

  const refused: Array<[why: string, query: string, reason: RegExp]> = [
    ['no amount', '', /amount must be 1000–100000000 msat/],
    ['an amount above the range', 'amount=100001000', /amount must be/],
    ['a comment over 140 characters', `amount=1000&comment=${'x'.repeat(141)}`, /comment longer than 140/],
    ['an unknown route', 'for=nowhere&amount=1000', /unknown pay route \(for\)/],
  ];
  for (const [why, query, reason] of refused) {
    it(`the callback refuses ${why}`, async () => {
      const body = await get(`/lnurl/pay/cb?${query}`);
      expect(body.status).toBe('ERROR');
      expect(body.reason).toMatch(reason);
    });
  }
});

describe('reward (LNURL-withdraw)', () => {
  const aliceInvoice = (amountSat: number) => alice.createInvoice({ amountSat, memo: 'Lightning Times reward' });
  const withdrawLnurl = async () => (await get('/lnurl/codes')).withdraw as string;

  it('21–500 sat; dave pays the invoice alice made, once', async () => {
    const reward: WithdrawParams = await params(await withdrawLnurl(), 'withdrawRequest');
    expect(reward).toMatchObject({ minWithdrawable: 21_000, maxWithdrawable: 500_000, k1: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const invoice = await aliceInvoice(100);
    await submitWithdraw(reward, invoice.paymentRequest, OPTS);
    expect(await alice.lookupInvoice(invoice.paymentHash)).toMatchObject({ state: 'SETTLED', amountPaidMsat: 100_000n });

    const again = await aliceInvoice(100);
    await expect(submitWithdraw(reward, again.paymentRequest, OPTS)).rejects.toMatchObject({
      code: 'LNURL_SERVICE_ERROR',
      details: { reason: 'this reward was already claimed' },
    });
    expect((await alice.lookupInvoice(again.paymentHash)).state).toBe('OPEN');
  });

  it('each GET gives a new k1', async () => {
    const lnurl = await withdrawLnurl();
    const [a, b] = [await params(lnurl, 'withdrawRequest'), await params(lnurl, 'withdrawRequest')];
    expect(a.k1).not.toBe(b.k1);
  });

  it('a wrong amount is refused and leaves the k1 usable', async () => {
    const reward = await params(await withdrawLnurl(), 'withdrawRequest');
    const tooBig = await aliceInvoice(600);
    // The wallet would refuse this itself; ask the service directly.
    const body = await get(`/lnurl/withdraw/cb?k1=${reward.k1}&pr=${tooBig.paymentRequest}`);
    expect(body).toEqual({ status: 'ERROR', reason: 'the reward is 21–500 sat' });
    expect((await alice.lookupInvoice(tooBig.paymentHash)).state).toBe('OPEN');

    const right = await aliceInvoice(21);
    await submitWithdraw(reward, right.paymentRequest, OPTS);
    expect((await alice.lookupInvoice(right.paymentHash)).state).toBe('SETTLED');
  });

  it('a failed payment reaches the wallet, and the k1 opens again', async () => {
    const reward = await params(await withdrawLnurl(), 'withdrawRequest');
    const invoice = await aliceInvoice(50);
    devnet.control.setFailHtlcs('alice', true);
    try {
      await expect(submitWithdraw(reward, invoice.paymentRequest, OPTS)).rejects.toMatchObject({
        code: 'LNURL_SERVICE_ERROR',
        details: { reason: expect.stringMatching(/^payment failed: /) },
      });
    } finally {
      devnet.control.setFailHtlcs('alice', false);
    }
    await submitWithdraw(reward, invoice.paymentRequest, OPTS);
    expect((await alice.lookupInvoice(invoice.paymentHash)).state).toBe('SETTLED');
  });

  const refused: Array<[why: string, query: () => Promise<string>, reason: string]> = [
    ['an unknown k1', async () => `k1=${'00'.repeat(32)}&pr=${(await aliceInvoice(50)).paymentRequest}`, 'unknown reward (k1)'],
    ['a pr that is not an invoice', async () => `k1=${(await params(await withdrawLnurl(), 'withdrawRequest')).k1}&pr=hello`, 'pr is not a Lightning invoice'],
  ];
  for (const [why, query, reason] of refused) {
    it(`refuses ${why}`, async () => expect(await get(`/lnurl/withdraw/cb?${await query()}`)).toEqual({ status: 'ERROR', reason }));
  }
});

describe('login (LNURL-auth)', () => {
  const root = rootFromSeed(hexToBytes('000102030405060708090a0b0c0d0e0f'));
  const newLogin = async () => (await get('/lnurl/login')) as { lnurl: string; k1: string };
  const status = (k1: string) => get(`/lnurl/login/status?k1=${k1}`);

  it('the signature is accepted and the key recorded; the k1 cannot be used again', async () => {
    const { lnurl, k1 } = await newLogin();
    expect(await status(k1)).toEqual({ loggedIn: false });
    const login: LoginParams = await params(lnurl, 'login');
    expect(login).toMatchObject({ domain: '127.0.0.1', k1, action: 'login' });
    const linkingKey = linkingKeyFor(root, login.domain);
    await submitAuth(login, linkingKey, OPTS);
    expect(await status(k1)).toEqual({ loggedIn: true, key: bytesToHex(linkingKey.publicKey!) });
    await expect(submitAuth(login, linkingKey, OPTS)).rejects.toMatchObject({ details: { reason: 'this login challenge was already used' } });
  });

  it('a signature by another key is refused', async () => {
    const { k1 } = await newLogin();
    const mine = linkingKeyFor(root, '127.0.0.1');
    const other = linkingKeyFor(root, 'other.com');
    const { sig } = signK1(other, k1);
    const body = await get(`/lnurl/login/cb?tag=login&k1=${k1}&sig=${sig}&key=${bytesToHex(mine.publicKey!)}`);
    expect(body).toEqual({ status: 'ERROR', reason: 'signature does not verify' });
    expect(await status(k1)).toEqual({ loggedIn: false });
  });

  it('an unknown k1 is refused', async () => {
    const k1 = 'ee'.repeat(32);
    const { sig, key } = signK1(linkingKeyFor(root, '127.0.0.1'), k1);
    expect(await get(`/lnurl/login/cb?tag=login&k1=${k1}&sig=${sig}&key=${key}`)).toEqual({ status: 'ERROR', reason: 'unknown login challenge (k1)' });
  });
});

it('unknown routes answer status ERROR', async () => {
  expect(await get('/lnurl/nothing')).toEqual({ status: 'ERROR', reason: 'no such route' });
});

