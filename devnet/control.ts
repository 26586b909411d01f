/**
 * The devnet's control API: what a test, the demo or a demo site does to the network from outside
 * (fund, open channels, mine, add merchants, make and pay invoices, settle or cancel hold invoices,
 * inject faults, move the RFQ rate). Available in-process and as JSON over HTTP: `POST /control/<operation>` with the
 * named arguments as a JSON object (e.g. `{"node":"carol","amountSat":1000,"hold":true}` for
 * createInvoice), `GET /control/nodes`, `GET /control/contractViolations`.
 */
import http from 'node:http';
import { z } from 'zod';
import { fromHex, isHex, sha256Bytes, toHex } from './codec.ts';
import { RpcError, readBody, parseJsonBody, sendJson, setCors } from './http.ts';
import { isFinal, type InvoiceRecord } from './invoices.ts';
import { NetworkError, sideOf, otherSide } from './network.ts';
import { addInvoice, cancelInvoice, emptyPayRequest, pay, randomBytes, settleInvoice, type Sim } from './node-ops.ts';
import { isTerminal } from './payments.ts';
import type { SimNode } from './node.ts';
import { MERCHANT_HOP_POLICY } from './scenario.ts';

export interface DevnetNodeInfo {
  name: string;
  alias: string;
  pubkey: string;
  /** Plain HTTP, for tests and the wallet's "simulated network" button. */
  lndRestUrl: string;
  tapdRestUrl: string;
  /** HTTPS with the devnet's self-signed certificate (devnet/tls), as lnd and tapd serve. */
  lndRestTlsUrl: string;
  tapdRestTlsUrl: string;
  adminMacaroonHex: string;
  readonlyMacaroonHex: string;
  tapdMacaroonHex: string;
  /** Points at `lndRestTlsUrl` and carries the certificate (`cert=`, DER in base64url). */
  lndconnectUri: string;
}

export interface OpenChannelRequest {
  capacitySat: number;
  /** Liquidity given to the remote side at opening. */
  pushSat?: number;
  /** Fee policy of the opener's direction. */
  baseFeeMsat?: number;
  feeRatePpm?: number;
  /** Fee policy of the remote's direction. */
  remoteBaseFeeMsat?: number;
  remoteFeeRatePpm?: number;
}

export interface CreatedInvoice {
  paymentRequest: string;
  /** hex */
  paymentHash: string;
}

export interface PaymentOutcome {
  paymentHash: string;
  /** IN_FLIGHT when the payee holds the HTLC (hold invoice). */
  status: 'SUCCEEDED' | 'FAILED' | 'IN_FLIGHT';
  preimage?: string;
  feeSat: number;
  failureReason: string;
}

export interface InvoiceSummary {
  paymentHash: string;
  state: 'OPEN' | 'ACCEPTED' | 'SETTLED' | 'CANCELED';
  valueSat: number;
  amtPaidSat: number;
  memo: string;
  isKeysend: boolean;
  hold: boolean;
}

export interface NodeBalances {
  onchainConfirmedSat: number;
  onchainUnconfirmedSat: number;
  /** Taproot Asset units held on-chain (tapd). */
  assetUnits: number;
  channels: Array<{
    chanId: string;
    peer: string;
    capacitySat: number;
    localSat: number;
    remoteSat: number;
    active: boolean;
    localAssetUnits: number;
    remoteAssetUnits: number;
  }>;
}

/** The edge nodes' RFQ terms: asset units per BTC = coefficient / 10^scale (coefficient as a decimal string). */
export interface RfqTerms {
  rate: { coefficient: string; scale: number };
  /** How long a quote stays valid. */
  quoteSeconds: number;
  /** Set: peers reject every sell order with this message. */
  reject?: string;
}

