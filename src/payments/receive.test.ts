import { describe, expect, it } from 'vitest';
import { Ledger } from '../ledger/index.ts';
import type { AssetNode, CreateAssetInvoiceParams, CreateInvoiceParams, InvoiceState, LightningNode, LndBalances } from '../node/types.ts';
import { MemoryStore } from '../storage/kv.ts';
import { codeOf } from '../testing/expect-code.ts';
import { signedInvoice, type TestInvoice } from '../testing/signed-invoice.ts';
import { dollarsToUnits, PopupReceiver } from './receive.ts';

const WALLET = 'chrome-extension://satnavsatnavsatnavsatnavsatnavsa';
const USDT_ID = 'aa'.repeat(32);
const USDT_GROUP = '02' + 'bb'.repeat(32);

/** A node that makes real signed invoices and answers lookups from a state the test sets. */
function world(o: { tapd?: boolean; channels?: LndBalances['assetChannels']; ticker?: string } = {}) {
  const store = new MemoryStore();
  const ledger = new Ledger({ store });
  const made: TestInvoice[] = [];
  const lnd: Array<CreateInvoiceParams> = [];
  const assets: Array<CreateAssetInvoiceParams> = [];
  const states = new Map<string, { state: InvoiceState; paidMsat: bigint }>();
  const invoiceOf = (sat: number, memo: string) => {
    const inv = signedInvoice({ amountSat: sat, description: memo });
    made.push(inv);
    return { paymentRequest: inv.paymentRequest, paymentHash: inv.paymentHash };
  };
  const node = {
    createInvoice: async (p: CreateInvoiceParams) => (lnd.push(p), invoiceOf(p.amountSat!, p.memo ?? '')),
    lookupInvoice: async (hash: string) => {
      const s = states.get(hash) ?? { state: 'OPEN', paidMsat: 0n };
      const inv = made.find((m) => m.paymentHash === hash)!;
      return { paymentHash: hash, paymentRequest: inv.paymentRequest, memo: '', state: s.state, amountMsat: 0n, amountPaidMsat: s.paidMsat, createdAt: 0, expiresAt: Math.floor(Date.now() / 1000) + 3600, isKeysend: false };
    },
    getBalances: async () => ({
      onchain: { confirmedSat: 0, unconfirmedSat: 0 },
      lightning: { localSat: 0, remoteSat: 0, pendingOpenLocalSat: 0, unsettledLocalSat: 0 },
      assetChannels: o.channels ?? [{ assetId: USDT_ID, groupKey: USDT_GROUP, name: 'USDT', localAmount: 1n, remoteAmount: 1n, pending: false }],
    }),
  } as unknown as LightningNode;
  const tapd = {
    assetMeta: async () => ({ ticker: o.ticker ?? 'USDT', decimalDisplay: 6 }),
    // 1 unit per msat, the devnet's rate.
    createAssetInvoice: async (p: CreateAssetInvoiceParams) => (assets.push(p), invoiceOf(Number((p.assetAmount ?? 0n) / 1000n), p.memo ?? '')),
  } as unknown as AssetNode;
  const receiver = new PopupReceiver({ origin: WALLET, ledger, node: async () => node, assetNode: async () => (o.tapd === false ? undefined : tapd) });
  return { receiver, ledger, lnd, assets, states };
}

