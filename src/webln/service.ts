/**
 * WebLN for one page request: staged checks (known method → valid params →
 * site enabled → method granted → handler), deny by default. Handlers that
 * pay hand an intent to the one payment pipeline (src/payments); nothing here
 * reserves, records or commits by itself. Nothing trusts the page: the
 * context (origin, top-level origin, tab) is what the browser reported.
 */
import { randomBytes, bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { HDKey } from '@scure/bip32';
import { embedding, type Origin, type PageContext } from '../base/origin.ts';
import { LISTED_METHODS, PAGE_METHOD_TRAITS, isGrantable, isPageMethod, type PageMethod } from '../base/page-methods.ts';
import { msatToSat } from '../base/sats.ts';
import { checkPayable, decodeInvoice } from '../bolt11/index.ts';
import { moduleErrors } from '../errors.ts';
import type { Ledger } from '../ledger/index.ts';
import type { AssetNode, LightningNode, NodeNetwork, PaymentResult } from '../node/types.ts';
import { findUsdAsset } from '../node/usd-asset.ts';
import { admitInvoice, type PaymentIntent, type PaymentPipeline } from '../payments/index.ts';
import type { PayIn, PolicyEngine, SiteView } from '../policy/index.ts';
import { enableRequest, unlockRequest, type ApprovalRequest, type Approver } from './approval.ts';
import { parseLink } from '../links/parse.ts';
import { allowsLocalServices, runLnurl, type LnurlHost, type LnurlResult } from './lnurl-flow.ts';
import type { PageInvoices } from './page-invoices.ts';
import { weblnParams, type WeblnParams } from './params.ts';

const error = moduleErrors('webln');

/** `webln.request` allow-list: read-only calls that reveal nothing about other sites. */
const REQUEST_ALLOW_LIST = ['getinfo', 'decodepayreq'] as const;

export interface WeblnDeps {
  policy: PolicyEngine;
  ledger: Ledger;
  payments: PaymentPipeline;
  /** The connected node; throws VAULT_LOCKED / NODE_NOT_CONNECTED. */
  node(): Promise<LightningNode>;
  /** tapd, when connected: makeInvoice in dollars for a site paid in dollars. */
  assetNode?(): Promise<AssetNode | undefined>;
  /** What is known of the connected node without unlocking (stored with the connection). */
  nodeProfile(): Promise<{ alias: string; pubkey: string; network: NodeNetwork } | undefined>;
  isUnlocked(): Promise<boolean>;
  ask: Approver;
  /** Invoices made for pages: which origin made which, bounded and rate-limited. */
  invoices: PageInvoices;
  version: string;
  now?: () => number;
  /** Payment path-finding budget in seconds. */
  paymentTimeoutSeconds?: number;
  /** The wallet's BIP32 root, for LNURL-auth linking keys; throws VAULT_LOCKED. Without it, LNURL-auth is unsupported. */
  root?(): Promise<HDKey>;
  /** For LNURL services (tests inject one). */
  fetch?: typeof fetch;
  /** The address each LNURL answer really came from (the browser's report): private ones are refused. */
  addresses?: LnurlHost['addresses'];
  /** The demo/e2e build: LNURL over http and into this machine, from a page on this machine. */
  devBuild?: boolean;
  /** Opens a 402 wall the page met at `url` (the browser glue: it pays from its own observation, never page data). */
  paywall?(ctx: PageContext, url: string): Promise<{ retry: boolean }>;
}

type Handler<M extends PageMethod> = (ctx: PageContext, p: WeblnParams<M>) => Promise<unknown>;

/** Who hands the pipeline a page's invoice, and how the person takes part in each. */
const INVOICE_PAYERS = {
  sendPayment: { source: 'webln', consent: 'may-ask', grant: 'sendPayment' },
  sendPaymentAsync: { source: 'webln', consent: 'may-ask', grant: 'sendPayment' },
  // The person typed the amount of an LNURL-pay; a WebLN invoice is the site's choice.
  lnurlPay: { source: 'lnurl', consent: 'chosen', grant: 'lnurl' },
  // A payment link the person clicked: confirmed in the prompt, and no WebLN grant of the site's is used.
  link: { source: 'link', consent: 'confirm' },
} as const satisfies Record<string, Pick<PaymentIntent, 'source' | 'consent' | 'grant'>>;
type InvoicePayer = keyof typeof INVOICE_PAYERS;

/** What the person hears of a link besides its prompts (a reward claimed without one). */
export interface LinkHooks {
  onAutoClaim?(domain: string, amountSat: number): void;
}

export class WeblnService {
  private readonly now: () => number;
  constructor(private readonly d: WeblnDeps) {
    this.now = d.now ?? (() => Date.now());
  }

  /** Entry point for one page request; `ctx` comes from the browser. */
  async handle(ctx: PageContext, method: unknown, rawParams: unknown): Promise<unknown> {
    if (!isPageMethod(method)) throw error('UNSUPPORTED_METHOD', 'unknown method', method);
    const parsed = weblnParams[method].safeParse(rawParams);
    if (!parsed.success) throw error('BAD_REQUEST', `invalid ${method} params`, parsed.error.issues[0]?.message ?? '');
    if (PAGE_METHOD_TRAITS[method].needsSite) {
      const site = await this.requireEnabled(ctx.origin);
      // A grant the person withdrew (methods[m] === false) outranks the enable.
      if (isGrantable(method) && site.methods?.[method] === false) throw error('METHOD_NOT_GRANTED', `${method} not granted to`, ctx.origin);
    }
    return (this.handlers[method] as Handler<typeof method>)(ctx, parsed.data as never);
  }

  private readonly handlers: { [M in PageMethod]: Handler<M> } = {
    enable: (ctx) => this.enable(ctx),
    isEnabled: async (ctx) => (await this.siteEnabled(ctx.origin)) !== undefined,
    getInfo: (ctx) => this.getInfo(ctx.origin),
    getBalance: async (ctx) => {
      const site = await this.d.policy.getSite(ctx.origin);
      if (site?.methods?.getBalance !== true) throw error('METHOD_NOT_GRANTED', 'balance not shared with', ctx.origin);
      const b = await (await this.unlockedNode(ctx)).getBalances();
      return { balance: b.lightning.localSat, currency: 'sats' };
    },
    sendPayment: (ctx, p) => this.payInvoice(ctx, p.paymentRequest, 'sendPayment'),
    sendPaymentAsync: async (ctx, p) => {
      await this.startInvoice(ctx, p.paymentRequest, 'sendPaymentAsync');
      return {};
    },
    keysend: (ctx, p) => this.keysend(ctx, p),
    makeInvoice: (ctx, p) => this.makeInvoice(ctx, p.args),
    signMessage: async (ctx, p) => {
      // Unlock first: approving a signature and then hearing "locked" would waste the person's answer.
      const node = await this.unlockedNode(ctx);
      await this.approveOrReject({ kind: 'signMessage', origin: ctx.origin, ...embedding(ctx), message: p.message }, ctx);
      const signature = await node.signMessage(p.message);
      return { message: p.message, signature };
    },
    verifyMessage: async (ctx, p) => {
      const r = await (await this.unlockedNode(ctx)).verifyMessage(p.message, p.signature);
      if (!r.valid) throw error('SIGNATURE_INVALID', 'signature does not verify');
      return { valid: true, pubkey: r.pubkey };
    },
    lookupInvoice: (ctx, p) => this.lookupInvoice(ctx, 'paymentHash' in p ? p.paymentHash : decodeForPage(p.paymentRequest)),
    lnurl: (ctx, p) => runLnurl(this.lnurlHost(ctx), ctx.origin, p.lnurl),
    request: (ctx, p) => this.request(ctx, p.method, p.params),
    paywall: (ctx, p) => {
      if (!this.d.paywall) throw error('UNSUPPORTED_METHOD', 'no 402 payer here');
      return this.d.paywall(ctx, p.url);
    },
  };

  /**
   * A payment link the person clicked on the page (links/): no enable needed, the click asked for
   * the prompt. An invoice is confirmed in the payment prompt and paid within the budgets; an LNURL
   * or lightning address runs the flow `webln.lnurl` runs. `ctx` comes from the browser.
   */
  async openLink(ctx: PageContext, href: string, hooks: LinkHooks = {}): Promise<LnurlResult> {
    // A site the person paused gets nothing from its links either (not even a reward auto-claim).
    if ((await this.d.policy.getSite(ctx.origin))?.paused) throw error('SITE_PAUSED', 'payments from this site are paused', ctx.origin);
    const link = parseLink(href, { allowInsecureLocalhost: allowsLocalServices(this.d.devBuild, ctx.origin) });
    if (link.kind === 'lnurl') return runLnurl(this.lnurlHost(ctx, hooks), ctx.origin, link.text);
    const { invoice, result } = await this.startInvoice(ctx, link.paymentRequest, 'link');
    const { preimage } = paidOrThrow(await result, invoice.paymentHash);
    return { status: 'OK', ...(preimage && { preimage }) };
  }

  private lnurlHost(ctx: PageContext, hooks: LinkHooks = {}): LnurlHost {
    const { root } = this.d;
    return {
      ...(hooks.onAutoClaim && { onAutoClaim: hooks.onAutoClaim }),
      ...embedding(ctx),
      policy: this.d.policy,
      ledger: this.d.ledger,
      approveOrReject: (request) => this.approveOrReject(request, ctx),
      unlockedNode: (origin) => this.unlockedNode({ ...ctx, origin }),
      payApproved: async (origin, paymentRequest) => {
        const { invoice, result } = await this.startInvoice({ ...ctx, origin }, paymentRequest, 'lnurlPay');
        return paidOrThrow(await result, invoice.paymentHash);
      },
      root: async (origin) => {
        if (!root) throw error('UNSUPPORTED_METHOD', 'LNURL-auth needs the wallet seed');
        await this.unlockedNode({ ...ctx, origin });
        return root();
      },
      ...(this.d.fetch && { fetch: this.d.fetch }),
      ...(this.d.addresses && { addresses: this.d.addresses }),
      ...(this.d.devBuild !== undefined && { devBuild: this.d.devBuild }),
      // The page hears one generic failure; the details stay in the worker's log.
      onServiceError: (origin, e) => console.warn('satnav lnurl:', origin, e.message),
    };
  }

  // ---- permissions -------------------------------------------------------

  private async siteEnabled(origin: Origin) {
    const site = await this.d.policy.getSite(origin);
    return site?.enabled && !site.paused ? site : undefined;
  }

  private async requireEnabled(origin: Origin): Promise<SiteView> {
    const site = await this.d.policy.getSite(origin);
    if (!site?.enabled) throw error('SITE_NOT_ENABLED', 'call webln.enable() first; not enabled for', origin);
    if (site.paused) throw error('SITE_PAUSED', 'payments paused for', origin);
    return site;
  }

  private async enable(ctx: PageContext): Promise<{ enabled: true }> {
    const { origin } = ctx;
    if (await this.siteEnabled(origin)) return { enabled: true };
    const site = await this.d.policy.getSite(origin);
    if (site?.paused) throw error('SITE_PAUSED', 'payments paused for', origin);
    const answer = await this.approveOrReject(enableRequest(ctx), ctx);
    await this.d.policy.upsertSite(origin, {
      enabled: true,
      remember: answer.remember ?? true,
      sharePubkey: answer.sharePubkey === true,
      ...(answer.allowance !== undefined && { allowance: answer.allowance }),
      ...(answer.period && { period: answer.period }),
      methods: { ...site?.methods, getBalance: answer.allowBalance === true },
    });
    return { enabled: true };
  }

  private async approveOrReject(request: ApprovalRequest, ctx: Pick<PageContext, 'tabId'> = {}) {
    const answer = await this.d.ask(request, ctx);
    if (!answer.approved) throw error('REJECTED', 'the person declined', request.kind);
    return answer;
  }

  /** The node, unlocking first with the person's help: a page never hears "locked" as such. */
  private async unlockedNode(ctx: PageContext): Promise<LightningNode> {
    if (!(await this.d.isUnlocked())) await this.approveOrReject(unlockRequest(ctx), ctx);
    return this.d.node();
  }

  /**
   * getInfo and request('getinfo') answer the same, from what is stored with
   * the connection: no unlock, so the answer can't tell a page whether the
   * wallet is locked; the node's public key only to sites the person let see it.
   */
  private async getInfo(origin: Origin) {
    const profile = await this.d.nodeProfile();
    if (!profile) throw error('NODE_NOT_CONNECTED', 'no node connected');
    const site = await this.d.policy.getSite(origin);
    return {
      node: { alias: profile.alias, ...(site?.sharePubkey === true && { pubkey: profile.pubkey }) },
      methods: [...LISTED_METHODS],
      supports: ['lightning'],
      version: this.d.version,
    };
  }

  // ---- payments ----------------------------------------------------------

  private async payInvoice(ctx: PageContext, paymentRequest: string, label: 'sendPayment' | 'sendPaymentAsync') {
    const { result } = await this.startInvoice(ctx, paymentRequest, label);
    return weblnReply(await result);
  }

  /** Admits the invoice, then hands it to the pipeline; resolves once it is on its way. */
  private async startInvoice(ctx: PageContext, paymentRequest: string, label: InvoicePayer) {
    const { invoice, amountSat } = await admitInvoice(paymentRequest, {
      origin: ctx.origin,
      ledger: this.d.ledger,
      network: (await this.d.nodeProfile())?.network,
      nowMs: this.now(),
    });
    await this.unlockedNode(ctx);
    const intent: PaymentIntent = {
      ...this.pageIntent(ctx),
      ...INVOICE_PAYERS[label],
      kind: 'payment',
      label,
      amountSat,
      paymentHash: invoice.paymentHash,
      destination: () => invoice.payee,
      paymentRequest: invoice.paymentRequest,
      expiresAt: invoice.expiresAt,
      ...(invoice.description !== undefined && { description: invoice.description }),
    };
    const started = await this.d.payments.start(intent, { paymentRequest: invoice.paymentRequest, timeoutSeconds: this.timeoutSeconds() });
    return { invoice, result: started.outcome };
  }

  private async keysend(ctx: PageContext, p: WeblnParams<'keysend'>) {
    const preimage = randomBytes(32);
    const node = await this.unlockedNode(ctx);
    const intent: PaymentIntent = {
      ...this.pageIntent(ctx),
      source: 'webln',
      kind: 'keysend',
      consent: 'may-ask',
      label: 'keysend',
      grant: 'keysend',
      amountSat: p.amount,
      paymentHash: bytesToHex(sha256(preimage)),
      destination: () => p.destination,
    };
    const result = await this.d.payments.pay(intent, (feeLimitSat) =>
      node.keysend({
        destPubkey: p.destination,
        amountSat: p.amount,
        feeLimitSat,
        preimage: bytesToHex(preimage),
        timeoutSeconds: this.timeoutSeconds(),
        ...(p.customRecords && { customRecords: recordsAsHex(p.customRecords) }),
      }),
    );
    return weblnReply(result);
  }

  private pageIntent(ctx: PageContext): Pick<PaymentIntent, 'origin' | 'rail' | 'embeddedIn' | 'tabId'> {
    return { origin: ctx.origin, rail: 'btc', ...embedding(ctx), ...(ctx.tabId !== undefined && { tabId: ctx.tabId }) };
  }

  private timeoutSeconds(): number {
    return this.d.paymentTimeoutSeconds ?? 60;
  }

  // ---- receiving ---------------------------------------------------------

  private async makeInvoice(ctx: PageContext, args: WeblnParams<'makeInvoice'>['args']) {
    const { origin } = ctx;
    const a = typeof args === 'number' ? { amount: args } : (args ?? {});
    const amount = a.amount ?? a.defaultAmount ?? a.minimumAmount;
    if (a.minimumAmount !== undefined && a.maximumAmount !== undefined && a.minimumAmount > a.maximumAmount) {
      throw error('BAD_REQUEST', 'minimumAmount above maximumAmount', `${a.minimumAmount}>${a.maximumAmount}`);
    }
    if (amount !== undefined && ((a.minimumAmount !== undefined && amount < a.minimumAmount) || (a.maximumAmount !== undefined && amount > a.maximumAmount))) {
      throw error('BAD_REQUEST', 'amount outside minimumAmount..maximumAmount', amount);
    }
    const node = await this.unlockedNode(ctx);
    const memo = a.defaultMemo ?? '';
    // Dollars for this site: an asset invoice through tapd, the peer converting the sats at its quote.
    // An amountless invoice can't be one (tapd needs an amount): it stays in sats.
    const inDollars = amount !== undefined && (await this.payInFor(origin)) === 'usd';
    const created = await this.d.invoices.create(origin, async () => {
      const c = inDollars ? await this.assetInvoice(node, amount, memo) : await node.createInvoice({ ...(amount !== undefined && { amountSat: amount }), memo });
      return { ...c, expiresAt: decodeInvoice(c.paymentRequest).expiresAt };
    });
    return { paymentRequest: created.paymentRequest, paymentHash: created.paymentHash, rHash: created.paymentHash };
  }

  private async payInFor(origin: Origin): Promise<PayIn> {
    return (await this.d.policy.getSite(origin))?.payIn ?? (await this.d.policy.getConfig()).global.payIn;
  }

  private async assetInvoice(node: LightningNode, amountSat: number, memo: string) {
    const tapd = await this.d.assetNode?.();
    if (!tapd) throw error('ASSET_UNAVAILABLE', 'receiving dollars needs tapd');
    const usd = await findUsdAsset(node, tapd);
    if (!usd) throw error('ASSET_UNAVAILABLE', 'no USD asset channel');
    return tapd.createAssetInvoice({ ...usd.ref, valueMsat: BigInt(amountSat) * 1000n, memo });
  }

  private async lookupInvoice(ctx: PageContext, paymentHash: string) {
    // Another site's invoice, or one never made through WebLN: indistinguishable on purpose.
    if ((await this.d.invoices.ownerOf(paymentHash)) !== ctx.origin) throw error('INVOICE_UNKNOWN', 'no invoice made for this site with hash', paymentHash);
    const inv = await (await this.unlockedNode(ctx)).lookupInvoice(paymentHash);
    return { paymentRequest: inv.paymentRequest, paid: inv.state === 'SETTLED', ...(inv.state === 'SETTLED' && inv.preimage && { preimage: inv.preimage }) };
  }

  /** `request` reaches only read-only calls, under the same grant and shape as their WebLN twins. */
  private async request(ctx: PageContext, method: string, params: unknown) {
    const { origin } = ctx;
    const m = method.toLowerCase();
    if (!(REQUEST_ALLOW_LIST as readonly string[]).includes(m)) throw error('UNSUPPORTED_METHOD', 'request method not allowed', method);
    if (m === 'getinfo') {
      const site = await this.d.policy.getSite(origin);
      if (site?.methods?.getInfo === false) throw error('METHOD_NOT_GRANTED', 'getInfo not granted to', origin);
      return this.getInfo(origin);
    }
    const pr = (params as { pay_req?: unknown } | undefined)?.pay_req;
    if (typeof pr !== 'string') throw error('BAD_REQUEST', 'decodepayreq needs params.pay_req');
    const d = await (await this.unlockedNode(ctx)).decodePayReq(pr);
    return { ...d, amountMsat: d.amountMsat.toString() };
  }
}

/** WebLN's SendPaymentResponse; a payment still in flight is said to be so, not failed. */
function weblnReply(result: PaymentResult) {
  const { preimage } = paidOrThrow(result, result.paymentHash);
  return {
    preimage,
    paymentHash: result.paymentHash,
    route: { total_amt: msatToSat(result.amountMsat + result.feeMsat), total_fees: msatToSat(result.feeMsat) },
  };
}

function paidOrThrow(result: PaymentResult, paymentHash: string): { preimage?: string; paymentHash: string } {
  if (result.status === 'SUCCEEDED') return { ...(result.preimage && { preimage: result.preimage }), paymentHash };
  if (result.status === 'FAILED') throw error('PAYMENT_FAILED', 'payment failed', result.failureReason ?? 'unknown');
  throw error('PAYMENT_PENDING', 'payment still in flight', paymentHash);
}

/** WebLN custom record values are plain strings (webln.guide); the node takes their UTF-8 bytes. */
function recordsAsHex(records: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(records).map(([type, value]) => [type, bytesToHex(utf8ToBytes(value))]));
}

function decodeForPage(paymentRequest: string): string {
  const inv = decodeInvoice(paymentRequest);
  checkPayable(inv);
  return inv.paymentHash;
}

