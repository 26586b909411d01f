import { embedding, type PageContext } from '../base/origin.ts';
import type { DepositTerms, PaymentLabel } from '../payments/intent.ts';
import type { PayInTerms } from '../payments/rail.ts';
import type { Amount, PayIn, Period, PolicyReason } from '../policy/index.ts';

/** What a page asks from a frame: the page that frame sits inside, when that is another origin (`null`: the browser didn't say). */
interface FramedRequest {
  embeddedIn?: string | null;
}

/**
 * What the wallet asks the person, and what they answer. The prompt window
 * renders an ApprovalRequest; its answer comes back as an ApprovalDecision.
 * `origin` is always the browser-reported origin of the asking page.
 */
export type ApprovalRequest =
  | (FramedRequest & { kind: 'unlock'; origin: string })
  /** `via: 'paywall'`: the site's content sits behind a 402 wall it wants paid. */
  | (FramedRequest & { kind: 'enable'; origin: string; via?: 'paywall' })
  | (FramedRequest & {
      kind: 'payment';
      origin: string;
      /** What asks: the WebLN method, an LNURL-pay, a 402 wall, a deposit. */
      label: PaymentLabel;
      amountSat: number;
      maxFeeSat: number;
      paymentHash: string;
      destination: string;
      description?: string;
      paymentRequest?: string;
      expiresAt?: number;
      reason: PolicyReason;
      /** False when only a settings change could let it through (today's cap): the prompt can only inform. */
      approvable: boolean;
      /** The site's allowance and what is left of it and of today's cap, each in its own unit (sats or dollars). */
      budget: { allowance: Amount; period: Period; remainingSite: Amount; remainingDaily: Amount };
      deposit?: DepositTerms;
      /** BTC or dollars: the choice, the dollar terms at the quote, and why the other choice is closed. */
      payIn?: PayInTerms;
    })
  | (FramedRequest & { kind: 'signMessage'; origin: string; message: string })
  /** LUD-06 / LUD-16: the person picks the amount (and may add a comment). */
  | (FramedRequest & {
      kind: 'lnurlPay';
      origin: string;
      /** The LNURL service's host, which gets the money; may differ from `origin`. */
      domain: string;
      address?: string;
      minSat: number;
      maxSat: number;
      description: string;
      longDescription?: string;
      /** data: URL from the service's metadata. */
      image?: string;
      commentAllowed: number;
      budget: { remainingDailySat: number };
    })
  /** LUD-03: a reward or refund paid to the person's node. */
  | (FramedRequest & { kind: 'lnurlWithdraw'; origin: string; domain: string; minSat: number; maxSat: number; description: string })
  /** LUD-04: log in to `domain` with a key only that domain ever sees (LUD-05). */
  | (FramedRequest & { kind: 'lnurlAuth'; origin: string; domain: string; action?: 'register' | 'login' | 'link' | 'auth'; linkingPubkey: string });

type Unlock = Extract<ApprovalRequest, { kind: 'unlock' }>;
type Enable = Extract<ApprovalRequest, { kind: 'enable' }>;

/**
 * The two questions any page can raise by calling, built in one place for every caller (WebLN,
 * 402 walls) so none forgets to name the page a frame sits in: the wallet is locked; the site
 * asks to connect (`via: 'paywall'`: for a 402 wall).
 */
export function unlockRequest(ctx: PageContext): Unlock {
  return { kind: 'unlock', origin: ctx.origin, ...embedding(ctx) };
}

export function enableRequest(ctx: PageContext, via?: 'paywall'): Enable {
  return { kind: 'enable', origin: ctx.origin, ...embedding(ctx), ...(via && { via }) };
}

export interface ApprovalDecision {
  approved: boolean;
  /** enable: keep the permission after the browser restarts. */
  remember?: boolean;
  /** enable: the allowance the person chose for this site. */
  allowance?: Amount;
  period?: Period;
  /** enable: let the site read the balance. */
  allowBalance?: boolean;
  /** enable: let the site see the node's public key in getInfo (a lasting cross-site id). */
  sharePubkey?: boolean;
  /** payment: BTC or dollars for this payment, when the person switched it in the prompt. */
  payIn?: PayIn;
  /** lnurlPay / lnurlWithdraw: the amount the person chose, within the request's min..max. */
  amountSat?: number;
  /** lnurlPay: a comment for the recipient, at most `commentAllowed` characters. */
  comment?: string;
}

/** Where the question comes from, as the browser said: the tab (for per-tab flood limits). */
export interface AskContext {
  tabId?: number;
}

export type Approver = (request: ApprovalRequest, context?: AskContext) => Promise<ApprovalDecision>;
