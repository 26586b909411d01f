import { z } from '../base/zod.ts';
import { LEDGER_KINDS, LEDGER_STATUSES } from '../ledger/index.ts';
import type { LedgerEntry } from '../ledger/index.ts';
import { amountSchema, globalPolicyPatch, PERIODS, sitePolicyPatch, type DailyUsage, type GlobalPolicy, type SiteView } from '../policy/index.ts';
import { PAY_IN } from '../policy/config.ts';
import type { ApprovalRequest } from '../webln/approval.ts';
import { satsSchema } from '../base/sats.ts';
import { MAX_PAYMENT_CODE_LENGTH } from '../payments/payment-code.ts';
import { MAX_NOTE_LENGTH, type ReceivedInvoice, type ReceiveStatus } from '../payments/receive.ts';
import type { SendPreview, SendResult } from '../payments/send.ts';
export type { ReceivedInvoice, ReceiveStatus, SendPreview, SendResult };

/**
 * Requests from Satnav's own pages (popup, options, prompt) to the worker.
 * One discriminated union, validated at the worker boundary; `UiResponses`
 * maps each request type to its result so both ends stay typed.
 */

const password = z.string().check(z.minLength(1), z.maxLength(1024));

const approvalDecision = z.strictObject({
  approved: z.boolean(),
  remember: z.optional(z.boolean()),
  allowance: z.optional(amountSchema),
  period: z.optional(z.enum(PERIODS)),
  allowBalance: z.optional(z.boolean()),
  sharePubkey: z.optional(z.boolean()),
  amountSat: z.optional(z.int().check(z.minimum(0), z.maximum(2_100_000_000_000_000))),
  comment: z.optional(z.string().check(z.maxLength(2000))),
  payIn: z.optional(z.enum(PAY_IN)),
});

const activityFilter = z.strictObject({
  origin: z.optional(z.string().check(z.maxLength(2048))),
  kind: z.optional(z.enum(LEDGER_KINDS)),
  status: z.optional(z.enum(LEDGER_STATUSES)),
  limit: z.optional(z.int().check(z.minimum(1), z.maximum(1000))),
});
export type ActivityFilter = z.infer<typeof activityFilter>;
const language = z.enum(['auto', 'en', 'fr', 'de', 'zh_TW']);
export type Language = z.infer<typeof language>;

export const settingsPatch = z.partial(
  z.strictObject({
    // Fractions allowed so tests can use seconds; the UI offers whole minutes.
    autoLockMinutes: z.number().check(z.minimum(0.05), z.maximum(1440)),
    language,
  }),
);

export const nodeConnectRequest = z.strictObject({
  lndconnect: z.optional(z.string().check(z.maxLength(8192))),
  restUrl: z.optional(z.string().check(z.maxLength(2048))),
  macaroon: z.optional(z.string().check(z.maxLength(8192))),
  tapdUrl: z.optional(z.string().check(z.maxLength(2048))),
  tapdMacaroon: z.optional(z.string().check(z.maxLength(8192))),
  label: z.optional(z.string().check(z.maxLength(100))),
  expectedNetwork: z.optional(z.enum(['mainnet', 'testnet', 'testnet4', 'signet', 'regtest', 'simnet'])),
});
export type NodeConnectRequest = z.infer<typeof nodeConnectRequest>;

/** One credential by id, or every credential a site's budget paid for. */
const paywallRevokeTarget = z.union([
  z.strictObject({ id: z.string().check(z.minLength(1), z.maxLength(64)) }),
  z.strictObject({ paidBy: z.string().check(z.maxLength(2048)) }),
]);

const origin = z.string().check(z.maxLength(2048));
const paymentHash = z.string().check(z.regex(/^[0-9a-f]{64}$/));

