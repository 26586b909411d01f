/**
 * WebLN for one page request: staged checks (known method → valid params →
 * site enabled → unlocked → policy / approval → node), deny by default.
 * Every payment: reserve budget atomically → write-ahead ledger entry → pay →
 * commit or release. Nothing here trusts the page: the origin is an argument
 * the caller took from the browser.
 */
import { randomBytes, bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { amountSat, checkPayable, decodeInvoice, isExpired, type Invoice } from '../bolt11/index.ts';
import { moduleErrors, SatnavError } from '../errors.ts';
import type { Ledger, LedgerEntry, LedgerKind } from '../ledger/index.ts';
import { invoiceMatchesNode } from '../node/network-check.ts';
import type { InvoiceStatus, LightningNode, NodeNetwork, PaymentResult } from '../node/types.ts';
import { WEBLN_METHODS, type PolicyEngine, type Reservation, type SiteView, type WeblnMethod } from '../policy/index.ts';
import type { KeyValueStore } from '../storage/kv.ts';
import type { HDKey } from '@scure/bip32';
import type { Approver } from './approval.ts';
import { runLnurl, type LnurlHost } from './lnurl-flow.ts';
import { isWeblnMethod, weblnParams, type WeblnMethodName, type WeblnParams } from './params.ts';

const error = moduleErrors('webln');

/** Methods a page can see in getInfo().methods: the policy's grantable ones plus the always-on ones. */
export const SUPPORTED_METHODS = [...WEBLN_METHODS, 'lookupInvoice', 'on', 'off'] as const;

/** `webln.request` allow-list: read-only calls that reveal nothing about other sites. */
const REQUEST_ALLOW_LIST = ['getinfo', 'decodepayreq'] as const;

export interface WeblnDeps {
  policy: PolicyEngine;
  ledger: Ledger;
  /** The connected node; throws VAULT_LOCKED / NODE_NOT_CONNECTED. */
  node(): Promise<LightningNode>;
  /** The connected node's network, known without a round trip. */
  nodeNetwork(): Promise<NodeNetwork | undefined>;
  isUnlocked(): Promise<boolean>;
  ask: Approver;
  /** Invoices made for pages: origin ownership for lookupInvoice. */
  store: KeyValueStore;
  version: string;
  now?: () => number;
  /** Payment path-finding budget in seconds. */
  paymentTimeoutSeconds?: number;
  /** The wallet's BIP32 root, for LNURL-auth linking keys; throws VAULT_LOCKED. Without it, LNURL-auth is unsupported. */
  root?(): Promise<HDKey>;
  /** For LNURL services (tests inject one). */
  fetch?: typeof fetch;
}

type Handler = (origin: string, params: never) => Promise<unknown>;

export class WeblnService {
  private readonly now: () => number;
  /** Ledger ids this worker is sending right now: reconcile() must not judge them by the node's silence. */
  private readonly sending = new Set<string>();
  constructor(private readonly d: WeblnDeps) {
    this.now = d.now ?? (() => Date.now());
  }

  /** Entry point for one page request. */
  async handle(origin: string, method: unknown, rawParams: unknown): Promise<unknown> {
    if (!isWeblnMethod(method)) throw error('UNSUPPORTED_METHOD', 'unknown method', method);
    const parsed = weblnParams[method].safeParse(rawParams);
    if (!parsed.success) throw error('BAD_REQUEST', `invalid ${method} params`, parsed.error.issues[0]?.message ?? '');
    if (method !== 'enable' && method !== 'isEnabled') {
      const site = await this.requireEnabled(origin);
      // A grant the person withdrew (methods[m] === false) outranks the enable.
      if (isGrantable(method) && site.methods?.[method] === false) throw error('METHOD_NOT_GRANTED', `${method} not granted to`, origin);
    }
    const handler = this.handlers[method] as Handler;
    return handler(origin, parsed.data as never);
  }

  private readonly handlers: { [M in WeblnMethodName]: (origin: string, p: WeblnParams<M>) => Promise<unknown> } = {
    enable: (origin) => this.enable(origin),
    isEnabled: async (origin) => (await this.siteEnabled(origin)) !== undefined,
    getInfo: async () => {
      const info = await (await this.unlockedNode()).getInfo();
      return { node: { alias: info.alias, pubkey: info.pubkey }, methods: [...SUPPORTED_METHODS], supports: ['lightning'], version: this.d.version };
    },
    getBalance: async (origin) => {
      const site = await this.d.policy.getSite(origin);
      if (site?.methods?.getBalance !== true) throw error('METHOD_NOT_GRANTED', 'balance not shared with', origin);
      const b = await (await this.unlockedNode()).getBalances();
      return { balance: b.lightning.localSat, currency: 'sats' };
    },
    sendPayment: (origin, p) => this.payInvoice(origin, p.paymentRequest, 'sendPayment'),
    sendPaymentAsync: (origin, p) => this.payInvoice(origin, p.paymentRequest, 'sendPaymentAsync'),
    keysend: (origin, p) => this.keysend(origin, p),
    makeInvoice: (origin, p) => this.makeInvoice(origin, p.args),
    signMessage: async (origin, p) => {
      // Unlock first: approving a signature and then hearing "locked" would waste the person's answer.
      const node = await this.unlockedNode(origin);
      await this.approveOrReject({ kind: 'signMessage', origin, message: p.message });
      const signature = await node.signMessage(p.message);
      return { message: p.message, signature };
    },
    verifyMessage: async (_origin, p) => {
      const r = await (await this.unlockedNode()).verifyMessage(p.message, p.signature);
      if (!r.valid) throw error('SIGNATURE_INVALID', 'signature does not verify');
      return { valid: true, pubkey: r.pubkey };
    },
    lookupInvoice: (origin, p) => this.lookupInvoice(origin, 'paymentHash' in p ? p.paymentHash : decodeForPage(p.paymentRequest).paymentHash),
    lnurl: (origin, p) => runLnurl(this.lnurlHost(), origin, p.lnurl),
    request: (_origin, p) => this.request(p.method, p.params),
  };

  private lnurlHost(): LnurlHost {
    const { root } = this.d;
    return {
      policy: this.d.policy,
      ledger: this.d.ledger,
      approveOrReject: (request) => this.approveOrReject(request),
      unlockedNode: (origin) => this.unlockedNode(origin),
      payApproved: async (origin, paymentRequest) => (await this.payInvoice(origin, paymentRequest, 'sendPayment', true)) as { preimage?: string; paymentHash: string },
      root: async (origin) => {
        if (!root) throw error('UNSUPPORTED_METHOD', 'LNURL-auth needs the wallet seed');
        await this.unlockedNode(origin);
        return root();
      },
      ...(this.d.fetch && { fetch: this.d.fetch }),
    };
  }

  // ---- permissions -------------------------------------------------------

  private async siteEnabled(origin: string) {
    const site = await this.d.policy.getSite(origin);
    return site?.enabled && !site.paused ? site : undefined;
  }

  private async requireEnabled(origin: string): Promise<SiteView> {
    const site = await this.d.policy.getSite(origin);
    if (!site?.enabled) throw error('SITE_NOT_ENABLED', 'call webln.enable() first; not enabled for', origin);
    if (site.paused) throw error('SITE_PAUSED', 'payments paused for', origin);
    return site;
  }

  private async enable(origin: string): Promise<{ enabled: true }> {
    if (await this.siteEnabled(origin)) return { enabled: true };
    const site = await this.d.policy.getSite(origin);
    if (site?.paused) throw error('SITE_PAUSED', 'payments paused for', origin);
    const answer = await this.approveOrReject({ kind: 'enable', origin });
    await this.d.policy.upsertSite(origin, {
      enabled: true,
      remember: answer.remember ?? true,
      ...(answer.allowanceSat !== undefined && { allowanceSat: answer.allowanceSat }),
      ...(answer.period && { period: answer.period }),
      methods: { ...site?.methods, getBalance: answer.allowBalance === true },
    });
    return { enabled: true };
  }

  private async approveOrReject(request: Parameters<Approver>[0]) {
    const answer = await this.d.ask(request);
    if (!answer.approved) throw error('REJECTED', 'the person declined', request.kind);
    return answer;
  }

  private async unlockedNode(origin?: string): Promise<LightningNode> {
    if (!(await this.d.isUnlocked())) {
      if (origin === undefined) throw error('VAULT_LOCKED', 'Satnav is locked');
      await this.approveOrReject({ kind: 'unlock', origin });
    }
    return this.d.node();
  }

  // ---- payments ----------------------------------------------------------

  private async payInvoice(origin: string, paymentRequest: string, method: 'sendPayment' | 'sendPaymentAsync', preApproved = false) {
    const inv = decodeForPage(paymentRequest);
    // Network first: an invoice for another chain is the wrong invoice whatever its age or amount.
    const network = await this.d.nodeNetwork();
    if (network && !invoiceMatchesNode(inv.network, network)) throw error('INVOICE_WRONG_NETWORK', `invoice is for ${inv.network}, node is on`, network);
    if (isExpired(inv, Math.floor(this.now() / 1000))) throw error('INVOICE_EXPIRED', 'invoice expired at', new Date(inv.expiresAt * 1000).toISOString());
    const amount = amountSat(inv);
    if (amount === null || amount === 0) throw error('INVOICE_NO_AMOUNT', 'invoice has no amount');
    const previous = await this.d.ledger.byHash(inv.paymentHash);
    if (previous && previous.status !== 'failed') throw error('DUPLICATE_PAYMENT', 'invoice already paid or in flight', inv.paymentHash);
    const result = await this.pay(
      origin,
      {
        kind: 'webln',
        method,
        amountSat: amount,
        paymentHash: inv.paymentHash,
        destination: inv.payee,
        paymentRequest: inv.paymentRequest,
        expiresAt: inv.expiresAt,
        ...(inv.description !== undefined && { description: inv.description }),
      },
      (node, feeLimitSat) => node.payInvoice({ paymentRequest: inv.paymentRequest, feeLimitSat, timeoutSeconds: this.d.paymentTimeoutSeconds ?? 60 }),
      preApproved,
    );
    return result;
  }

  private async keysend(origin: string, p: WeblnParams<'keysend'>) {
    const preimage = randomBytes(32);
    const paymentHash = bytesToHex(sha256(preimage));
    return this.pay(origin, { kind: 'keysend', method: 'keysend', amountSat: p.amount, paymentHash, destination: p.destination }, (node, feeLimitSat) =>
      node.keysend({
        destPubkey: p.destination,
        amountSat: p.amount,
        feeLimitSat,
        preimage: bytesToHex(preimage),
        timeoutSeconds: this.d.paymentTimeoutSeconds ?? 60,
        ...(p.customRecords && { customRecords: recordsAsHex(p.customRecords) }),
      }),
    );
  }

  /**
   * The one payment pipeline. Payments within the per-payment ceiling that
   * don't fit the site's allowance are refused (BUDGET_EXCEEDED) without a
   * prompt: a site can't flood the person with approval windows. Payments
   * above the ceiling always ask, unless the person already chose this very
   * payment (`preApproved`, e.g. the amount they typed for an LNURL-pay).
   */
  private async pay(
    origin: string,
    p: {
      kind: Extract<LedgerKind, 'webln' | 'keysend'>;
      method: 'sendPayment' | 'sendPaymentAsync' | 'keysend';
      amountSat: number;
      paymentHash: string;
      destination: string;
      paymentRequest?: string;
      description?: string;
      expiresAt?: number;
    },
    send: (node: LightningNode, feeLimitSat: number) => Promise<PaymentResult>,
    preApproved = false,
  ) {
    const node = await this.unlockedNode(origin);
    const req = { origin, amountSat: p.amountSat, kind: p.kind } as const;
    const ev = await this.d.policy.evaluate(req);
    let approvedByUser = preApproved;
    if (ev.decision === 'prompt' && !preApproved) {
      const ceiling = (await this.d.policy.getConfig()).global.autoApproveSat;
      if (ev.reason === 'above_site_allowance' && p.amountSat <= ceiling) {
        throw error('BUDGET_EXCEEDED', `allowance left is ${ev.remainingSiteSat} sat for`, origin, { remainingSiteSat: ev.remainingSiteSat });
      }
      const site = await this.d.policy.getSite(origin);
      await this.approveOrReject({
        kind: 'payment',
        origin,
        method: p.method,
        amountSat: p.amountSat,
        maxFeeSat: ev.maxFeeSat,
        paymentHash: p.paymentHash,
        destination: p.destination,
        reason: ev.reason,
        budget: {
          allowanceSat: site?.allowanceSat ?? 0,
          period: site?.period ?? 'day',
          remainingSiteSat: ev.remainingSiteSat,
          remainingDailySat: ev.remainingDailySat,
        },
        ...(p.paymentRequest && { paymentRequest: p.paymentRequest }),
        ...(p.description !== undefined && { description: p.description }),
        ...(p.expiresAt !== undefined && { expiresAt: p.expiresAt }),
      });
      approvedByUser = true;
    }
    // ev.decision 'deny' lands here too: reserve re-checks atomically and throws the refusal.
    const reservation = await this.d.policy.reserve({ ...req, approvedByUser });
    let entry: LedgerEntry;
    try {
      entry = await this.d.ledger.begin({
        origin,
        kind: p.kind,
        amountSat: p.amountSat,
        maxFeeSat: reservation.maxFeeSat,
        paymentHash: p.paymentHash,
        reservationId: reservation.id,
        ...(p.paymentRequest && { paymentRequest: p.paymentRequest }),
        ...(p.description !== undefined && { description: p.description }),
      });
    } catch (e) {
      await this.d.policy.release(reservation.id);
      throw e;
    }
    this.sending.add(entry.id);
    const outcome = send(node, reservation.maxFeeSat)
      .then(
        (result) => this.settle(entry, reservation, result),
        async (e: unknown) => {
          // The connector refused the input before anything went on the wire: nothing was sent.
          if (e instanceof SatnavError && e.code === 'NODE_BAD_INPUT') {
            await applyOutcome(this.d, entry, reservation.id, { status: 'FAILED', feeSat: 0, amountSat: entry.amountSat, failureReason: 'not_sent' });
          }
          // Otherwise the outcome is unknown (node unreachable mid-call): the entry stays
          // pending with its reservation held, and reconcile() asks the node later.
          throw e;
        },
      )
      .finally(() => this.sending.delete(entry.id));
    if (p.method === 'sendPaymentAsync') {
      outcome.catch(() => undefined);
      return {};
    }
    const result = await outcome;
    if (result.status === 'SUCCEEDED') {
      return {
        preimage: result.preimage,
        paymentHash: result.paymentHash,
        route: { total_amt: Number((result.amountMsat + result.feeMsat + 999n) / 1000n), total_fees: Number((result.feeMsat + 999n) / 1000n) },
      };
    }
    if (result.status === 'FAILED') throw error('PAYMENT_FAILED', 'payment failed', result.failureReason ?? 'unknown');
    throw error('PAYMENT_PENDING', 'payment still in flight', p.paymentHash);
  }

  private async settle(entry: LedgerEntry, reservation: Reservation, result: PaymentResult): Promise<PaymentResult> {
    await applyOutcome(this.d, entry, reservation.id, {
      status: result.status,
      ...(result.preimage && { preimage: result.preimage }),
      feeSat: msatToSat(result.feeMsat),
      amountSat: msatToSat(result.amountMsat) || entry.amountSat,
      ...(result.failureReason && { failureReason: result.failureReason }),
    });
    return result;
  }

  /**
   * After a worker restart (or periodically): ask the node about every
   * payment the ledger still has pending and settle its budget hold.
   */
  async reconcile(): Promise<{ resolved: number; stillPending: number }> {
    const pending = await this.d.ledger.pending();
    if (pending.length === 0 || !(await this.d.isUnlocked())) return { resolved: 0, stillPending: pending.length };
    const node = await this.d.node();
    const r = await this.d.ledger.reconcile(
      async (hash, entry) => {
        // Its send call may not have reached the node yet; "not found" would wrongly release its hold.
        if (this.sending.has(entry.id)) return { status: 'IN_FLIGHT' };
        // Money coming in (rewards, refunds): the node's invoice tells the outcome.
        if (entry.direction === 'in') return incomingOutcome(await node.lookupInvoice(hash), this.now());
        try {
          const p = await node.trackPayment(hash, { waitFinal: false });
          return {
            status: p.status,
            ...(p.preimage && { preimage: p.preimage }),
            feeSat: msatToSat(p.feeMsat),
            ...(p.failureReason && { failureReason: p.failureReason }),
          };
        } catch (e) {
          if (e instanceof SatnavError && e.code === 'NODE_PAYMENT_NOT_FOUND') return { status: 'FAILED', failureReason: 'not_sent' };
          throw e;
        }
      },
      async (entry, result) => {
        if (!entry.reservationId) return;
        if (result.status === 'SUCCEEDED') await this.d.policy.commit(entry.reservationId, { amountSat: entry.amountSat, feeSat: result.feeSat ?? 0 });
        else if (result.status === 'FAILED') await this.d.policy.release(entry.reservationId);
      },
    );
    return { resolved: r.resolved.length, stillPending: r.stillPending.length };
  }

  // ---- receiving ---------------------------------------------------------

  private async makeInvoice(origin: string, args: WeblnParams<'makeInvoice'>['args']) {
    const a = typeof args === 'number' ? { amount: args } : (args ?? {});
    const amount = a.amount ?? a.defaultAmount ?? a.minimumAmount;
    if (a.minimumAmount !== undefined && a.maximumAmount !== undefined && a.minimumAmount > a.maximumAmount) {
      throw error('BAD_REQUEST', 'minimumAmount above maximumAmount', `${a.minimumAmount}>${a.maximumAmount}`);
    }
    if (amount !== undefined && ((a.minimumAmount !== undefined && amount < a.minimumAmount) || (a.maximumAmount !== undefined && amount > a.maximumAmount))) {
      throw error('BAD_REQUEST', 'amount outside minimumAmount..maximumAmount', amount);
    }
    const node = await this.unlockedNode(origin);
    const created = await node.createInvoice({
      ...(amount !== undefined && { amountSat: amount }),
      memo: a.defaultMemo ?? '',
    });
    await this.d.store.set({ [invoiceKey(created.paymentHash)]: { origin, createdAt: this.now() } });
    return { paymentRequest: created.paymentRequest, paymentHash: created.paymentHash, rHash: created.paymentHash };
  }

  private async lookupInvoice(origin: string, paymentHash: string) {
    const owner = await this.d.store.get<{ origin: string }>(invoiceKey(paymentHash));
    // Another site's invoice, or one never made through WebLN: indistinguishable on purpose.
    if (owner?.origin !== origin) throw error('INVOICE_UNKNOWN', 'no invoice made for this site with hash', paymentHash);
    const inv = await (await this.unlockedNode(origin)).lookupInvoice(paymentHash);
    return { paymentRequest: inv.paymentRequest, paid: inv.state === 'SETTLED', ...(inv.state === 'SETTLED' && inv.preimage && { preimage: inv.preimage }) };
  }

  private async request(method: string, params: unknown) {
    const m = method.toLowerCase();
    if (!(REQUEST_ALLOW_LIST as readonly string[]).includes(m)) throw error('UNSUPPORTED_METHOD', 'request method not allowed', method);
    const node = await this.unlockedNode();
    if (m === 'getinfo') return node.getInfo();
    const pr = (params as { pay_req?: unknown } | undefined)?.pay_req;
    if (typeof pr !== 'string') throw error('BAD_REQUEST', 'decodepayreq needs params.pay_req');
    const d = await node.decodePayReq(pr);
    return { ...d, amountMsat: d.amountMsat.toString() };
  }
}

/** Commit or release the hold and record the outcome, in the ledger's crash-safe order. */
async function applyOutcome(
  d: Pick<WeblnDeps, 'ledger' | 'policy'>,
  entry: LedgerEntry,
  reservationId: string,
  o: { status: PaymentResult['status']; preimage?: string; feeSat: number; amountSat: number; failureReason?: string },
): Promise<void> {
  if (o.status === 'SUCCEEDED') {
    await d.policy.commit(reservationId, { amountSat: o.amountSat, feeSat: o.feeSat });
    await d.ledger.succeed(entry.id, { ...(o.preimage && { preimage: o.preimage }), feeSat: o.feeSat });
  } else if (o.status === 'FAILED') {
    await d.policy.release(reservationId);
    await d.ledger.fail(entry.id, o.failureReason ?? 'failed');
  } else {
    await d.ledger.update(entry.id, { status: 'in_flight' });
  }
}

function incomingOutcome(inv: InvoiceStatus, nowMs: number): { status: PaymentResult['status']; failureReason?: string } {
  if (inv.state === 'SETTLED') return { status: 'SUCCEEDED' };
  if (inv.state === 'CANCELED') return { status: 'FAILED', failureReason: 'canceled' };
  if (inv.state === 'OPEN' && inv.expiresAt * 1000 <= nowMs) return { status: 'FAILED', failureReason: 'expired' };
  return { status: 'IN_FLIGHT' };
}

function isGrantable(method: string): method is WeblnMethod {
  return (WEBLN_METHODS as readonly string[]).includes(method);
}

/** WebLN custom record values are plain strings (webln.guide); the node takes their UTF-8 bytes. */
function recordsAsHex(records: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(records).map(([type, value]) => [type, bytesToHex(utf8ToBytes(value))]));
}

function decodeForPage(paymentRequest: string): Invoice {
  const inv = decodeInvoice(paymentRequest);
  checkPayable(inv);
  return inv;
}

function msatToSat(msat: bigint): number {
  return Number((msat + 999n) / 1000n);
}

const invoiceKey = (hash: string) => `webln.invoice:${hash}`;