export interface DevnetControl {
  nodeNames(): string[];
  nodeInfo(node: string): DevnetNodeInfo;
  height(): number;
  fundOnchain(node: string, amountSat: number): Promise<{ txid: string }>;
  openChannel(from: string, to: string, opts: OpenChannelRequest): Promise<{ chanId: string; channelPoint: string }>;
  mineBlocks(count?: number): Promise<{ height: number }>;
  /** A new merchant node with its own lnd/tapd ports and a channel from bob (or `peer`). */
  addMerchant(name: string, opts?: { alias?: string; peer?: string; capacitySat?: number; pushSat?: number }): Promise<DevnetNodeInfo>;
  /**
   * `descriptionHash` (hex, 32 bytes; e.g. sha256 of an LNURL-pay metadata string) puts the BOLT #11
   * `h` tag in the invoice instead of the memo as `d`; the memo is still kept with the invoice.
   */
  createInvoice(
    node: string,
    opts: { amountSat: number; memo?: string; descriptionHash?: string; hold?: boolean; expirySec?: number; cltvExpiry?: number },
  ): Promise<CreatedInvoice>;
  /** Resolves when the payment is final, or IN_FLIGHT once a hold invoice accepted it. */
  payInvoice(node: string, paymentRequest: string, opts?: { amountSat?: number; feeLimitSat?: number; timeoutSec?: number }): Promise<PaymentOutcome>;
  /** Hold invoices made here keep their preimage, so the hash is enough; others need the preimage. */
  settleInvoice(node: string, paymentHash: string, preimage?: string): Promise<void>;
  cancelInvoice(node: string, paymentHash: string): Promise<void>;
  lookupInvoice(node: string, paymentHash: string): Promise<InvoiceSummary>;
  balances(node: string): Promise<NodeBalances>;
  setDown(node: string, down: boolean): void;
  setSlow(node: string, ms: number): void;
  setMalformed(node: string, malformed: boolean): void;
  /** The node fails HTLCs paid to it with an unexpected error: payers see FAILURE_REASON_ERROR. */
  setFailHtlcs(node: string, fail: boolean): void;
  /** The node's tapd stops naming its lnd in getinfo (lnd_identity_pubkey empty). */
  setTapdUnnamed(node: string, unnamed: boolean): void;
  rfq(): RfqTerms;
  /** Moves the rate, changes new quotes' lifetime, or makes peers reject (`reject: null` stops that). */
  setRfq(terms: { rate?: RfqTerms['rate']; quoteSeconds?: number; reject?: string | null }): RfqTerms;
  contractViolations(): string[];
}

export class ControlError extends Error {}

const hash32 = (hex: string, what: string): Uint8Array => {
  if (!isHex(hex) || hex.length !== 64) throw new ControlError(`devnet: ${what} must be 32 bytes of hex=${hex}`);
  return fromHex(hex);
};

const summary = (inv: InvoiceRecord): InvoiceSummary => ({
  paymentHash: toHex(inv.hash),
  state: inv.state,
  valueSat: Math.floor(inv.valueMsat / 1000),
  amtPaidSat: Math.floor(inv.amtPaidMsat / 1000),
  memo: inv.memo,
  isKeysend: inv.isKeysend,
  hold: inv.hold,
});

export interface ControlDeps {
  readonly sim: Sim;
  readonly violations: string[];
  info(node: string): DevnetNodeInfo;
  startNode(node: SimNode): Promise<DevnetNodeInfo>;
}

