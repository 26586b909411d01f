/**
 * The lnd REST subset Satnav uses. Paths and methods from lnd's `*.yaml` HTTP rules; bodies and
 * responses per the swagger definitions (see lnd-json.ts for the encoding).
 *
 * | method | path                               | gRPC                                | macaroon |
 * | ------ | ---------------------------------- | ----------------------------------- | -------- |
 * | GET    | /v1/getinfo                        | Lightning.GetInfo                   | read     |
 * | GET    | /v1/state                          | State.GetState                      | none     |
 * | GET    | /v1/balance/blockchain             | Lightning.WalletBalance             | read     |
 * | GET    | /v1/balance/channels               | Lightning.ChannelBalance            | read     |
 * | GET    | /v1/channels                       | Lightning.ListChannels              | read     |
 * | POST   | /v1/invoices                       | Lightning.AddInvoice                | write    |
 * | GET    | /v1/invoices                       | Lightning.ListInvoices              | read     |
 * | GET    | /v1/invoice/{r_hash_str}           | Lightning.LookupInvoice (hex)       | read     |
 * | GET    | /v2/invoices/lookup                | Invoices.LookupInvoiceV2            | read     |
 * | POST   | /v2/invoices/hodl                  | Invoices.AddHoldInvoice             | write    |
 * | POST   | /v2/invoices/settle                | Invoices.SettleInvoice              | write    |
 * | POST   | /v2/invoices/cancel                | Invoices.CancelInvoice              | write    |
 * | GET    | /v2/invoices/subscribe/{r_hash}    | Invoices.SubscribeSingleInvoice     | read     |
 * | GET    | /v1/payreq/{pay_req}               | Lightning.DecodePayReq              | read     |
 * | POST   | /v2/router/send                    | Router.SendPaymentV2 (stream)       | write    |
 * | GET    | /v2/router/track/{payment_hash}    | Router.TrackPaymentV2 (stream)      | read     |
 * | GET    | /v2/router/payments                | Router.TrackPayments (stream)       | read     |
 * | GET    | /v1/payments                       | Lightning.ListPayments              | read     |
 * | POST   | /v1/signmessage                    | Lightning.SignMessage               | write    |
 * | POST   | /v1/verifymessage                  | Lightning.VerifyMessage             | read     |
 */
import { fromHex, isHex, toHex } from './codec.ts';
import { Fields, queryBool, queryBytes, queryInt } from './fields.ts';
import { Code, RpcError, type RequestCtx, type RouteDef } from './http.ts';
import { isFinal, type InvoiceRecord } from './invoices.ts';
import { recoverMessageSigner, signMessage } from './keys.ts';
import {
  addInvoiceJson,
  channelBalanceJson,
  channelJson,
  getInfoJson,
  invoiceJson,
  lndBytes,
  paymentJson,
  payReqJson,
  walletBalanceJson,
} from './lnd-json.ts';
import { addInvoice, cancelInvoice, pay, readPaymentRequest, settleInvoice, type InvoiceRequest, type PayRequest, type Sim } from './node-ops.ts';
import { isTerminal, type PaymentRecord } from './payments.ts';
import { subscription } from './subscription.ts';
import { otherSide, sideOf } from './network.ts';
import type { SimNode } from './node.ts';

const fields = (ctx: RequestCtx) => new Fields(ctx.body, 'base64');

function invoiceRequest(f: Fields): Omit<InvoiceRequest, 'hash' | 'preimage'> {
  if (f.int('value') !== 0 && f.int('value_msat') !== 0) throw new RpcError(Code.Unknown, 'value and value_msat are mutually exclusive');
  return {
    valueMsat: f.int('value_msat') || f.int('value') * 1000,
    memo: f.str('memo'),
    descriptionHash: f.bytes('description_hash'),
    expiry: f.int('expiry'),
    cltvExpiry: f.int('cltv_expiry'),
    private: f.bool('private'),
  };
}

export function payRequest(f: Fields): PayRequest {
  if (f.int('amt') !== 0 && f.int('amt_msat') !== 0) throw new RpcError(Code.Unknown, 'amt and amt_msat are mutually exclusive');
  if (f.int('fee_limit_sat') !== 0 && f.int('fee_limit_msat') !== 0) {
    throw new RpcError(Code.Unknown, 'fee_limit_sat and fee_limit_msat are mutually exclusive');
  }
  return {
    paymentRequest: f.str('payment_request'),
    dest: f.bytes('dest'),
    amtMsat: f.int('amt_msat') || f.int('amt') * 1000,
    hash: f.bytes('payment_hash'),
    paymentAddr: f.bytes('payment_addr'),
    finalCltvDelta: f.int('final_cltv_delta'),
    feeLimitMsat: f.int('fee_limit_msat') || f.int('fee_limit_sat') * 1000,
    timeoutSeconds: f.int('timeout_seconds'),
    cltvLimit: f.int('cltv_limit'),
    destCustomRecords: f.bytesMap('dest_custom_records'),
    firstHopCustomRecords: f.bytesMap('first_hop_custom_records'),
    outgoingChanIds: f.uint64List('outgoing_chan_ids'),
  };
}

