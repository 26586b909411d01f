/**
 * runLnurl: one LNURL carried out with the person's consent. First against a fake LNURL service
 * (src/lnurl/testing.ts) and a fake host that records every prompt, payment, node call and
 * request in one timeline (real PolicyEngine and Ledger on a MemoryStore); then against the demo
 * LNURL service (demo-sites/lnurl-api.ts) on the devnet, with alice as the wallet's node.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { HDKey } from '@scure/bip32';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lnurlApi } from '../../demo-sites/lnurl-api.ts';
import type { Devnet } from '../../devnet/index.ts';
import { decodeInvoice } from '../bolt11/index.ts';
import { SatnavError } from '../errors.ts';
import { linkingKeyFor, verifyK1 } from '../keys/lnurl-auth.ts';
import { rootFromSeed } from '../keys/root.ts';
import { Ledger } from '../ledger/index.ts';
import { encodeLnurl, type RemoteAddresses } from '../lnurl/index.ts';
import { fakeService, signedInvoice, type Answer } from '../lnurl/testing.ts';
import { LndRest } from '../node/lnd-rest.ts';
import type { CreateInvoiceParams, InvoiceState, LightningNode } from '../node/types.ts';
import { PolicyEngine } from '../policy/index.ts';
import { MemoryStore } from '../storage/kv.ts';
import { checkedDevnet } from '../testing/contract-checked.ts';
import { codeOf, rejectedWith } from '../testing/expect-code.ts';
import { mnemonicToSeed } from '../vault/mnemonic.ts';
import type { ApprovalDecision, ApprovalRequest } from './approval.ts';
import { runLnurl, type LnurlHost } from './lnurl-flow.ts';

const MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
let root: HDKey;
beforeAll(async () => {
  root = rootFromSeed(await mnemonicToSeed(MNEMONIC));
});

const ORIGIN = 'https://shop.example';
const SERVICE = 'https://lnurl.example';
const PREIMAGE = '5a'.repeat(32);
const sha256hex = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');

// ---- the fake host -------------------------------------------------------------

/** The node's fixed payment hash for every invoice it makes (each test has its own ledger). */
const INVOICE_HASH = '01'.repeat(32);

interface HarnessOptions {
  /** Runs inside the fake fetch before the service answers (sees the wallet's state at that moment). */
  onRequest?: (url: URL) => Promise<void>;
  /** What payApproved reports; undefined: no preimage. */
  preimage?: string | undefined;
  /** The state lookupInvoice reports after the withdraw callback. */
  invoiceState?: InvoiceState;
  /** The wallet is locked and the person declines to unlock it. */
  locked?: boolean;
  /** The demo/test build (the devnet's services allowed from a page on this machine). */
  devBuild?: boolean;
  /** The addresses answers came from, by host; a host not listed answered from a public one. */
  addresses?: Record<string, string>;
  /** The asking frame sits inside this page (`null`: the browser didn't say which). */
  embeddedIn?: string | null;
}

/** A node that makes signed invoices and reports `state`; any other call fails the test. */
function fakeNode(events: string[], created: CreateInvoiceParams[], state: () => InvoiceState): LightningNode {
  const impl: Partial<LightningNode> = {
    async createInvoice(p) {
      events.push('node.createInvoice');
      created.push(p);
      return { paymentRequest: signedInvoice({ amountMsat: BigInt((p.amountSat ?? 0) * 1000), description: p.memo ?? '' }), paymentHash: INVOICE_HASH };
    },
    async lookupInvoice(paymentHash) {
      events.push('node.lookupInvoice');
      return { paymentHash, paymentRequest: '', memo: '', state: state(), amountMsat: 0n, amountPaidMsat: 0n, createdAt: 0, expiresAt: 0, isKeysend: false };
    },
  };
  return new Proxy(impl as LightningNode, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      // `then` stays undefined: the node is awaited, and must not look like a promise.
      if (value !== undefined || typeof prop !== 'string' || prop === 'then') return value;
      return () => Promise.reject(new Error(`unexpected node call: ${prop}`));
    },
  });
}

/** Answers came from `byHost[host]`, or from a public address. */
function addressesFrom(byHost: Record<string, string>): RemoteAddresses {
  return { watch: async (url) => ({ reached: async () => byHost[new URL(url).host] ?? '93.184.216.34', stop: () => {} }) };
}