export function createControl(deps: ControlDeps): DevnetControl {
  const { sim, violations } = deps;
  const { net } = sim;
  /** Preimages of hold invoices made through the control API: the merchant's secret. */
  const holdPreimages = new Map<string, Uint8Array>();
  const node = (name: string) => net.node(name);

  return {
    nodeNames: () => [...net.nodes.keys()],
    nodeInfo: (name) => deps.info(name),
    height: () => net.height,
    fundOnchain: async (name, amountSat) => ({ txid: net.fund(name, amountSat) }),
    openChannel: async (from, to, o) => {
      const c = net.openChannel(from, to, {
        capacitySat: o.capacitySat,
        pushSat: o.pushSat,
        policy: { baseFeeMsat: o.baseFeeMsat, feeRatePpm: o.feeRatePpm },
        remotePolicy: { baseFeeMsat: o.remoteBaseFeeMsat, feeRatePpm: o.remoteFeeRatePpm },
      });
      return { chanId: String(c.id), channelPoint: c.point };
    },
    mineBlocks: async (count = 1) => ({ height: net.mine(count) }),
    addMerchant: async (name, o = {}) => {
      if (!/^[a-z][a-z0-9-]{0,31}$/.test(name)) throw new ControlError(`devnet: merchant name must be lowercase letters, digits, dashes=${name}`);
      const peer = o.peer ?? 'bob';
      node(peer);
      const capacitySat = o.capacitySat ?? 2_000_000;
      const n = net.addNode(name, o.alias ?? `${name} (merchant)`);
      if (node(peer).confirmedSat < capacitySat) net.fund(peer, capacitySat);
      net.fund(name, 1_000_000);
      net.mine(1);
      net.openChannel(peer, name, { capacitySat, pushSat: o.pushSat ?? Math.floor(capacitySat / 4), policy: MERCHANT_HOP_POLICY });
      return deps.startNode(n);
    },
    createInvoice: async (name, o) => {
      const descriptionHash = o.descriptionHash === undefined ? undefined : hash32(o.descriptionHash, 'description hash');
      const preimage = randomBytes(32);
      const hash = sha256Bytes(preimage);
      const inv = addInvoice(sim, node(name), {
        valueMsat: o.amountSat * 1000,
        memo: o.memo ?? '',
        descriptionHash,
        expiry: o.expirySec ?? 0,
        cltvExpiry: o.cltvExpiry ?? 0,
        private: false,
        ...(o.hold ? { hash } : { preimage }),
      });
      if (o.hold) holdPreimages.set(toHex(hash), preimage);
      return { paymentRequest: inv.paymentRequest, paymentHash: toHex(inv.hash) };
    },
    payInvoice: async (name, paymentRequest, o = {}) => {
      const payer = node(name);
      const rec = pay(sim, payer, {
        ...emptyPayRequest,
        paymentRequest,
        amtMsat: (o.amountSat ?? 0) * 1000,
        feeLimitMsat: (o.feeLimitSat ?? 1000) * 1000,
        timeoutSeconds: o.timeoutSec ?? 0,
      });
      const hashHex = toHex(rec.hash);
      return new Promise<PaymentOutcome>((resolve) => {
        const stops: Array<() => void> = [];
        const check = () => {
          const held = rec.status === 'IN_FLIGHT' && payees(net.nodes.values(), hashHex).some((inv) => inv.state === 'ACCEPTED');
          if (!isTerminal(rec.status) && !held) return;
          for (const s of stops) s();
          resolve({
            paymentHash: hashHex,
            status: rec.status === 'SUCCEEDED' || rec.status === 'FAILED' ? rec.status : 'IN_FLIGHT',
            preimage: rec.preimage && toHex(rec.preimage),
            feeSat: Math.floor(rec.feeMsat / 1000),
            failureReason: rec.failureReason,
          });
        };
        stops.push(payer.payments.subscribe(hashHex, check));
        for (const n of net.nodes.values()) if (n !== payer) stops.push(n.invoices.subscribe(hashHex, check));
        check();
      });
    },
    settleInvoice: async (name, paymentHash, preimage) => {
      const hash = toHex(hash32(paymentHash, 'payment hash'));
      const p = preimage ? hash32(preimage, 'preimage') : holdPreimages.get(hash);
      if (!p) throw new ControlError(`devnet: no preimage known for hash=${paymentHash}`);
      if (toHex(sha256Bytes(p)) !== hash) throw new ControlError(`devnet: preimage does not match hash=${paymentHash}`);
      settleInvoice(sim, node(name), p);
    },
    cancelInvoice: async (name, paymentHash) => {
      cancelInvoice(sim, node(name), hash32(paymentHash, 'payment hash'));
    },
    lookupInvoice: async (name, paymentHash) => {
      const inv = node(name).invoices.get(toHex(hash32(paymentHash, 'payment hash')), net.nowSec());
      if (!inv) throw new ControlError(`devnet: no invoice on ${name} with hash=${paymentHash}`);
      return summary(inv);
    },
    balances: async (name) => {
      const n = node(name);
      return {
        onchainConfirmedSat: n.confirmedSat,
        onchainUnconfirmedSat: n.unconfirmedSat,
        assetUnits: n.assetUnits.get(sim.asset.assetId) ?? 0,
        channels: net.channelsOf(name).map((c) => {
          const i = sideOf(c, name);
          const me = c.sides[i];
          const peer = c.sides[otherSide(i)];
          return {
            chanId: String(c.id),
            peer: peer.node,
            capacitySat: c.capacitySat,
            localSat: Math.floor(me.balanceMsat / 1000),
            remoteSat: Math.floor(peer.balanceMsat / 1000),
            active: net.isActive(c),
            localAssetUnits: me.units,
            remoteAssetUnits: peer.units,
          };
        }),
      };
    },
    setDown: (name, down) => void (node(name).faults.down = down),
    setSlow: (name, ms) => {
      if (!Number.isSafeInteger(ms) || ms < 0) throw new ControlError(`devnet: delay must be a non-negative integer=${ms}`);
      node(name).faults.slowMs = ms;
    },
    setMalformed: (name, malformed) => void (node(name).faults.malformed = malformed),
    setFailHtlcs: (name, fail) => void (node(name).faults.failHtlcs = fail),
    setTapdUnnamed: (name, unnamed) => void (node(name).faults.tapdUnnamed = unnamed),
    rfq: () => rfqTerms(sim),
    setRfq: (t) => {
      if (t.rate) {
        if (!/^[1-9][0-9]{0,60}$/.test(t.rate.coefficient)) throw new ControlError(`devnet: rate coefficient must be a positive integer=${t.rate.coefficient}`);
        if (!Number.isSafeInteger(t.rate.scale) || t.rate.scale < 0 || t.rate.scale > 30) throw new ControlError(`devnet: rate scale must be 0..30=${t.rate.scale}`);
        sim.rfq.rate = { coefficient: BigInt(t.rate.coefficient), scale: t.rate.scale };
      }
      if (t.quoteSeconds !== undefined) {
        if (!Number.isSafeInteger(t.quoteSeconds) || t.quoteSeconds < 1) throw new ControlError(`devnet: quoteSeconds must be a positive integer=${t.quoteSeconds}`);
        sim.rfq.quoteSeconds = t.quoteSeconds;
      }
      if (t.reject !== undefined) sim.rfq.rejectWith = t.reject ?? undefined;
      return rfqTerms(sim);
    },
    contractViolations: () => [...violations],
  };
}