describe('PopupReceiver', () => {
  it('an invoice in sat: made by lnd with the note, recorded as an incoming invoice before it is shown', async () => {
    const w = world();
    const r = await w.receiver.create({ sat: 2_100 }, '  Pizza  ');
    expect(w.lnd).toEqual([{ amountSat: 2_100, memo: 'Pizza' }]);
    expect(r).toMatchObject({ amountSat: 2_100 });
    expect(r.asset).toBeUndefined();
    expect(r.expiresAt).toBeGreaterThan(Date.now() / 1000);
    expect(await w.ledger.list()).toMatchObject([{ origin: WALLET, kind: 'invoice', direction: 'in', source: 'popup', rail: 'btc', amountSat: 2_100, status: 'pending', description: 'Pizza', paymentHash: r.paymentHash }]);
  });

  it('paid: the status says SETTLED with the amount and the ledger entry succeeds', async () => {
    const w = world();
    const r = await w.receiver.create({ sat: 500 }, '');
    expect(await w.receiver.status(r.paymentHash)).toEqual({ state: 'OPEN', amountPaidSat: 0 });
    w.states.set(r.paymentHash, { state: 'SETTLED', paidMsat: 500_000n });
    expect(await w.receiver.status(r.paymentHash)).toEqual({ state: 'SETTLED', amountPaidSat: 500 });
    expect((await w.ledger.byHash(r.paymentHash))?.status).toBe('succeeded');
  });

  it('canceled: failed in the ledger', async () => {
    const w = world();
    const r = await w.receiver.create({ sat: 500 }, '');
    w.states.set(r.paymentHash, { state: 'CANCELED', paidMsat: 0n });
    expect((await w.receiver.status(r.paymentHash)).state).toBe('CANCELED');
    expect(await w.ledger.byHash(r.paymentHash)).toMatchObject({ status: 'failed', failureReason: 'canceled' });
  });

  it('only invoices this screen made are looked up', async () => {
    const w = world();
    expect(await codeOf(w.receiver.status('cd'.repeat(32)))).toBe('INVOICE_UNKNOWN');
  });

  it('in dollars: an asset invoice for the USD asset by its group key, exact units, recorded on the asset rail', async () => {
    const w = world();
    const r = await w.receiver.create({ usd: '12.5' }, 'Lunch');
    expect(w.assets).toEqual([{ groupKey: USDT_GROUP, assetAmount: 12_500_000n, memo: 'Lunch' }]);
    expect(r.asset).toEqual({ amount: '12500000', decimalDisplay: 6, ticker: 'USDT' });
    expect(await w.ledger.list()).toMatchObject([{ kind: 'invoice', rail: 'asset', amountSat: 12_500, status: 'pending' }]);
  });

  it('dollars without tapd, or without a USD channel: ASSET_UNAVAILABLE, nothing made', async () => {
    for (const w of [world({ tapd: false }), world({ ticker: 'XAU' }), world({ channels: [] })]) {
      expect(await codeOf(w.receiver.create({ usd: '1' }, ''))).toBe('ASSET_UNAVAILABLE');
      expect(w.assets).toEqual([]);
      expect(await w.ledger.list()).toEqual([]);
    }
  });

  const badAmounts: Array<[string, Parameters<PopupReceiver['create']>[0]]> = [
    ['0 sat', { sat: 0 }],
    ['a fraction of a sat', { sat: 1.5 }],
    ['negative sat', { sat: -1 }],
    ['0 dollars', { usd: '0.00' }],
    ['dollars with 7 decimals', { usd: '1.0000001' }],
    ['dollars with a comma', { usd: '1,5' }],
    ['negative dollars', { usd: '-1' }],
    ['words', { usd: 'ten' }],
  ];
  for (const [name, amount] of badAmounts) {
    it(`${name}: BAD_REQUEST, nothing made`, async () => {
      const w = world();
      expect(await codeOf(w.receiver.create(amount, ''))).toBe('BAD_REQUEST');
      expect([...w.lnd, ...w.assets]).toEqual([]);
    });
  }

  it('a note too long for an invoice is refused', async () => {
    expect(await codeOf(world().receiver.create({ sat: 1 }, '字'.repeat(151)))).toBe('BAD_REQUEST');
  });

  it('dollarsToUnits is exact', () => {
    expect(dollarsToUnits('0.000001', 6)).toBe(1n);
    expect(dollarsToUnits('123456789.123456', 6)).toBe(123_456_789_123_456n);
    expect(dollarsToUnits('5', 2)).toBe(500n);
  });
});