export const uiRequest = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('vault.status') }),
  z.strictObject({ type: z.literal('vault.create'), mnemonic: z.string().check(z.maxLength(2048)), password, replace: z.optional(z.boolean()) }),
  z.strictObject({ type: z.literal('vault.unlock'), password }),
  z.strictObject({ type: z.literal('vault.lock') }),
  z.strictObject({ type: z.literal('vault.reveal'), password }),
  z.strictObject({ type: z.literal('settings.get') }),
  z.strictObject({ type: z.literal('settings.update'), patch: settingsPatch }),
  z.strictObject({ type: z.literal('node.status') }),
  z.strictObject({ type: z.literal('node.connect'), connection: nodeConnectRequest }),
  z.strictObject({ type: z.literal('node.disconnect') }),
  // Waits for the person to accept the node's certificate in a tab, then connects: this
  // connection, or the saved one (its certificate changed, or the browser's acceptance ran out).
  z.strictObject({ type: z.literal('node.trust'), connection: z.optional(nodeConnectRequest) }),
  z.strictObject({ type: z.literal('node.balances') }),
  z.strictObject({ type: z.literal('devnet.offer') }),
  z.strictObject({ type: z.literal('devnet.connect') }),
  z.strictObject({ type: z.literal('approval.get'), id: z.string().check(z.maxLength(64)) }),
  z.strictObject({ type: z.literal('approval.decide'), id: z.string().check(z.maxLength(64)), decision: approvalDecision }),
  z.strictObject({ type: z.literal('limits.get') }),
  z.strictObject({ type: z.literal('limits.updateGlobal'), patch: globalPolicyPatch }),
  z.strictObject({ type: z.literal('limits.updateSite'), origin, patch: sitePolicyPatch }),
  z.strictObject({ type: z.literal('limits.revokeSite'), origin }),
  z.strictObject({ type: z.literal('activity.list'), filter: z.optional(activityFilter) }),
  z.strictObject({ type: z.literal('activity.csv'), filter: z.optional(activityFilter) }),
  z.strictObject({ type: z.literal('paywall.list') }),
  z.strictObject({ type: z.literal('paywall.revoke'), target: paywallRevokeTarget }),
  z.strictObject({ type: z.literal('deposits.list') }),
  z.strictObject({ type: z.literal('deposits.release'), paymentHash }),
  // The send screen: what a pasted code is, then paying it (payments/send.ts).
  z.strictObject({ type: z.literal('send.preview'), text: z.string().check(z.maxLength(MAX_PAYMENT_CODE_LENGTH)) }),
  z.strictObject({
    type: z.literal('send.pay'),
    text: z.string().check(z.maxLength(MAX_PAYMENT_CODE_LENGTH)),
    amountSat: z.optional(satsSchema),
    comment: z.optional(z.string().check(z.maxLength(2000))),
    payIn: z.enum(['btc', 'usd']),
  }),
  // The receive screen (payments/receive.ts).
  z.strictObject({
    type: z.literal('receive.create'),
    amount: z.union([z.strictObject({ sat: satsSchema }), z.strictObject({ usd: z.string().check(z.maxLength(32)) })]),
    note: z.string().check(z.maxLength(MAX_NOTE_LENGTH * 4)),
  }),
  z.strictObject({ type: z.literal('receive.status'), paymentHash }),
  // tapd added to a node connected without it (an lndconnect URI carries none).
  z.strictObject({ type: z.literal('node.addTapd'), tapdUrl: z.string().check(z.maxLength(2048)), tapdMacaroon: z.string().check(z.maxLength(8192)) }),
]);
export type UiRequest = z.infer<typeof uiRequest>;

/**
 * Per request type: whether it is the person's activity (it keeps an
 * unlocked wallet from auto-locking) or a read the pages make on their own,
 * on open or on a refresh timer. Every type has a row: a new one without is a
 * compile error.
 */
export const UI_REQUEST_PASSIVE = {
  'vault.status': true,
  'vault.create': false,
  'vault.unlock': false,
  'vault.lock': false,
  'vault.reveal': false,
  'settings.get': true,
  'settings.update': false,
  'node.status': true,
  'node.connect': false,
  'node.disconnect': false,
  'node.trust': false,
  'node.balances': true,
  'devnet.offer': true,
  'devnet.connect': false,
  'approval.get': true,
  'approval.decide': false,
  'limits.get': true,
  'limits.updateGlobal': false,
  'limits.updateSite': false,
  'limits.revokeSite': false,
  'activity.list': true,
  'activity.csv': false,
  'paywall.list': true,
  'paywall.revoke': false,
  'deposits.list': true,
  'deposits.release': false,
  'send.preview': false,
  'send.pay': false,
  'receive.create': false,
  'receive.status': true,
  'node.addTapd': false,
} as const satisfies Record<UiRequest['type'], boolean>;
export type UiRequestType = UiRequest['type'];