function harness(routes: Record<string, Answer | ((url: URL) => Answer)>, o: HarnessOptions = {}) {
  const store = new MemoryStore();
  const policy = new PolicyEngine({ store });
  const ledger = new Ledger({ store });
  const service = fakeService(routes);
  const state = {
    /** One timeline: requests ("GET /path"), prompts ("ask kind"), node calls, payments. */
    events: [] as string[],
    asked: [] as ApprovalRequest[],
    /** The person's next answers; a prompt with none queued fails the call. */
    answers: [] as ApprovalDecision[],
    /** Invoices given to payApproved. */
    paid: [] as string[],
    created: [] as CreateInvoiceParams[],
    /** What the worker's log got: the codes the page never sees. */
    logged: [] as string[],
    invoiceState: o.invoiceState ?? ('OPEN' as InvoiceState),
  };
  const node = fakeNode(state.events, state.created, () => state.invoiceState);
  const preimage = 'preimage' in o ? o.preimage : PREIMAGE;
  const host: LnurlHost = {
    policy,
    ledger,
    async approveOrReject(request) {
      state.events.push(`ask ${request.kind}`);
      state.asked.push(request);
      const answer = state.answers.shift();
      if (!answer) throw new Error(`unexpected prompt: ${request.kind}`);
      return answer; // a "no" comes back as { approved: false }: the flow must stop on it
    },
    async unlockedNode() {
      state.events.push('unlock');
      if (o.locked) throw new SatnavError('REJECTED', 'test: the person did not unlock');
      return node;
    },
    async payApproved(_origin, paymentRequest) {
      state.events.push('pay');
      state.paid.push(paymentRequest);
      return { paymentHash: decodeInvoice(paymentRequest).paymentHash, ...(preimage !== undefined && { preimage }) };
    },
    async root() {
      state.events.push('root');
      return root;
    },
    fetch: async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : input);
      state.events.push(`GET ${url.pathname}`);
      await o.onRequest?.(url);
      return service.fetch(input, init);
    },
    ...(o.devBuild && { devBuild: true }),
    ...(o.addresses && { addresses: addressesFrom(o.addresses) }),
    ...(o.embeddedIn !== undefined && { embeddedIn: o.embeddedIn }),
    onServiceError: (_origin, e) => state.logged.push(e.code),
  };
  return { ...state, state, host, policy, ledger, calls: service.calls, run: (text: string, origin = ORIGIN) => runLnurl(host, origin, text) };
}

// ---- pay (LUD-06, 09, 10, 12) ----------------------------------------------------

const PAY_META = JSON.stringify([
  ['text/plain', 'Tip the author'],
  ['text/long-desc', 'Every sat goes to the author.'],
]);
const PAY_LNURL = encodeLnurl(`${SERVICE}/pay`);

function payService(successAction?: unknown, over: Record<string, unknown> = {}) {
  return {
    [`${SERVICE}/pay`]: {
      json: { tag: 'payRequest', callback: `${SERVICE}/pay/cb?jar=7`, minSendable: 10_000, maxSendable: 2_000_000, metadata: PAY_META, commentAllowed: 32, ...over },
    },
    [`${SERVICE}/pay/cb`]: (url: URL): Answer => ({
      json: {
        pr: signedInvoice({ amountMsat: BigInt(url.searchParams.get('amount') ?? '0'), descriptionHashOf: PAY_META }),
        routes: [],
        ...(successAction !== undefined && { successAction }),
      },
    }),
  };
}

