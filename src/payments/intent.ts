import type { Origin } from '../base/origin.ts';
import type { GrantableMethod } from '../base/page-methods.ts';
import type { PaymentSource, Rail } from '../base/payment-kinds.ts';
import type { LedgerKind } from '../ledger/index.ts';
import type { Ledger } from '../ledger/index.ts';
import type { LightningNode, NodeNetwork, PaymentResult } from '../node/types.ts';
import type { PayIn, PolicyEngine } from '../policy/index.ts';
import type { PaymentPipeline } from './pipeline.ts';

/**
 * One payment someone wants made, as every payer (WebLN, LNURL, 402 walls,
 * deposits, the send screen) hands it to the pipeline. What differs between
 * payers is only here and in their `send`.
 */
export interface PaymentIntent {
  /** From the browser (message sender), never from page data. */
  origin: Origin;
  source: PaymentSource;
  /**
   * Not read by the pipeline: it pays an invoice on the rail the person chose (`payIn`, rail.ts)
   * and records that; a payer's own `Send` (keysend) is BTC. Kept until payers stop setting it.
   */
  rail: Rail;
  /**
   * The person's choice for this very payment (the send screen, the prompt's switch): wins over
   * the site's and the global `payIn`. Absent: the site's choice, else the global one.
   */
  payIn?: PayIn;
  /** What moves: a deposit stays in flight while it is held. */
  kind: Extract<LedgerKind, 'payment' | 'keysend' | 'deposit'>;
  amountSat: number;
  paymentHash: string;
  /**
   * The payee's node id, for the prompt. For an invoice it is recovered from the signature when
   * first asked for (bolt11.ts), so a payment no one is asked about spends nothing on it.
   */
  destination(): string;
  paymentRequest?: string;
  description?: string;
  /** Invoice expiry, unix seconds. */
  expiresAt?: number;
  /** The per-site WebLN grant this payment uses. */
  grant?: GrantableMethod;
  /**
   * How the person takes part:
   * - `may-ask`: a site chose it; within budget it goes through, above it the person is asked;
   * - `chosen`: the person already chose this very payment (typed the amount, pressed send);
   * - `never-ask`: a site chose it and the person said not to be asked (the payer reports why instead);
   * - `confirm`: the person asked for it (clicked a payment link) and confirms it in the prompt, within
   *   budget too; once confirmed it counts as chosen.
   */
  consent: 'may-ask' | 'chosen' | 'never-ask' | 'confirm';
  /** The top-level origin when the asking frame sits inside another origin's page (`null`: unknown). */
  embeddedIn?: Origin | null;
  /** How the prompt names the request (e.g. the WebLN method, or "402 wall"). */
  label: PaymentLabel;
  /** The asking tab, for the prompt's per-tab limits. */
  tabId?: number;
  /** A deposit's terms, shown in the prompt. */
  deposit?: DepositTerms;
}

/** What a person needs to judge a deposit: how long it may stay locked and when they could lose it. */
export interface DepositTerms {
  /** The site's promised longest hold (seconds). */
  maxHoldSeconds: number;
  /** Worst case, unix ms: the HTLC's time-lock runs out by then whatever the site does. */
  lockedUntil: number;
  /** The site's forfeit terms (a URL or a sentence). */
  forfeit: string;
}

export const PAYMENT_LABELS = ['sendPayment', 'sendPaymentAsync', 'keysend', 'lnurlPay', 'l402', 'deposit', 'send', 'link'] as const;
export type PaymentLabel = (typeof PAYMENT_LABELS)[number];

/** What every payer (402 walls, deposits, sessions) pays through and checks against. */
export interface PayerDeps {
  payments: PaymentPipeline;
  policy: PolicyEngine;
  ledger: Ledger;
  /** The connected node; throws VAULT_LOCKED / NODE_NOT_CONNECTED. */
  node(): Promise<LightningNode>;
  nodeNetwork(): Promise<NodeNetwork | undefined>;
}

/** Sends the payment with this routing-fee limit; resolves with the node's word. */
export type Send = (maxFeeSat: number) => Promise<PaymentResult>;
