/**
 * One simulated node: identity, macaroons, on-chain wallet, invoices, payments, assets and the
 * faults a test can inject into it.
 */
import { concat, fromHex, sha256Hex, toHex, utf8Bytes } from './codec.ts';
import { deriveKey, type NodeKey } from './keys.ts';
import { InvoiceBook } from './invoices.ts';
import { PaymentBook } from './payments.ts';

export interface Faults {
  /** Node unreachable: its REST ports drop connections and its channels are offline. */
  down: boolean;
  /** Delay added to every REST response and to every HTLC the node forwards or receives. */
  slowMs: number;
  /** REST responses become broken JSON or wrongly shaped JSON. */
  malformed: boolean;
  /** The node fails every HTLC paid to it with an unexpected error (payer sees FAILURE_REASON_ERROR). */
  failHtlcs: boolean;
  /** tapd's getinfo names no lnd (lnd_identity_pubkey empty), as a tapd Satnav can't tie to this node. */
  tapdUnnamed: boolean;
}

export interface Macaroons {
  readonly admin: string;
  readonly readonly: string;
  readonly tapd: string;
}

export interface PendingDeposit {
  readonly txid: string;
  readonly sat: number;
}

export class SimNode {
  readonly key: NodeKey;
  readonly macaroons: Macaroons;
  readonly faults: Faults = { down: false, slowMs: 0, malformed: false, failHtlcs: false, tapdUnnamed: false };
  readonly invoices = new InvoiceBook();
  readonly payments = new PaymentBook();
  /** On-chain wallet, in sat: confirmed coins, and deposits waiting for a block. */
  confirmedSat = 0;
  readonly pending: PendingDeposit[] = [];
  /** On-chain Taproot Asset balances (tapd ListBalances), asset id hex → units. */
  readonly assetUnits = new Map<string, number>();
  readonly color: string;

  constructor(
    readonly name: string,
    readonly alias: string,
    seed: string,
  ) {
    this.key = deriveKey(seed, name);
    this.macaroons = {
      admin: macaroonHex('lnd', seed, name, 'admin'),
      readonly: macaroonHex('lnd', seed, name, 'readonly'),
      tapd: macaroonHex('tapd', seed, name, 'admin'),
    };
    this.color = `#${sha256Hex(`color/${name}`).slice(0, 6)}`;
  }

  get pubkeyHex(): string {
    return this.key.pubkeyHex;
  }

  get unconfirmedSat(): number {
    return this.pending.reduce((n, d) => n + d.sat, 0);
  }
}

/**
 * Opaque macaroon bytes. They start like a real v2 macaroon (version 2, location field "lnd" or
 * "tapd") so they look familiar in logs, but only equality is checked.
 */
function macaroonHex(location: 'lnd' | 'tapd', seed: string, node: string, role: string): string {
  const loc = utf8Bytes(location);
  const body = fromHex(sha256Hex(`macaroon/${seed}/${node}/${location}/${role}`) + sha256Hex(`id/${seed}/${node}/${location}/${role}`));
  return toHex(concat(Uint8Array.of(0x02, 0x01, loc.length), loc, Uint8Array.of(0x02, body.length), body));
}