export interface VaultStatus {
  initialized: boolean;
  unlocked: boolean;
  autoLockMinutes: number;
}
export interface Settings {
  autoLockMinutes: number;
  language: Language;
}
export interface NodeStatus {
  connected: boolean;
  label?: string;
  alias?: string;
  pubkey?: string;
  network?: string;
  restUrl?: string;
  hasTapd?: boolean;
  simulated?: boolean;
  /** The SHA-256 fingerprint of the node's certificate from its lndconnect link. */
  certFingerprint?: string;
  /** The node's certificate is one the person accepted in the browser (src/node/browser-trust.ts). */
  tls?: 'accepted-in-browser';
}
import type { AssetBalance, Balances } from '../node/types.ts';
import type { DepositState } from '../deposit/book.ts';
export type { AssetBalance, Balances };
/** Whether the embedded devnet (npm run demo) is running on this machine. */
export interface DevnetOffer {
  available: boolean;
  alias?: string;
}

export interface UiResponses {
  'vault.status': VaultStatus;
  'vault.create': VaultStatus;
  'vault.unlock': VaultStatus;
  'vault.lock': VaultStatus;
  'vault.reveal': { mnemonic: string };
  'settings.get': Settings;
  'settings.update': Settings;
  'node.status': NodeStatus;
  'node.connect': NodeStatus;
  'node.disconnect': NodeStatus;
  /** Connected once the browser accepts the node's certificate; NODE_TLS_UNTRUSTED with `gaveUp` when the tab closed or time ran out. */
  'node.trust': NodeStatus;
  'node.balances': Balances;
  'devnet.offer': DevnetOffer;
  /** Connects to the devnet's "alice" node, clearly marked as simulated. */
  'devnet.connect': NodeStatus;
  /** The pending question for the prompt window; throws APPROVAL_UNKNOWN when it is gone. */
  'approval.get': { id: string; request: ApprovalRequest; createdAt: number };
  'approval.decide': { ok: true };
  'limits.get': Limits;
  'limits.updateGlobal': Limits;
  'limits.updateSite': Limits;
  'limits.revokeSite': Limits;
  'activity.list': { entries: LedgerEntry[] };
  'activity.csv': { csv: string };
  /** What Satnav bought at 402 walls, newest first. */
  'paywall.list': PaidAccess;
  /** Revoked (an unknown id is already gone: no error); the list after it. */
  'paywall.revoke': PaidAccess;
  /** Deposits held now and ended, newest first, with the total locked. */
  'deposits.list': Deposits;
  /** The site was asked to release it (the refund shows once the node says so); the list after it. */
  'deposits.release': Deposits;
  'send.preview': SendPreview;
  'send.pay': SendResult;
  'receive.create': ReceivedInvoice;
  'receive.status': ReceiveStatus;
  /** Connected with tapd now (checked with its getinfo: on this same lnd). */
  'node.addTapd': NodeStatus;
}

/** A deposit as Satnav's pages see it (src/deposit/book.ts has the states). */
export interface DepositItem {
  paymentHash: string;
  /** The server holding it. */
  site: string;
  /** The page that met the wall: its tabs keep the deposit held. */
  paidBy: string;
  realm: string;
  amountSat: number;
  state: DepositState;
  createdAt: number;
  heldAt?: number;
  /** The site's promised longest hold, from `heldAt`. */
  maxHoldSeconds: number;
  /** Worst case (ms): the HTLC's time-lock runs out by then, whatever the site does. */
  lockedUntil: number;
  releaseAskedAt?: number;
  endedAt?: number;
  /** The site's forfeit terms: a URL or a sentence. */
  forfeit: string;
  note?: string;
}
export interface Deposits {
  items: DepositItem[];
  /** Locked in deposits now (amount + fee limit each), and the limit. */
  lockedSat: number;
  lockLimitSat: number;
}

/**
 * A credential bought at a 402 wall as Satnav's pages see it. Never its
 * header: that is a bearer secret, and it stays in the worker.
 */
export interface PaidAccessItem {
  id: string;
  /** The server that sold it (an origin): the only one it is ever sent to. */
  server: string;
  /** Paths of that server it has been applied to. */
  paths: string[];
  /** L402 services it covers (empty for the other schemes). */
  services: string[];
  scheme: 'l402' | 'payment' | 'x402';
  amountSat: number;
  /** The site whose budget paid. */
  paidBy: string;
  /** When it was bought (ms). */
  createdAt: number;
  /** Unix seconds; null: until the server stops accepting it. */
  expiresAt: number | null;
  /** L402 serves many requests; a Payment charge or an x402 proof one. */
  reusable: boolean;
}
export interface PaidAccess {
  credentials: PaidAccessItem[];
}

/** Every spending limit in one place: the global ones, today's usage, and each site. */
export interface Limits {
  global: GlobalPolicy;
  today: DailyUsage;
  sites: SiteView[];
}

export type UiRequestOf<T extends UiRequestType> = Extract<UiRequest, { type: T }>;