function rfqTerms(sim: Sim): RfqTerms {
  const { rate, quoteSeconds, rejectWith } = sim.rfq;
  return { rate: { coefficient: String(rate.coefficient), scale: rate.scale }, quoteSeconds, ...(rejectWith !== undefined && { reject: rejectWith }) };
}

function payees(nodes: Iterable<SimNode>, hashHex: string): InvoiceRecord[] {
  const out: InvoiceRecord[] = [];
  for (const n of nodes) {
    const inv = n.invoices.get(hashHex, Math.floor(Date.now() / 1000));
    if (inv && !isFinal(inv.state)) out.push(inv);
  }
  return out;
}

// HTTP: one schema per operation, arguments by name.
interface Op {
  readonly schema: z.ZodType;
  readonly run: (c: DevnetControl, args: unknown) => unknown;
}
/** Ties a schema to the handler of its parsed value (run only ever gets schema-checked data). */
function op<S extends z.ZodType>(schema: S, run: (c: DevnetControl, args: z.infer<S>) => unknown): Op {
  return { schema, run: (c, a) => run(c, a as z.infer<S>) };
}

const nodeName = z.string();
const sat = z.number().int().positive();
const OPS: Record<string, Op> = {
  fundOnchain: op(z.object({ node: nodeName, amountSat: sat }).strict(), (c, a) => c.fundOnchain(a.node, a.amountSat)),
  openChannel: op(
    z
      .object({
        from: nodeName,
        to: nodeName,
        capacitySat: sat,
        pushSat: z.number().int().nonnegative().optional(),
        baseFeeMsat: z.number().int().nonnegative().optional(),
        feeRatePpm: z.number().int().nonnegative().optional(),
        remoteBaseFeeMsat: z.number().int().nonnegative().optional(),
        remoteFeeRatePpm: z.number().int().nonnegative().optional(),
      })
      .strict(),
    (c, { from, to, ...o }) => c.openChannel(from, to, o),
  ),
  mineBlocks: op(z.object({ count: z.number().int().positive().optional() }).strict(), (c, a) => c.mineBlocks(a.count)),
  addMerchant: op(
    z.object({ name: z.string(), alias: z.string().optional(), peer: z.string().optional(), capacitySat: sat.optional(), pushSat: z.number().int().nonnegative().optional() }).strict(),
    (c, { name, ...o }) => c.addMerchant(name, o),
  ),
  createInvoice: op(
    z
      .object({
        node: nodeName,
        amountSat: z.number().int().nonnegative(),
        memo: z.string().optional(),
        descriptionHash: z.string().optional(),
        hold: z.boolean().optional(),
        expirySec: z.number().int().positive().optional(),
        cltvExpiry: z.number().int().positive().optional(),
      })
      .strict(),
    (c, { node: n, ...o }) => c.createInvoice(n, o),
  ),
  payInvoice: op(
    z
      .object({
        node: nodeName,
        paymentRequest: z.string(),
        amountSat: sat.optional(),
        feeLimitSat: z.number().int().nonnegative().optional(),
        timeoutSec: z.number().int().positive().optional(),
      })
      .strict(),
    (c, { node: n, paymentRequest, ...o }) => c.payInvoice(n, paymentRequest, o),
  ),
  settleInvoice: op(
    z.object({ node: nodeName, paymentHash: z.string(), preimage: z.string().optional() }).strict(),
    async (c, a) => (await c.settleInvoice(a.node, a.paymentHash, a.preimage), {}),
  ),
  cancelInvoice: op(z.object({ node: nodeName, paymentHash: z.string() }).strict(), async (c, a) => (await c.cancelInvoice(a.node, a.paymentHash), {})),
  lookupInvoice: op(z.object({ node: nodeName, paymentHash: z.string() }).strict(), (c, a) => c.lookupInvoice(a.node, a.paymentHash)),
  balances: op(z.object({ node: nodeName }).strict(), (c, a) => c.balances(a.node)),
  setDown: op(z.object({ node: nodeName, down: z.boolean() }).strict(), (c, a) => (c.setDown(a.node, a.down), {})),
  setSlow: op(z.object({ node: nodeName, ms: z.number().int().nonnegative() }).strict(), (c, a) => (c.setSlow(a.node, a.ms), {})),
  setMalformed: op(z.object({ node: nodeName, malformed: z.boolean() }).strict(), (c, a) => (c.setMalformed(a.node, a.malformed), {})),
  setFailHtlcs: op(z.object({ node: nodeName, fail: z.boolean() }).strict(), (c, a) => (c.setFailHtlcs(a.node, a.fail), {})),
  setTapdUnnamed: op(z.object({ node: nodeName, unnamed: z.boolean() }).strict(), (c, a) => (c.setTapdUnnamed(a.node, a.unnamed), {})),
  rfq: op(z.object({}).strict(), (c) => c.rfq()),
  setRfq: op(
    z
      .object({
        rate: z.object({ coefficient: z.string(), scale: z.number().int() }).strict().optional(),
        quoteSeconds: z.number().int().optional(),
        reject: z.string().nullable().optional(),
      })
      .strict(),
    (c, a) => c.setRfq(a),
  ),
};

