/**
 * The BOLT #11 spec examples (test-vectors/bolt11-spec-examples.json), typed, for every test
 * that reads them: the wallet's decoder and the devnet's writer.
 */
import raw from '../../test-vectors/bolt11-spec-examples.json' with { type: 'json' };

export interface Bolt11ValidExample {
  title: string;
  invoice: string;
  network: string; // BIP-173 currency prefix: bc, tb, tbs, bcrt
  amount_msat: string | null;
  timestamp: number;
  payment_hash: string;
  payment_secret: string;
  description: string | null;
  description_hash: string | null;
  description_hash_preimage?: string;
  payee_pubkey: string | null; // null for the high-S example: see payee_pubkey_by_raw_recovery
  payee_pubkey_by_raw_recovery?: string;
  expiry_seconds: number | null;
  min_final_cltv_expiry_delta?: number;
  fallback_address?: string;
  fallback_type?: string;
  route_hints?: {
    pubkey: string;
    short_channel_id: string;
    fee_base_msat: number;
    fee_proportional_millionths: number;
    cltv_expiry_delta: number;
  }[][];
  payment_metadata?: string;
  features: number[];
  note?: string;
}
export interface Bolt11InvalidExample {
  title: string;
  invoice: string;
  reason: string;
}
export interface Bolt11Examples {
  signing_priv_key: string;
  common: { default_expiry_seconds: number; default_min_final_cltv_expiry_delta: number };
  valid: Bolt11ValidExample[];
  invalid: Bolt11InvalidExample[];
}

export const bolt11Examples: Bolt11Examples = raw;

// Listed as valid, but carries p/h/s/n fields of the wrong length, which by the current reader
// rule (bolts #1243, #1305) make the payment fail.
export const WRONG_LENGTH_TITLE = 'Same, but including fields which must be ignored.';