/** Updates of one payment until it is final; `finalOnly` is no_inflight_updates. */
export function paymentUpdates<T>(ctx: RequestCtx, rec: PaymentRecord, finalOnly: boolean, view: (p: PaymentRecord) => T) {
  const hashHex = toHex(rec.hash);
  return subscription<T>(ctx.closed, (push, end) => {
    const send = (p: PaymentRecord) => {
      if (finalOnly && !isTerminal(p.status)) return;
      push(view(p));
      if (isTerminal(p.status)) end();
    };
    const stop = ctx.node.payments.subscribe(hashHex, send);
    send(rec);
    return stop;
  });
}

function lookup(sim: Sim, node: SimNode, hash: Uint8Array): InvoiceRecord {
  const inv = hash.length === 32 ? node.invoices.get(toHex(hash), sim.net.nowSec()) : undefined;
  if (!inv) throw new RpcError(Code.NotFound, 'unable to locate invoice');
  return inv;
}

/** Applies index_offset / max / reversed the way lnd pages invoices and payments. */
function page<T extends { index: number }>(items: T[], offset: number, max: number, reversed: boolean): T[] {
  if (reversed) {
    const before = items.filter((x) => offset === 0 || x.index < offset);
    return before.slice(Math.max(0, before.length - max));
  }
  return items.filter((x) => x.index > offset).slice(0, max);
}