/** LUD-10: AES-256-CBC under the preimage, base64. */
function aesAction(plaintext: string, preimage: string) {
  const iv = Buffer.alloc(16, 9);
  const cipher = createCipheriv('aes-256-cbc', Buffer.from(preimage, 'hex'), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
  return { tag: 'aes', description: 'Your code', ciphertext, iv: iv.toString('base64') };
}

describe('runLnurl: pay', () => {
  it('the prompt shows the service, its range, description and comment length, and the day’s budget', async () => {
    const h = harness(payService());
    h.answers.push({ approved: true, amountSat: 50 });
    await h.run(PAY_LNURL);
    expect(h.asked).toEqual([
      {
        kind: 'lnurlPay',
        origin: ORIGIN,
        domain: 'lnurl.example',
        minSat: 10,
        maxSat: 2000,
        description: 'Tip the author',
        longDescription: 'Every sat goes to the author.',
        commentAllowed: 32,
        budget: { remainingDailySat: (await h.policy.dailyUsage()).remainingSat },
      },
    ]);
    // Unlocked before anything is sent (no request for a locked wallet, no wasted answer); the
    // invoice fetched only after the answer.
    expect(h.events).toEqual(['unlock', 'GET /pay', 'ask lnurlPay', 'unlock', 'GET /pay/cb', 'pay']);
  });

  it('the chosen amount and comment reach the callback; its invoice is what gets paid', async () => {
    const h = harness(payService({ tag: 'message', message: 'Thanks!' }));
    h.answers.push({ approved: true, amountSat: 1234, comment: 'great post ⚡' });
    const result = await h.run(PAY_LNURL);
    const callback = h.calls.find((c) => c.url.pathname === '/pay/cb')?.url;
    expect(callback?.searchParams.get('jar')).toBe('7'); // the callback's own query kept
    expect(callback?.searchParams.get('amount')).toBe('1234000');
    expect(callback?.searchParams.get('comment')).toBe('great post ⚡');
    expect(h.paid.map((pr) => decodeInvoice(pr).amountMsat)).toEqual([1_234_000n]);
    expect(result).toEqual({ status: 'OK', preimage: PREIMAGE, successAction: { tag: 'message', message: 'Thanks!' } });
  });

  it('no amount chosen: the minimum; no comment: none sent', async () => {
    const h = harness(payService());
    h.answers.push({ approved: true });
    expect(await h.run(PAY_LNURL)).toEqual({ status: 'OK', preimage: PREIMAGE });
    const callback = h.calls.find((c) => c.url.pathname === '/pay/cb')?.url;
    expect([callback?.searchParams.get('amount'), callback?.searchParams.has('comment')]).toEqual(['10000', false]);
  });

  for (const amountSat of [9, 2001, 0, -5, 12.5, Number.NaN]) {
    it(`amount ${amountSat} outside 10..2000 sat: BAD_REQUEST, no invoice asked for, nothing paid`, async () => {
      const h = harness(payService());
      h.answers.push({ approved: true, amountSat });
      expect(await codeOf(h.run(PAY_LNURL))).toBe('BAD_REQUEST');
      expect([h.paid, h.events.includes('GET /pay/cb')]).toEqual([[], false]);
    });
  }

  it('a comment longer than the service takes: refused before the callback', async () => {
    const h = harness(payService());
    h.answers.push({ approved: true, amountSat: 20, comment: 'x'.repeat(33) });
    expect(await codeOf(h.run(PAY_LNURL))).toBe('LNURL_BAD_INPUT');
    expect([h.paid, h.events.includes('GET /pay/cb')]).toEqual([[], false]);
  });

  it('the person says no: REJECTED, nothing paid', async () => {
    const h = harness(payService());
    h.answers.push({ approved: false, amountSat: 20 });
    expect(await codeOf(h.run(PAY_LNURL))).toBe('REJECTED');
    expect([h.paid, h.events.includes('GET /pay/cb')]).toEqual([[], false]);
  });

  it('aes success action: decrypted with the preimage, shown as a message', async () => {
    const h = harness(payService(aesAction('code: SAT-2024', PREIMAGE)));
    h.answers.push({ approved: true, amountSat: 10 });
    expect(await h.run(PAY_LNURL)).toEqual({
      status: 'OK',
      preimage: PREIMAGE,
      successAction: { tag: 'message', description: 'Your code', message: 'code: SAT-2024' },
    });
  });

  it('an aes action that does not decrypt: still OK with the preimage (the payment was made)', async () => {
    const h = harness(payService(aesAction('code: SAT-2024', '77'.repeat(32))));
    h.answers.push({ approved: true, amountSat: 10 });
    expect(await h.run(PAY_LNURL)).toEqual({ status: 'OK', preimage: PREIMAGE });
    expect(h.paid).toHaveLength(1);
  });

  it('a message action is shown even when the payment reported no preimage; an aes one cannot be', async () => {
    const message = harness(payService({ tag: 'message', message: 'Thanks!' }), { preimage: undefined });
    message.answers.push({ approved: true, amountSat: 10 });
    expect(await message.run(PAY_LNURL)).toEqual({ status: 'OK', successAction: { tag: 'message', message: 'Thanks!' } });
    const aes = harness(payService(aesAction('secret', PREIMAGE)), { preimage: undefined });
    aes.answers.push({ approved: true, amountSat: 10 });
    expect(await aes.run(PAY_LNURL)).toEqual({ status: 'OK' });
  });

  it('url success action passed on as is', async () => {
    const action = { tag: 'url', description: 'Your receipt', url: `${SERVICE}/receipt/1` };
    const h = harness(payService(action));
    h.answers.push({ approved: true, amountSat: 10 });
    expect(await h.run(PAY_LNURL)).toEqual({ status: 'OK', preimage: PREIMAGE, successAction: action });
  });

  it('the callback answers ERROR: {status: ERROR} with its reason and whose it is, nothing paid', async () => {
    const h = harness({ ...payService(), [`${SERVICE}/pay/cb`]: { json: { status: 'ERROR', reason: 'jar is full' } } });
    h.answers.push({ approved: true, amountSat: 10 });
    expect(await h.run(PAY_LNURL)).toEqual({ status: 'ERROR', reason: 'jar is full', domain: 'lnurl.example' });
    expect(h.paid).toEqual([]);
  });

  it('no whole-sat amount in the range: {status: ERROR} before any prompt', async () => {
    const h = harness(payService(undefined, { minSendable: 1500, maxSendable: 1800 }));
    expect(await h.run(PAY_LNURL)).toEqual({ status: 'ERROR', reason: 'LNURL service failed' });
    expect(h.asked).toEqual([]);
  });

  it('a callback on another host than the one shown: refused before the prompt', async () => {
    const h = harness(payService(undefined, { callback: 'https://invoices.example/cb' }));
    expect(await h.run(PAY_LNURL)).toEqual({ status: 'ERROR', reason: 'LNURL service failed' });
    expect([h.asked, h.paid, h.logged]).toEqual([[], [], ['LNURL_CALLBACK_HOST']]);
  });

  it('an invoice that does not commit to the metadata the person saw (LUD-06 h tag): not paid', async () => {
    const h = harness({
      ...payService(),
      [`${SERVICE}/pay/cb`]: (url: URL): Answer => ({ json: { pr: signedInvoice({ amountMsat: BigInt(url.searchParams.get('amount') ?? '0'), description: 'Tip the author' }) } }),
    });
    h.answers.push({ approved: true, amountSat: 10 });
    expect(await h.run(PAY_LNURL)).toEqual({ status: 'ERROR', reason: 'LNURL service failed' });
    expect([h.paid, h.logged]).toEqual([[], ['LNURL_METADATA_MISMATCH']]);
  });

  it('the domain shown is the host that answered: a redirecting LNURL never reaches the prompt', async () => {
    const h = harness({ 'https://trusted.example/pay': { redirect: `${SERVICE}/pay` }, ...payService() });
    expect(await h.run(encodeLnurl('https://trusted.example/pay'))).toEqual({ status: 'ERROR', reason: 'LNURL service failed' });
    expect([h.asked, h.calls.map((c) => c.url.host)]).toEqual([[], ['trusted.example']]);
  });

  it('a lightning address: the prompt names it', async () => {
    const h = harness({ [`${SERVICE}/.well-known/lnurlp/tips`]: payService()[`${SERVICE}/pay`], [`${SERVICE}/pay/cb`]: payService()[`${SERVICE}/pay/cb`] });
    h.answers.push({ approved: true, amountSat: 10 });
    expect((await h.run('tips@lnurl.example')).status).toBe('OK');
    expect(h.asked[0]).toMatchObject({ kind: 'lnurlPay', domain: 'lnurl.example', address: 'tips@lnurl.example' });
  });
});

// ---- withdraw (LUD-03) ---------------------------------------------------------------

const WITHDRAW_LNURL = encodeLnurl(`${SERVICE}/withdraw`);
const K1 = 'reward-k1-0001';

function withdrawService(callback: Answer, over: Record<string, unknown> = {}) {
  return {
    [`${SERVICE}/withdraw`]: {
      json: { tag: 'withdrawRequest', callback: `${SERVICE}/withdraw/cb`, k1: K1, defaultDescription: 'Survey reward', minWithdrawable: 21_000, maxWithdrawable: 500_000, ...over },
    },
    [`${SERVICE}/withdraw/cb`]: callback,
  };
}
const OK: Answer = { json: { status: 'OK' } };

describe('runLnurl: withdraw', () => {
  it('the prompt is prefilled from the service', async () => {
    const h = harness(withdrawService(OK));
    h.answers.push({ approved: true, amountSat: 100 });
    await h.run(WITHDRAW_LNURL);
    expect(h.asked).toEqual([{ kind: 'lnurlWithdraw', origin: ORIGIN, domain: 'lnurl.example', minSat: 21, maxSat: 500, description: 'Survey reward' }]);
    expect(h.created).toEqual([{ amountSat: 100, memo: 'Survey reward' }]);
  });

  it('the reward is in the ledger before the service hears where to pay; then the invoice goes to the callback', async () => {
    const atCallback: unknown[] = [];
    const h = harness(withdrawService(OK), {
      onRequest: async (url) => {
        if (url.pathname === '/withdraw/cb') atCallback.push(await h.ledger.byHash(INVOICE_HASH));
      },
    });
    h.answers.push({ approved: true, amountSat: 100 });
    expect(await h.run(WITHDRAW_LNURL)).toEqual({ status: 'OK' });
    expect(atCallback).toEqual([
      expect.objectContaining({ kind: 'reward', direction: 'in', status: 'pending', amountSat: 100, origin: ORIGIN, description: 'Survey reward' }),
    ]);
    expect(h.events).toEqual(['unlock', 'GET /withdraw', 'unlock', 'ask lnurlWithdraw', 'node.createInvoice', 'unlock', 'GET /withdraw/cb', 'node.lookupInvoice']);
    const callback = h.calls.find((c) => c.url.pathname === '/withdraw/cb')?.url;
    expect(callback?.searchParams.get('k1')).toBe(K1);
    expect(decodeInvoice(callback?.searchParams.get('pr') ?? '').amountMsat).toBe(100_000n);
  });

  it('paid at once (invoice settled): the entry succeeded', async () => {
    const h = harness(withdrawService(OK), { invoiceState: 'SETTLED' });
    h.answers.push({ approved: true, amountSat: 21 });
    expect(await h.run(WITHDRAW_LNURL)).toEqual({ status: 'OK' });
    expect(await h.ledger.byHash(INVOICE_HASH)).toMatchObject({ kind: 'reward', status: 'succeeded', amountSat: 21 });
  });

  it('not paid yet: OK, the entry stays pending for reconcile()', async () => {
    const h = harness(withdrawService(OK));
    h.answers.push({ approved: true, amountSat: 21 });
    expect(await h.run(WITHDRAW_LNURL)).toEqual({ status: 'OK' });
    expect((await h.ledger.byHash(INVOICE_HASH))?.status).toBe('pending');
  });

  it('the service refuses: {status: ERROR, reason, domain}, the entry failed', async () => {
    const h = harness(withdrawService({ json: { status: 'ERROR', reason: 'this reward was already claimed' } }));
    h.answers.push({ approved: true, amountSat: 100 });
    expect(await h.run(WITHDRAW_LNURL)).toEqual({ status: 'ERROR', reason: 'this reward was already claimed', domain: 'lnurl.example' });
    expect(await h.ledger.byHash(INVOICE_HASH)).toMatchObject({ kind: 'reward', status: 'failed', failureReason: 'LNURL_SERVICE_ERROR' });
    expect(h.events).not.toContain('node.lookupInvoice');
  });

  it('the callback cannot be reached: {status: ERROR}, the entry left pending (the service may still pay)', async () => {
    const h = harness(withdrawService({ unreachable: true }));
    h.answers.push({ approved: true, amountSat: 100 });
    expect(await h.run(WITHDRAW_LNURL)).toMatchObject({ status: 'ERROR' });
    expect((await h.ledger.byHash(INVOICE_HASH))?.status).toBe('pending');
  });

  it('a callback on another host than the one shown: no prompt, no invoice made', async () => {
    const h = harness(withdrawService(OK, { callback: 'https://collector.example/cb' }));
    expect(await h.run(WITHDRAW_LNURL)).toEqual({ status: 'ERROR', reason: 'LNURL service failed' });
    expect([h.asked, h.created, h.logged]).toEqual([[], [], ['LNURL_CALLBACK_HOST']]);
  });

  it('reward auto-claim on for the site: no prompt, the most the service offers', async () => {
    const h = harness(withdrawService(OK));
    await h.policy.upsertSite(ORIGIN, { enabled: true, rewardAutoClaim: true });
    expect(await h.run(WITHDRAW_LNURL)).toEqual({ status: 'OK' });
    expect([h.asked, h.created]).toEqual([[], [{ amountSat: 500, memo: 'Survey reward' }]]);
  });

  it('auto-claim of a paused site: asked like any other', async () => {
    const h = harness(withdrawService(OK));
    await h.policy.upsertSite(ORIGIN, { enabled: true, rewardAutoClaim: true, paused: true });
    h.answers.push({ approved: true, amountSat: 30 });
    await h.run(WITHDRAW_LNURL);
    expect(h.asked.map((a) => a.kind)).toEqual(['lnurlWithdraw']);
  });

  it('auto-claim is per site: another origin is still asked', async () => {
    const h = harness(withdrawService(OK));
    await h.policy.upsertSite('https://other.example', { enabled: true, rewardAutoClaim: true });
    h.answers.push({ approved: true, amountSat: 30 });
    await h.run(WITHDRAW_LNURL);
    expect(h.asked.map((a) => a.kind)).toEqual(['lnurlWithdraw']);
  });

  for (const [why, answer, code] of [
    ['an amount below the range', { approved: true, amountSat: 20 }, 'BAD_REQUEST'],
    ['an amount above the range', { approved: true, amountSat: 501 }, 'BAD_REQUEST'],
    ['a "no"', { approved: false }, 'REJECTED'],
  ] as const) {
    it(`${why}: ${code}, no invoice, no ledger entry, nothing sent`, async () => {
      const h = harness(withdrawService(OK));
      h.answers.push(answer);
      expect(await codeOf(h.run(WITHDRAW_LNURL))).toBe(code);
      expect([h.created, await h.ledger.list(), h.events.includes('GET /withdraw/cb')]).toEqual([[], [], false]);
    });
  }

  it('nothing to withdraw (0..0, or under one sat): {status: ERROR} before any prompt', async () => {
    for (const range of [
      { minWithdrawable: 0, maxWithdrawable: 0 },
      { minWithdrawable: 0, maxWithdrawable: 999 },
    ]) {
      const h = harness(withdrawService(OK, range));
      expect(await h.run(WITHDRAW_LNURL)).toMatchObject({ status: 'ERROR' });
      expect([h.asked, h.created]).toEqual([[], []]);
    }
  });

  it('a long description is cut to 639 bytes of UTF-8 between characters (BOLT #11 limit)', async () => {
    const description = `${'€'.repeat(212)}🎁🎁 and more`; // 636 bytes, then a 4-byte emoji that no longer fits
    const h = harness(withdrawService(OK, { defaultDescription: description }));
    h.answers.push({ approved: true, amountSat: 21 });
    expect(await h.run(WITHDRAW_LNURL)).toEqual({ status: 'OK' });
    const memo = h.created[0]?.memo ?? '';
    expect([Buffer.byteLength(memo), memo]).toEqual([636, '€'.repeat(212)]);
    expect((await h.ledger.byHash(INVOICE_HASH))?.description).toBe(memo);
  });
});

// ---- login (LUD-04, 05) ----------------------------------------------------------------

const k1Of = (n: number) => n.toString(16).padStart(64, '0');
const loginLnurl = (host: string, k1: string) => encodeLnurl(`https://${host}/auth?tag=login&k1=${k1}&action=login`);
const loginService = (host: string, answer: Answer = OK) => ({ [`https://${host}/auth`]: answer });

/** The `key` and `sig` the wallet sent with its login. */
function sentLogin(h: ReturnType<typeof harness>) {
  const url = h.calls.find((c) => c.url.searchParams.has('sig'))?.url;
  return { key: url?.searchParams.get('key') ?? '', sig: url?.searchParams.get('sig') ?? '', k1: url?.searchParams.get('k1') ?? '' };
}

describe('runLnurl: login', () => {
  it('signs k1 with the LUD-05 key for the domain; the prompt shows that key', async () => {
    const h = harness(loginService('auth.example'));
    h.answers.push({ approved: true });
    expect(await h.run(loginLnurl('auth.example', k1Of(1)))).toEqual({ status: 'OK' });
    const { key, sig, k1 } = sentLogin(h);
    const expected = bytesToHex(linkingKeyFor(root, 'auth.example').publicKey!);
    expect([k1, key]).toEqual([k1Of(1), expected]);
    expect(verifyK1(k1Of(1), sig, key)).toBe(true);
    expect(verifyK1(k1Of(2), sig, key)).toBe(false);
    expect(h.asked).toEqual([{ kind: 'lnurlAuth', origin: ORIGIN, domain: 'auth.example', action: 'login', linkingPubkey: expected }]);
    // No GET before the prompt: a login link carries everything.
    expect(h.events).toEqual(['root', 'ask lnurlAuth', 'unlock', 'GET /auth']);
  });

  it('the same domain gets the same key every time; another domain another key', async () => {
    const keys: string[] = [];
    for (const [host, n] of [['auth.example', 1], ['auth.example', 2], ['other.example', 3]] as const) {
      const h = harness(loginService(host));
      h.answers.push({ approved: true });
      await h.run(loginLnurl(host, k1Of(n)));
      keys.push(sentLogin(h).key);
    }
    expect(keys[0]).toBe(keys[1]);
    expect(keys[2]).not.toBe(keys[0]);
    expect(keys[2]).toBe(bytesToHex(linkingKeyFor(root, 'other.example').publicKey!));
  });

  it('the person says no: REJECTED, nothing signed or sent', async () => {
    const h = harness(loginService('auth.example'));
    h.answers.push({ approved: false });
    expect(await codeOf(h.run(loginLnurl('auth.example', k1Of(1))))).toBe('REJECTED');
    expect(h.calls).toEqual([]);
  });

  it('the service refuses the signature: {status: ERROR, reason, domain}', async () => {
    const h = harness(loginService('auth.example', { json: { status: 'ERROR', reason: 'challenge expired' } }));
    h.answers.push({ approved: true });
    expect(await h.run(loginLnurl('auth.example', k1Of(1)))).toEqual({ status: 'ERROR', reason: 'challenge expired', domain: 'auth.example' });
  });
});

// ---- asked from a frame inside another page ---------------------------------------------

describe('runLnurl from a frame inside another site’s page: every prompt says which page', () => {
  const NEWS = 'https://news.example';
  const asks: Array<[kind: string, routes: Record<string, Answer | ((url: URL) => Answer)>, lnurl: string]> = [
    ['lnurlPay', payService(), PAY_LNURL],
    ['lnurlWithdraw', withdrawService(OK), WITHDRAW_LNURL],
    ['lnurlAuth', loginService('auth.example'), loginLnurl('auth.example', k1Of(1))],
  ];
  for (const [kind, routes, lnurl] of asks) {
    it(`${kind}: the page it sits in, or null when the browser didn't say`, async () => {
      for (const embeddedIn of [NEWS, null]) {
        const h = harness(routes, { embeddedIn });
        h.answers.push({ approved: false });
        expect(await codeOf(h.run(lnurl))).toBe('REJECTED');
        expect(h.asked).toEqual([expect.objectContaining({ kind, origin: ORIGIN, embeddedIn })]);
      }
    });
    it(`${kind}: a top-level page's prompt has no embeddedIn at all`, async () => {
      const h = harness(routes);
      h.answers.push({ approved: false });
      await codeOf(h.run(lnurl));
      expect(h.asked.map((r) => 'embeddedIn' in r)).toEqual([false]);
    });
  }
});

// ---- the https rule, broken links, unreachable services ----------------------------------

describe('runLnurl: which LNURLs are followed', () => {
  const LOCAL = 'http://127.0.0.1:3999';
  const localPay = { [`${LOCAL}/pay`]: { json: { tag: 'payRequest', callback: `${LOCAL}/pay/cb`, minSendable: 1000, maxSendable: 5000, metadata: PAY_META } } };

  for (const origin of ['https://shop.example', 'http://shop.example', 'https://127.0.0.1.example']) {
    it(`an http LNURL from ${origin}: LNURL_INVALID, nothing fetched (even in the demo build)`, async () => {
      const h = harness(localPay, { devBuild: true });
      expect(await codeOf(h.run(encodeLnurl(`${LOCAL}/pay`), origin))).toBe('LNURL_INVALID');
      expect(h.calls).toEqual([]);
    });
  }

  for (const origin of ['http://localhost:5173', 'http://127.0.0.1:8000', 'http://[::1]:8000', 'http://127.8.9.10']) {
    it(`demo build: an http LNURL on this machine from the loopback page ${origin}: followed`, async () => {
      const h = harness(localPay, { devBuild: true });
      h.answers.push({ approved: false });
      expect(await codeOf(h.run(encodeLnurl(`${LOCAL}/pay`), origin))).toBe('REJECTED'); // reached the prompt
      expect(h.asked[0]).toMatchObject({ domain: '127.0.0.1', minSat: 1, maxSat: 5 });
    });
  }

  // Any program on this machine can serve a page on localhost: in a release build that page gets
  // no way into the person's network either.
  for (const lnurl of [`${LOCAL}/pay`, 'https://192.168.1.1/pay', 'https://router/pay']) {
    it(`release build: ${lnurl} from the loopback page http://localhost:5173: LNURL_INVALID, nothing fetched`, async () => {
      const h = harness(localPay);
      expect(await codeOf(h.run(encodeLnurl(lnurl), 'http://localhost:5173'))).toBe('LNURL_INVALID');
      expect(h.calls).toEqual([]);
    });
  }

  it('a service that cannot be reached: {status: ERROR}, nothing asked', async () => {
    const h = harness({});
    expect(await h.run(PAY_LNURL)).toEqual({ status: 'ERROR', reason: 'LNURL service failed' });
    expect(h.asked).toEqual([]);
  });

  const valid = encodeLnurl(`${SERVICE}/pay`);
  const malformed: Array<[why: string, text: string]> = [
    ['bech32 checksum broken', `${valid.slice(0, -1)}${valid.endsWith('q') ? 'p' : 'q'}`],
    ['cut short', 'lnurl1dp68gurn8ghj7'],
    ['upper and lower case mixed', `${valid.slice(0, 10).toUpperCase()}${valid.slice(10)}`],
    ['empty', '  '],
    ['plain text', 'hello'],
    ['a LUD-17 link without a host', 'lnurlp:///pay'],
    ['a web link without lightning=', `${SERVICE}/pay`],
    ['a Lightning invoice', signedInvoice({ amountMsat: 1000n })],
  ];
  for (const [why, text] of malformed) {
    it(`a malformed LNURL (${why}): LNURL_INVALID thrown, nothing fetched`, async () => {
      const h = harness({});
      const e = await rejectedWith(h.run(text));
      expect(e.code).toBe('LNURL_INVALID');
      expect(h.calls).toEqual([]);
    });
  }
});

// ---- a page can't look into the person's network through the wallet ------------------------

describe("runLnurl: the page's LNURL is no way into the person's network", () => {
  const LAN = 'http://192.168.1.1/cgi-bin/admin';
  const payAt = (json: unknown) => ({ [`${SERVICE}/pay`]: { json } });

  it('a 302 into the LAN: the LAN is never contacted, the page hears the one generic failure', async () => {
    const h = harness({ [`${SERVICE}/pay`]: { redirect: LAN }, [LAN]: { json: { status: 'ERROR', reason: 'router admin: wrong password' } } });
    expect(await h.run(PAY_LNURL)).toEqual({ status: 'ERROR', reason: 'LNURL service failed' });
    expect(h.calls.map((c) => c.url.href)).toEqual([`${SERVICE}/pay`]);
    expect([h.asked, h.logged]).toEqual([[], ['LNURL_REDIRECT']]);
  });

  it("a public name that answers from a private address: its answer (and its reason) never reach the page", async () => {
    const h = harness(payAt({ status: 'ERROR', reason: 'internal: db01 out of disk' }), { addresses: { 'lnurl.example': '10.0.0.7' } });
    expect(await h.run(PAY_LNURL)).toEqual({ status: 'ERROR', reason: 'LNURL service failed' });
    expect([h.asked, h.logged]).toEqual([[], ['LNURL_PRIVATE_ADDRESS']]);
  });

  it('open, closed, redirected, not JSON, private: all read the same to the page; the log tells them apart', async () => {
    const answers: Array<[Answer, string, Record<string, string>?]> = [
      [{ unreachable: true }, 'LNURL_UNREACHABLE'],
      [{ text: '<html>router login</html>' }, 'LNURL_BAD_RESPONSE'],
      [{ json: ['an', 'array'] }, 'LNURL_BAD_RESPONSE'],
      [{ json: { tag: 'channelRequest' } }, 'LNURL_UNSUPPORTED'],
      [{ redirect: LAN }, 'LNURL_REDIRECT'],
      [{ opaqueRedirect: true }, 'LNURL_REDIRECT'],
      [{ json: { tag: 'payRequest' } }, 'LNURL_PRIVATE_ADDRESS', { 'lnurl.example': '192.168.1.1' }],
    ];
    const seen = [];
    for (const [answer, code, addresses] of answers) {
      const h = harness({ [`${SERVICE}/pay`]: answer }, { ...(addresses && { addresses }) });
      seen.push([await h.run(PAY_LNURL), h.logged]);
    }
    expect(seen).toEqual(answers.map(([, code]) => [{ status: 'ERROR', reason: 'LNURL service failed' }, [code]]));
  });

  it('locked, and the person does not unlock: nothing is fetched', async () => {
    for (const lnurl of [PAY_LNURL, WITHDRAW_LNURL]) {
      const h = harness({ ...payService(), ...withdrawService(OK) }, { locked: true });
      expect(await codeOf(h.run(lnurl))).toBe('REJECTED');
      expect([h.calls, h.asked]).toEqual([[], []]);
    }
  });
});

// ---- the demo LNURL service on the devnet ---------------------------------------------------

describe('runLnurl with the demo LNURL service on the devnet', () => {
  const session = checkedDevnet();
  const PAGE = 'http://localhost:5173'; // the demo page, on this machine: plain http allowed in the demo build
  let devnet: Devnet;
  let server: Server;
  let base = '';
  let alice: LndRest;

  beforeAll(async () => {
    devnet = session.devnet;
    const api = lnurlApi(devnet.control, () => base);
    const carol = new LndRest({ baseUrl: devnet.nodes.carol.lndRestUrl, macaroonHex: devnet.nodes.carol.adminMacaroonHex, fetch: session.fetch('lnd'), timeoutMs: 5000 });
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== '/lnurl/pay/cb') return void api(url, res);
      void tipInvoiceWithHash(carol, url.searchParams).then((body) => res.setHeader('content-type', 'application/json').end(JSON.stringify(body)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    alice = new LndRest({ baseUrl: devnet.nodes.alice.lndRestUrl, macaroonHex: devnet.nodes.alice.adminMacaroonHex, fetch: session.fetch('lnd'), timeoutMs: 5000 });
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const demo = async (path: string) => (await (await fetch(`${base}${path}`)).json()) as Record<string, string>;

  /** alice is the wallet's node and pays for real; the person answers from the queue. */
  function devnetHost() {
    const store = new MemoryStore();
    const answers: ApprovalDecision[] = [];
    const asked: ApprovalRequest[] = [];
    const host: LnurlHost = {
      policy: new PolicyEngine({ store }),
      ledger: new Ledger({ store }),
      approveOrReject: async (request) => {
        asked.push(request);
        return answers.shift() ?? { approved: false };
      },
      unlockedNode: async () => alice,
      devBuild: true,
      payApproved: async (_origin, paymentRequest) => {
        const r = await alice.payInvoice({ paymentRequest, feeLimitSat: 50 });
        if (r.status !== 'SUCCEEDED') throw new Error(`payment ${r.status}`);
        return { paymentHash: r.paymentHash, ...(r.preimage && { preimage: r.preimage }) };
      },
      root: async () => root,
    };
    return { host, answers, asked };
  }

  /**
   * The tip jar's callback as LUD-06 wants it: carol's invoice commits to the pay metadata (h tag),
   * the comment kept in her invoice's memo. Stands in for the demo's own callback, which describes
   * the invoice in plain text (`d`) that the wallet no longer pays.
   */
  async function tipInvoiceWithHash(carol: LndRest, q: URLSearchParams) {
    const { metadata } = await demo('/lnurl/pay');
    const comment = q.get('comment') ?? '';
    const { paymentRequest } = await carol.createInvoice({
      amountSat: Number(q.get('amount')) / 1000,
      memo: comment === '' ? 'Tip the Lightning Times' : `Tip the Lightning Times: ${comment}`,
      descriptionHash: createHash('sha256').update(metadata ?? '', 'utf8').digest('hex'),
    });
    return { pr: paymentRequest, routes: [], successAction: { tag: 'message', message: 'Thanks!' } };
  }

  it("pay the tip jar: carol's invoice paid, the comment in its memo, the service's thanks back", async () => {
    const { host, answers, asked } = devnetHost();
    answers.push({ approved: true, amountSat: 21, comment: 'Great paper' });
    const result = await runLnurl(host, PAGE, (await demo('/lnurl/codes')).pay ?? '');
    expect(asked[0]).toMatchObject({ kind: 'lnurlPay', domain: '127.0.0.1', minSat: 1, maxSat: 100_000, commentAllowed: 140, description: 'Tip the Lightning Times' });
    expect(result).toMatchObject({ status: 'OK', successAction: { tag: 'message', message: 'Thanks!' } });
    const preimage = result.status === 'OK' ? (result.preimage ?? '') : '';
    const invoice = await devnet.control.lookupInvoice('carol', sha256hex(preimage));
    expect(invoice).toMatchObject({ state: 'SETTLED', valueSat: 21, memo: 'Tip the Lightning Times: Great paper' });
  });

  it('claim the reward: dave pays alice, the ledger entry succeeded', async () => {
    const { host, answers } = devnetHost();
    answers.push({ approved: true, amountSat: 100 });
    expect(await runLnurl(host, PAGE, (await demo('/lnurl/codes')).withdraw ?? '')).toEqual({ status: 'OK' });
    const [entry] = await host.ledger.list();
    expect(entry).toMatchObject({ kind: 'reward', status: 'succeeded', amountSat: 100, description: 'Lightning Times reward' });
    expect(await alice.lookupInvoice(entry?.paymentHash ?? '')).toMatchObject({ state: 'SETTLED', amountPaidMsat: 100_000n });
  });

  it('log in: the service records the LUD-05 key for 127.0.0.1', async () => {
    const { host, answers } = devnetHost();
    const { lnurl, k1 } = await demo('/lnurl/login');
    answers.push({ approved: true });
    expect(await runLnurl(host, PAGE, lnurl ?? '')).toEqual({ status: 'OK' });
    expect(await demo(`/lnurl/login/status?k1=${k1}`)).toEqual({ loggedIn: true, key: bytesToHex(linkingKeyFor(root, '127.0.0.1').publicKey!) });
  });

  it('the same demo LNURL from a page on the web, or from the demo page in a release build: LNURL_INVALID', async () => {
    const { host, asked } = devnetHost();
    const pay = (await demo('/lnurl/codes')).pay ?? '';
    expect(await codeOf(runLnurl(host, 'https://news.example', pay))).toBe('LNURL_INVALID');
    expect(await codeOf(runLnurl({ ...host, devBuild: false }, PAGE, pay))).toBe('LNURL_INVALID');
    expect(asked).toEqual([]);
  });
});
