/**
 * `webln.lnurl(…)`: one LNURL, resolved and carried out with the person's
 * consent. payRequest (LUD-06/16) → they choose the amount, the invoice goes
 * through the same budget pipeline as any payment; withdrawRequest (LUD-03) →
 * a reward or refund lands on the node (one click, or none with the site's
 * reward auto-claim on); login (LUD-04) → signed with a key made for that
 * domain only (LUD-05).
 *
 * The LNURL comes from the page, so every request made for it is the page's request: nothing is
 * fetched while the wallet is locked, private networks are off limits outside the devnet, and
 * whatever went wrong on the wire reads to the page as one and the same failure.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import type { HDKey } from '@scure/bip32';
import { isLoopbackHost } from '../base/net.ts';
import type { Origin } from '../base/origin.ts';
import { moduleErrors, SatnavError } from '../errors.ts';
import type { Ledger } from '../ledger/index.ts';
import { linkingKeyFor } from '../keys/lnurl-auth.ts';
import {
  decodeLnurl,
  decryptSuccessAction,
  fetchLnurlParams,
  requestPayInvoice,
  submitAuth,
  submitWithdraw,
  type LnurlFetchOptions,
  type PayParams,
  type RemoteAddresses,
  type SuccessAction,
  type WithdrawParams,
  type LoginParams,
} from '../lnurl/index.ts';
import type { LightningNode } from '../node/types.ts';
import type { PolicyEngine } from '../policy/index.ts';
import type { ApprovalDecision, ApprovalRequest } from './approval.ts';

const error = moduleErrors('webln');

/** BOLT #11 caps an invoice description (`d`) at 639 bytes of UTF-8. */
const MAX_MEMO_BYTES = 639;
/** Withdraw failures after which the service will not pay: it refused, or the request never left. */
const WITHDRAW_NOT_PAID: ReadonlySet<string> = new Set(['LNURL_SERVICE_ERROR', 'LNURL_BAD_INPUT', 'LNURL_INVALID']);

/** What the flow needs from the WebLN service around it. */
export interface LnurlHost {
  policy: PolicyEngine;
  ledger: Ledger;
  /** Asks the person; a "no" throws REJECTED (and an answer that is not approved is refused here too). */
  approveOrReject(request: ApprovalRequest): Promise<ApprovalDecision>;
  unlockedNode(origin: string): Promise<LightningNode>;
  /** Pays through the budget pipeline; the person already chose this payment. */
  payApproved(origin: string, paymentRequest: string): Promise<{ preimage?: string; paymentHash: string }>;
  /** The wallet's BIP32 root (unlocks first if needed). */
  root(origin: string): Promise<HDKey>;
  fetch?: typeof fetch;
  /** Where LNURL answers really came from (the worker's webRequest); without it only host names are checked. */
  addresses?: RemoteAddresses;
  /** The demo/test build: a page on this machine may use the devnet's plain-http, private-network services. */
  devBuild?: boolean;
  /** What went wrong with a service, for the worker's log; the page reads only "LNURL service failed". */
  onServiceError?(origin: string, error: SatnavError): void;
  /** A reward claimed without a prompt (the site's reward auto-claim), once the service was told where to pay. */
  onAutoClaim?(domain: string, amountSat: number): void;
  /** The page the asking frame sits inside, when another origin's (`null`: the browser didn't say): every prompt says so. */
  embeddedIn?: Origin | null;
}

export type LnurlResult =
  | { status: 'OK'; preimage?: string; successAction?: { tag: string; message?: string; description?: string; url?: string } }
  /** `domain`: the service host whose own words `reason` are; absent when `reason` is SERVICE_FAILED. */
  | { status: 'ERROR'; reason: string; domain?: string };