export function lndRoutes(sim: Sim): RouteDef[] {
  const { net } = sim;
  return [
    { method: 'GET', path: '/v1/getinfo', perm: 'read', handle: (ctx) => ({ json: getInfoJson(ctx.node, net) }) },
    { method: 'GET', path: '/v1/state', perm: 'none', handle: () => ({ json: { state: 'SERVER_ACTIVE' } }) },
    { method: 'GET', path: '/v1/balance/blockchain', perm: 'read', handle: (ctx) => ({ json: walletBalanceJson(ctx.node) }) },
    { method: 'GET', path: '/v1/balance/channels', perm: 'read', handle: (ctx) => ({ json: channelBalanceJson(ctx.node, net, lndBytes) }) },
    {
      method: 'GET',
      path: '/v1/channels',
      perm: 'read',
      handle: (ctx) => {
        const q = ctx.query;
        const peer = queryBytes(q.get('peer'), 'peer');
        const channels = net.channelsOf(ctx.node.name).filter((c) => {
          const active = net.isActive(c);
          if (queryBool(q, 'active_only') && !active) return false;
          if (queryBool(q, 'inactive_only') && active) return false;
          if (queryBool(q, 'private_only')) return false; // every devnet channel is public
          const remote = net.node(c.sides[otherSide(sideOf(c, ctx.node.name))].node);
          return peer.length === 0 || toHex(peer) === remote.pubkeyHex;
        });
        const alias = queryBool(q, 'peer_alias_lookup');
        return { json: { channels: channels.map((c) => channelJson(c, ctx.node, net, lndBytes, alias)) } };
      },
    },
    {
      method: 'POST',
      path: '/v1/invoices',
      perm: 'write',
      handle: (ctx) => {
        const f = fields(ctx);
        const inv = addInvoice(sim, ctx.node, { ...invoiceRequest(f), preimage: f.bytes('r_preimage') });
        return { json: addInvoiceJson(inv, lndBytes) };
      },
    },
    {
      method: 'GET',
      path: '/v1/invoices',
      perm: 'read',
      handle: (ctx) => {
        const q = ctx.query;
        const pendingOnly = queryBool(q, 'pending_only');
        const all = ctx.node.invoices
          .list(net.nowSec())
          .filter((i) => !pendingOnly || i.state === 'OPEN' || i.state === 'ACCEPTED')
          .map((inv) => ({ index: inv.addIndex, inv }));
        const items = page(all, queryInt(q, 'index_offset'), queryInt(q, 'num_max_invoices') || 100, queryBool(q, 'reversed'));
        return {
          json: {
            invoices: items.map((x) => invoiceJson(x.inv, lndBytes)),
            last_index_offset: String(items[items.length - 1]?.index ?? 0),
            first_index_offset: String(items[0]?.index ?? 0),
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/v1/invoice/{r_hash_str}',
      perm: 'read',
      handle: (ctx) => {
        const hex = ctx.params.r_hash_str ?? '';
        if (!isHex(hex)) throw new RpcError(Code.Unknown, `encoding/hex: invalid byte in r_hash_str: ${JSON.stringify(hex)}`);
        return { json: invoiceJson(lookup(sim, ctx.node, fromHex(hex)), lndBytes) };
      },
    },
    {
      method: 'GET',
      path: '/v2/invoices/lookup',
      perm: 'read',
      handle: (ctx) => ({ json: invoiceJson(lookup(sim, ctx.node, queryBytes(ctx.query.get('payment_hash'), 'payment_hash')), lndBytes) }),
    },
    {
      method: 'POST',
      path: '/v2/invoices/hodl',
      perm: 'write',
      handle: (ctx) => {
        const f = fields(ctx);
        const inv = addInvoice(sim, ctx.node, { ...invoiceRequest(f), hash: f.bytes('hash') });
        return { json: { payment_request: inv.paymentRequest, add_index: String(inv.addIndex), payment_addr: lndBytes(inv.paymentAddr) } };
      },
    },
    {
      method: 'POST',
      path: '/v2/invoices/settle',
      perm: 'write',
      handle: (ctx) => {
        settleInvoice(sim, ctx.node, fields(ctx).bytes('preimage'));
        return { json: {} };
      },
    },
    {
      method: 'POST',
      path: '/v2/invoices/cancel',
      perm: 'write',
      handle: (ctx) => {
        cancelInvoice(sim, ctx.node, fields(ctx).bytes('payment_hash'));
        return { json: {} };
      },
    },
    {
      method: 'GET',
      path: '/v2/invoices/subscribe/{r_hash}',
      perm: 'read',
      stream: true,
      handle: (ctx) => {
        const inv = lookup(sim, ctx.node, queryBytes(ctx.params.r_hash ?? '', 'r_hash'));
        const stream = subscription<unknown>(ctx.closed, (push, end) => {
          const send = (i: InvoiceRecord) => {
            push(invoiceJson(i, lndBytes));
            if (isFinal(i.state)) end();
          };
          const stop = ctx.node.invoices.subscribe(toHex(inv.hash), send);
          send(inv);
          return stop;
        });
        return { stream };
      },
    },
    {
      method: 'GET',
      path: '/v1/payreq/{pay_req}',
      perm: 'read',
      handle: (ctx) => {
        try {
          return { json: payReqJson(readPaymentRequest(ctx.params.pay_req ?? ''), lndBytes) };
        } catch (e) {
          throw new RpcError(Code.Unknown, (e as Error).message);
        }
      },
    },
    {
      method: 'POST',
      path: '/v2/router/send',
      perm: 'write',
      stream: true,
      handle: (ctx) => {
        const f = fields(ctx);
        const rec = pay(sim, ctx.node, payRequest(f));
        return { stream: paymentUpdates(ctx, rec, f.bool('no_inflight_updates'), (p) => paymentJson(p, net, lndBytes)) };
      },
    },
    {
      method: 'GET',
      path: '/v2/router/track/{payment_hash}',
      perm: 'read',
      stream: true,
      handle: (ctx) => {
        const hash = queryBytes(ctx.params.payment_hash ?? '', 'payment_hash');
        const rec = ctx.node.payments.get(toHex(hash));
        if (!rec) throw new RpcError(Code.NotFound, "payment isn't initiated");
        const finalOnly = queryBool(ctx.query, 'no_inflight_updates');
        return { stream: paymentUpdates(ctx, rec, finalOnly, (p) => paymentJson(p, net, lndBytes)) };
      },
    },
    {
      method: 'GET',
      path: '/v2/router/payments',
      perm: 'read',
      stream: true,
      handle: (ctx) => {
        const finalOnly = queryBool(ctx.query, 'no_inflight_updates');
        // Every payment not yet terminal first (as lnd replays them), then every update, of every payment, as it comes.
        return {
          stream: subscription(ctx.closed, (push) => {
            const send = (p: PaymentRecord) => {
              if (!finalOnly || isTerminal(p.status)) push(paymentJson(p, net, lndBytes));
            };
            const stop = ctx.node.payments.subscribeAll(send);
            for (const p of ctx.node.payments.list()) if (!isTerminal(p.status)) send(p);
            return stop;
          }),
        };
      },
    },
    {
      method: 'GET',
      path: '/v1/payments',
      perm: 'read',
      handle: (ctx) => {
        const q = ctx.query;
        const incomplete = queryBool(q, 'include_incomplete');
        const all = ctx.node.payments.list().filter((p) => incomplete || p.status === 'SUCCEEDED');
        const items = page(all, queryInt(q, 'index_offset'), queryInt(q, 'max_payments') || 100, queryBool(q, 'reversed'));
        return {
          json: {
            payments: items.map((p) => paymentJson(p, net, lndBytes)),
            first_index_offset: String(items[0]?.index ?? 0),
            last_index_offset: String(items[items.length - 1]?.index ?? 0),
            total_num_payments: queryBool(q, 'count_total_payments') ? String(all.length) : '0',
          },
        };
      },
    },
    {
      method: 'POST',
      path: '/v1/signmessage',
      perm: 'write',
      handle: (ctx) => {
        const f = fields(ctx);
        const msg = f.bytes('msg');
        if (msg.length === 0) throw new RpcError(Code.Unknown, 'need a message to sign');
        return { json: { signature: signMessage(msg, ctx.node.key.secret, f.bool('single_hash')) } };
      },
    },
    {
      method: 'POST',
      path: '/v1/verifymessage',
      perm: 'read',
      handle: (ctx) => {
        const f = fields(ctx);
        const signer = recoverMessageSigner(f.bytes('msg'), f.str('signature'));
        // lnd reports a signature valid when its signer is a node of its graph.
        const known = signer !== undefined && net.nodeByPubkey(signer) !== undefined;
        return { json: { valid: known, pubkey: signer ?? '' } };
      },
    },
  ];
}
