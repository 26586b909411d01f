/**
 * The payers, end to end over the real policy, pipeline and ledger, against a
 * node that pays nothing and counts every time it is asked to. Each world is
 * set so that no input may lead to a payment:
 *
 * | world     | the person   | limits                                                            |
 * | --------- | ------------ | ----------------------------------------------------------------- |
 * | declines  | says no      | allowance 0 (small amounts refused unasked), deposits over the lock limit |
 * | cap       | says yes     | daily cap 5 sat, below any amount + fee limit (no "yes" lifts it); |
 * |           |              |   not for deposits, which are locked, not spent, so no cap bounds them |
 * | never-ask | not asked    | 402 walls and deposits keep their 402 above the limits (WebLN: n/a) |
 *
 * `control` is the same machinery with a person who says yes and room in the
 * budget: the run starts by paying each payer's unbent seed there, to show the
 * count would see a payment.
 */
import { DepositBook } from '../src/deposit/book.ts';
import { DepositKeeper } from '../src/deposit/keeper.ts';
import { SatnavError } from '../src/errors.ts';
import { Ledger } from '../src/ledger/index.ts';
import type { KeysendParams, LightningNode, PayInvoiceParams, PaymentResult } from '../src/node/types.ts';
import { CredentialStore, type SecretSlot } from '../src/paywall/credentials.ts';
import { WallPayer } from '../src/paywall/payer.ts';
import { PaymentPipeline } from '../src/payments/index.ts';
import { DEFAULT_GLOBAL, PolicyEngine } from '../src/policy/index.ts';
import { MemoryStore } from '../src/storage/kv.ts';
import type { ApprovalDecision } from '../src/webln/approval.ts';
import { PageInvoices } from '../src/webln/page-invoices.ts';
import { WeblnService } from '../src/webln/service.ts';
import { NOW, ROOT, SITE } from './seeds.ts';

export type WorldKind = 'declines' | 'cap' | 'never-ask' | 'control';
/** Where no payment may go out (deposits: only where nobody says yes, see targets.ts). */
export const FUZZ_WORLDS: readonly WorldKind[] = ['declines', 'cap', 'never-ask'];

const NOW_MS = NOW * 1000;
const failed = (paymentHash: string): PaymentResult => ({ status: 'FAILED', paymentHash, amountMsat: 0n, feeMsat: 0n, failureReason: 'NO_ROUTE', createdAt: NOW });

/** A node that records what it is asked to pay and answers FAILED, so nothing cascades after a payment. */
export class CountingNode implements LightningNode {
  readonly paid: string[] = [];

  async payInvoice(p: PayInvoiceParams): Promise<PaymentResult> {
    this.paid.push(p.paymentRequest);
    return failed('00'.repeat(32));
  }
  async keysend(p: KeysendParams): Promise<PaymentResult> {
    this.paid.push(`keysend ${p.destPubkey} ${p.amountSat}`);
    return failed('00'.repeat(32));
  }
  async getInfo() {
    return { alias: 'fuzz', pubkey: `02${'11'.repeat(32)}`, network: 'regtest' as const, blockHeight: 1, synced: true, version: 'fuzz' };
  }
  checkNetwork() {
    return this.getInfo();
  }
  async getWalletState() {
    return 'SERVER_ACTIVE' as const;
  }
  async getBalances() {
    return { onchain: { confirmedSat: 0, unconfirmedSat: 0 }, lightning: { localSat: 1_000, remoteSat: 0, pendingOpenLocalSat: 0, unsettledLocalSat: 0 }, assetChannels: [] };
  }
  async createInvoice(): Promise<never> {
    throw new SatnavError('NODE_UNREACHABLE', 'fuzz node: makes no invoices');
  }
  createHoldInvoice = this.createInvoice;
  async settleHoldInvoice(): Promise<never> {
    throw new SatnavError('NODE_UNREACHABLE', 'fuzz node: holds nothing');
  }
  cancelHoldInvoice = this.settleHoldInvoice;
  async lookupInvoice(): Promise<never> {
    throw new SatnavError('NODE_UNREACHABLE', 'fuzz node: no invoices');
  }
  async decodePayReq(): Promise<never> {
    throw new SatnavError('NODE_UNREACHABLE', 'fuzz node: decodes nothing');
  }
  async trackPayment(hash: string): Promise<never> {
    throw new SatnavError('NODE_PAYMENT_NOT_FOUND', `fuzz node: payment unknown=${hash}`);
  }
  /** A stream that stays open and silent (a deposit keeper would follow it forever, harmlessly). */
  trackPayments(): Promise<void> {
    return new Promise(() => undefined);
  }
  async signMessage(message: string) {
    return `sig ${message.length}`;
  }
  async verifyMessage() {
    return { valid: false, pubkey: '' };
  }
  async listPayments() {
    return [];
  }
  async listInvoices() {
    return [];
  }
}