export async function runLnurl(host: LnurlHost, origin: string, text: string): Promise<LnurlResult> {
  const opts: LnurlFetchOptions = {
    allowInsecureLocalhost: allowsLocalServices(host.devBuild, origin),
    ...(host.fetch && { fetch: host.fetch }),
    ...(host.addresses && { addresses: host.addresses }),
    // Unlocks first (the person is asked), or nothing is sent: a locked wallet probes nothing for a page.
    beforeRequest: async () => void (await host.unlockedNode(origin)),
  };
  const failed = (e: unknown) => serviceError(host, origin, e);
  const params = await fetchLnurlParams(decodeLnurl(text, opts), opts).catch(failed);
  if ('status' in params) return params;
  try {
    if (params.tag === 'payRequest') return await pay(host, origin, params, opts);
    if (params.tag === 'withdrawRequest') return await withdraw(host, origin, params, opts);
    return await login(host, origin, params, opts);
  } catch (e) {
    return failed(e);
  }
}

/** The whole-sat amounts a pay link takes (its range is in msat); none → LNURL_BAD_RESPONSE. */
export function payRangeSat(params: PayParams): { minSat: number; maxSat: number } {
  const minSat = Math.ceil(params.minSendable / 1000);
  const maxSat = Math.floor(params.maxSendable / 1000);
  if (minSat > maxSat) throw error('LNURL_BAD_RESPONSE', 'no whole-sat amount fits', `${params.minSendable}..${params.maxSendable} msat`);
  return { minSat, maxSat };
}

async function pay(host: LnurlHost, origin: string, params: PayParams, opts: LnurlFetchOptions): Promise<LnurlResult> {
  const { minSat, maxSat } = payRangeSat(params);
  const today = await host.policy.dailyUsage();
  const answer = await ask(host, {
    kind: 'lnurlPay',
    origin,
    domain: params.domain,
    ...(params.address && { address: params.address }),
    minSat,
    maxSat,
    description: params.meta.description,
    ...(params.meta.longDescription && { longDescription: params.meta.longDescription }),
    ...(params.meta.image && { image: params.meta.image }),
    commentAllowed: params.commentAllowed,
    budget: { remainingDailySat: today.remainingSat },
  });
  const amountSat = chosenAmount(answer, minSat, maxSat);
  const invoice = await requestPayInvoice(params, amountSat * 1000, { ...opts, ...(answer.comment && { comment: answer.comment }) });
  const paid = await host.payApproved(origin, invoice.paymentRequest);
  const action = invoice.successAction && (await shownAction(invoice.successAction, paid.preimage));
  return { status: 'OK', ...(paid.preimage && { preimage: paid.preimage }), ...(action && { successAction: action }) };
}

async function withdraw(host: LnurlHost, origin: string, params: WithdrawParams, opts: LnurlFetchOptions): Promise<LnurlResult> {
  const minSat = Math.ceil(params.minWithdrawable / 1000);
  const maxSat = Math.floor(params.maxWithdrawable / 1000);
  if (maxSat < 1 || minSat > maxSat) throw error('LNURL_BAD_RESPONSE', 'no whole-sat amount to withdraw', `${params.minWithdrawable}..${params.maxWithdrawable} msat`);
  const node = await host.unlockedNode(origin);
  const site = await host.policy.getSite(origin);
  // Auto-claim is the person's standing permission for that site, unless they paused it.
  const amountSat = site?.rewardAutoClaim && !site.paused
    ? maxSat
    : chosenAmount(
        await ask(host, { kind: 'lnurlWithdraw', origin, domain: params.domain, minSat, maxSat, description: params.defaultDescription }),
        minSat,
        maxSat,
      );
  const memo = utf8Prefix(params.defaultDescription, MAX_MEMO_BYTES);
  const created = await node.createInvoice({ amountSat, memo });
  // Recorded before the service is told where to pay: a reward is never lost track of.
  const entry = await host.ledger.begin({
    origin,
    kind: 'reward',
    source: 'lnurl',
    rail: 'btc',
    amountSat,
    paymentHash: created.paymentHash,
    paymentRequest: created.paymentRequest,
    description: memo || params.domain,
  });
  try {
    await submitWithdraw(params, created.paymentRequest, opts);
  } catch (e) {
    // A timeout, a dropped connection or an odd answer may still end in a payment: the entry
    // stays pending and reconcile() reads the outcome from the invoice.
    if (e instanceof SatnavError && WITHDRAW_NOT_PAID.has(e.code)) await host.ledger.fail(entry.id, e.code);
    throw e;
  }
  // Services may pay at once or later; reconcile() settles the entry from the invoice's state.
  const state = await node.lookupInvoice(created.paymentHash).catch(() => undefined);
  if (state?.state === 'SETTLED') await host.ledger.succeed(entry.id);
  if (site?.rewardAutoClaim) host.onAutoClaim?.(params.domain, amountSat);
  return { status: 'OK' };
}