export function controlHandler(control: DevnetControl): http.RequestListener {
  return (req, res) => {
    void (async () => {
      setCors(res);
      if (req.method === 'OPTIONS') return void res.writeHead(204).end();
      const url = new URL(req.url ?? '/', 'http://devnet.invalid');
      const name = url.pathname.replace(/^\/control\//, '');
      const text = await readBody(req);
      if (req.method === 'GET' && name === 'nodes') {
        return sendJson(res, 200, Object.fromEntries(control.nodeNames().map((n) => [n, control.nodeInfo(n)])));
      }
      if (req.method === 'GET' && name === 'contractViolations') return sendJson(res, 200, control.contractViolations());
      // What Satnav's "use the simulated network" button connects to: the user's node, alice.
      if (req.method === 'GET' && name === 'wallet-offer') {
        const a = control.nodeInfo('alice');
        return sendJson(res, 200, { alias: a.alias, restUrl: a.lndRestUrl, macaroonHex: a.adminMacaroonHex, tapdUrl: a.tapdRestUrl, tapdMacaroonHex: a.tapdMacaroonHex });
      }
      const op = OPS[name];
      if (req.method !== 'POST' || !op || !url.pathname.startsWith('/control/')) {
        return sendJson(res, 404, { error: `devnet: no such control operation=${req.method} ${url.pathname}` });
      }
      try {
        const parsed = op.schema.safeParse(parseJsonBody(text));
        if (!parsed.success) return sendJson(res, 400, { error: `devnet: bad arguments for ${name}: ${z.prettifyError(parsed.error)}` });
        sendJson(res, 200, (await op.run(control, parsed.data)) ?? {});
      } catch (e) {
        if (e instanceof ControlError || e instanceof NetworkError || e instanceof RpcError) {
          return sendJson(res, 400, { error: e.message });
        }
        sendJson(res, 500, { error: `devnet: ${(e as Error).message}` });
      }
    })();
  };
}