function memorySlot(): SecretSlot {
  let value: unknown;
  return {
    read: async () => structuredClone(value),
    update: async (fn: (v: unknown) => unknown) => {
      value = structuredClone(fn(structuredClone(value)));
    },
  };
}

/** The stored policy of each world, made once and copied into every world's fresh store. */
const templates = new Map<WorldKind, Record<string, unknown>>();

async function template(kind: WorldKind): Promise<Record<string, unknown>> {
  const made = templates.get(kind);
  if (made) return made;
  const store = new MemoryStore();
  const policy = new PolicyEngine({ store, now: () => NOW_MS });
  const deposits = { ...DEFAULT_GLOBAL.deposits, autoHold: kind === 'control', maxLockedSat: kind === 'control' ? DEFAULT_GLOBAL.deposits.maxLockedSat : 0 };
  await policy.updateGlobal({
    dailyCap: { sat: kind === 'cap' ? 5 : 100_000 },
    autoApprove: { sat: kind === 'cap' ? 0 : 1_000 },
    l402: { autoPay: true, overBudget: kind === 'never-ask' ? 'show402' : 'ask' },
    deposits,
  });
  await policy.upsertSite(SITE, { enabled: true, l402AutoPay: true, allowance: { sat: kind === 'declines' || kind === 'never-ask' ? 0 : 100_000 }, period: 'week' });
  const entries = await store.getMany(['policy:config', 'policy:spend']);
  templates.set(kind, entries);
  return entries;
}

export interface World {
  node: CountingNode;
  webln: WeblnService;
  paywall: WallPayer;
  deposits: DepositKeeper;
  /** Payment prompts the person saw. */
  prompts: number;
  /** Budget decisions asked of the policy: how far the fuzzed input got. */
  budgetChecks: number;
}

export async function makeWorld(kind: WorldKind): Promise<World> {
  const store = new MemoryStore();
  await store.set(await template(kind));
  const now = () => NOW_MS;
  const policy = new PolicyEngine({ store, now });
  const ledger = new Ledger({ store, now });
  const node = new CountingNode();
  const world = { node, prompts: 0, budgetChecks: 0 } as World;
  // Counted, not changed: every payer asks the policy before any payment.
  const evaluate = policy.evaluate.bind(policy);
  policy.evaluate = (req) => {
    world.budgetChecks++;
    return evaluate(req);
  };
  const ask = async (r: { kind: string }): Promise<ApprovalDecision> => {
    if (r.kind === 'payment') world.prompts++;
    if (kind === 'never-ask' && r.kind === 'payment') throw new Error('never-ask world: a payment prompt was shown');
    return { approved: kind === 'cap' || kind === 'control' };
  };
  const isUnlocked = async () => true;
  const payments = new PaymentPipeline({ policy, ledger, ask, node: async () => node, isUnlocked, now });
  world.webln = new WeblnService({
    policy,
    ledger,
    payments,
    node: async () => node,
    nodeProfile: async () => ({ alias: 'fuzz', pubkey: `02${'11'.repeat(32)}`, network: 'regtest' }),
    isUnlocked,
    ask,
    invoices: new PageInvoices({ store, now }),
    version: 'fuzz',
    now,
    fetch: async () => {
      throw new TypeError('fuzz: no network');
    },
  });
  world.paywall = new WallPayer({
    payments,
    policy,
    ledger,
    credentials: new CredentialStore(memorySlot(), now),
    node: async () => node,
    nodeNetwork: async () => 'regtest',
    isUnlocked,
    ask,
    now,
  });
  world.deposits = new DepositKeeper({
    book: new DepositBook(store),
    payments,
    policy,
    ledger,
    node: async () => node,
    nodeNetwork: async () => 'regtest',
    root: async () => ROOT,
    fetch: async () => {
      throw new TypeError('fuzz: no network');
    },
    credential: { put: async () => undefined, drop: async () => undefined },
    openOrigins: async () => new Set([SITE]),
    notify: () => undefined,
    now,
  });
  return world;
}