async function login(host: LnurlHost, origin: string, params: LoginParams, opts: LnurlFetchOptions): Promise<LnurlResult> {
  const key = linkingKeyFor(await host.root(origin), params.domain);
  await ask(host, {
    kind: 'lnurlAuth',
    origin,
    domain: params.domain,
    ...(params.action && { action: params.action }),
    linkingPubkey: bytesToHex(key.publicKey!),
  });
  await submitAuth(params, key, opts);
  return { status: 'OK' };
}

type LnurlRequest = Extract<ApprovalRequest, { kind: 'lnurlPay' | 'lnurlWithdraw' | 'lnurlAuth' }>;

/** The person's answer; a "no" stops here even if the host returned it instead of throwing. */
async function ask(host: LnurlHost, request: LnurlRequest): Promise<ApprovalDecision> {
  const answer = await host.approveOrReject({ ...request, ...(host.embeddedIn !== undefined && { embeddedIn: host.embeddedIn }) });
  if (!answer.approved) throw error('REJECTED', 'the person declined', request.kind);
  return answer;
}

function chosenAmount(answer: ApprovalDecision, minSat: number, maxSat: number): number {
  const amount = answer.amountSat ?? minSat;
  if (!Number.isSafeInteger(amount) || amount < minSat || amount > maxSat) throw error('BAD_REQUEST', `amount must be ${minSat}..${maxSat} sat`, amount);
  return amount;
}

/** A success action as it is shown: an aes one decrypted into a message. */
export type ShownSuccessAction = Exclude<SuccessAction, { tag: 'aes' }> | { tag: 'message'; description: string; message: string };

/**
 * What the page is told to show once paid. Only aes needs the preimage; one that does not
 * decrypt is left out, since the money is gone either way and the page must hear "OK".
 */
export async function shownAction(action: SuccessAction, preimage: string | undefined): Promise<ShownSuccessAction | undefined> {
  if (action.tag !== 'aes') return action;
  if (preimage === undefined) return undefined;
  const message = await decryptSuccessAction(action, preimage).catch(() => undefined);
  return message === undefined ? undefined : { tag: 'message', description: action.description, message };
}

/** The longest start of `text` that fits in `maxBytes` of UTF-8, cut between code points. */
function utf8Prefix(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes > maxBytes) break;
    end += ch.length;
  }
  return text.slice(0, end);
}

/** All a page hears of a service failure, whatever it was (see lnurl/http.ts). */
export const SERVICE_FAILED = 'LNURL service failed';

/**
 * The service's refusals and failures are LNURL outcomes a page reads as `{status: 'ERROR'}`;
 * a bad LNURL or amount, the person's "no", a locked wallet and budget refusals stay errors.
 */
function serviceError(host: LnurlHost, origin: string, e: unknown): LnurlResult {
  if (!(e instanceof SatnavError) || !e.code.startsWith('LNURL_') || e.code === 'LNURL_INVALID' || e.code === 'LNURL_BAD_INPUT') throw e;
  host.onServiceError?.(origin, e);
  // The service's own words are meant for the person (LUD-01), and only a public service the
  // checks let through can answer at all; what the wallet saw on the wire (unreachable, slow,
  // redirected, not JSON, a private address) must read the same, or a page could probe hosts.
  const { reason, domain } = e.details ?? {};
  if (e.code === 'LNURL_SERVICE_ERROR' && typeof reason === 'string' && typeof domain === 'string') return { status: 'ERROR', reason, domain };
  return { status: 'ERROR', reason: SERVICE_FAILED };
}

/** Plain http and private networks only for the devnet: a demo/test build and a page on this machine. */
export function allowsLocalServices(devBuild: boolean | undefined, origin: string): boolean {
  return devBuild === true && isLoopbackOrigin(origin);
}

function isLoopbackOrigin(origin: string): boolean {
  try {
    return isLoopbackHost(new URL(origin).hostname);
  } catch {
    return false;
  }
}
