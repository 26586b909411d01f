/**
 * What a page may send, per WebLN method. Everything from a page is
 * untrusted: shapes are strict, sizes bounded, amounts safe integers.
 *
 * | method           | params                                                        |
 * | ---------------- | ------------------------------------------------------------- |
 * | enable           | —                                                             |
 * | isEnabled        | —                                                             |
 * | getInfo          | —                                                             |
 * | getBalance       | —                                                             |
 * | sendPayment      | { paymentRequest }                                            |
 * | sendPaymentAsync | { paymentRequest }                                            |
 * | keysend          | { destination, amount, customRecords? }                       |
 * | makeInvoice      | { args: amount string/number or RequestInvoiceArgs, optional }|
 * | signMessage      | { message }                                                   |
 * | verifyMessage    | { signature, message }                                        |
 * | lookupInvoice    | { paymentHash } or { paymentRequest }                         |
 * | lnurl            | { lnurl }                                                     |
 * | request          | { method, params? } (params ≤ 16 KB of JSON)                  |
 * | paywall          | { url } (an http(s) URL that answered 402, ≤ 8 KB)            |
 */
import { Point } from '@noble/secp256k1';
import { z } from '../base/zod.ts';
import { MAX_INVOICE_LENGTH } from '../bolt11/index.ts';
import type { PageMethod } from './page-channel.ts';
import { MAX_SATS } from '../base/sats.ts';

const satsLike = z.union([
  z.int().check(z.minimum(0), z.maximum(MAX_SATS)),
  z.pipe(
    z.string().check(
      z.regex(/^[0-9]{1,16}$/, 'amount must be whole sats'),
      // 16 digits pass 2^53: bound the text before Number() rounds it.
      z.refine((s) => Number(s) <= MAX_SATS, 'amount above 21M BTC'),
    ),
    z.transform(Number),
  ),
]);
const invoice = z.string().check(z.minLength(1), z.maxLength(MAX_INVOICE_LENGTH + 10));
const hex = (bytes: number) =>
  z.pipe(
    z.string().check(z.regex(new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`))),
    z.transform((s) => s.toLowerCase()),
  );
/** lnd refuses to sign or verify an empty message. */
const message = z.string().check(z.minLength(1), z.maxLength(65_536));
/** A node id: a compressed secp256k1 point, so the node never gets a key it must refuse after the budget hold. */
const nodeId = hex(33).check(
  z.refine((h) => {
    try {
      Point.fromHex(h);
      return h.startsWith('02') || h.startsWith('03');
    } catch {
      return false;
    }
  }, 'destination is not a node public key'),
);
/** TLV types a sender may use: the custom range (≥ 2^16, BOLT 1) of a uint64. */
const customRecordType = z.string().check(
  // One check: zod runs later refinements even after a failed regex, and BigInt('x') throws.
  z.refine((t) => /^[0-9]{1,20}$/.test(t) && BigInt(t) >= 65_536n && BigInt(t) < 2n ** 64n, 'custom record type must be in 65536..2^64-1'),
);
/** zod's record silently drops an own `__proto__` key; like the strict shapes, refuse it. */
const withoutProtoKey = z.custom<unknown>((v) => !(typeof v === 'object' && v !== null && Object.hasOwn(v, '__proto__')), 'invalid key: __proto__');

const requestInvoiceArgs = z.strictObject({
  amount: z.optional(satsLike),
  defaultAmount: z.optional(satsLike),
  minimumAmount: z.optional(satsLike),
  maximumAmount: z.optional(satsLike),
  defaultMemo: z.optional(z.string().check(z.maxLength(639))),
});

const none = z.optional(z.union([z.undefined(), z.strictObject({})]));

/** Free-form JSON for `request`: bounded by its serialized size (the check itself never throws). */
const MAX_REQUEST_PARAMS_JSON = 16_384;
const boundedJson = z.unknown().check(
  z.refine((v) => {
    try {
      return (JSON.stringify(v) ?? '').length <= MAX_REQUEST_PARAMS_JSON;
    } catch {
      return false;
    }
  }, `params above ${MAX_REQUEST_PARAMS_JSON} characters of JSON`),
);

export const weblnParams = {
  enable: none,
  isEnabled: none,
  getInfo: none,
  getBalance: none,
  sendPayment: z.strictObject({ paymentRequest: invoice }),
  sendPaymentAsync: z.strictObject({ paymentRequest: invoice }),
  keysend: z.strictObject({
    destination: nodeId,
    amount: satsLike.check(z.refine((n) => n > 0, 'amount must be positive')),
    // Values are plain strings (webln.guide); the service sends their UTF-8 bytes.
    customRecords: z.optional(
      z.pipe(
        withoutProtoKey,
        z
          .record(customRecordType, z.string().check(z.maxLength(4096)))
          .check(z.refine((r) => Object.keys(r).length <= 16, 'too many custom records')),
      ),
    ),
  }),
  makeInvoice: z.strictObject({ args: z.optional(z.union([satsLike, requestInvoiceArgs])) }),
  signMessage: z.strictObject({ message }),
  verifyMessage: z.strictObject({ signature: z.string().check(z.minLength(1), z.maxLength(200)), message }),
  lookupInvoice: z.union([z.strictObject({ paymentHash: hex(32) }), z.strictObject({ paymentRequest: invoice })]),
  lnurl: z.strictObject({ lnurl: z.string().check(z.minLength(1), z.maxLength(2048)) }),
  request: z.strictObject({ method: z.string().check(z.minLength(1), z.maxLength(64)), params: z.optional(boundedJson) }),
  paywall: z.strictObject({ url: z.string().check(z.maxLength(8192), z.regex(/^https?:\/\//i, 'expected an http(s) URL')) }),
} as const satisfies Record<PageMethod, z.ZodMiniType>;

export type WeblnParams<M extends PageMethod> = z.output<(typeof weblnParams)[M]>;


/** The page-channel request: a method name and its params. */
export const pageRequest = z.strictObject({ method: z.string().check(z.maxLength(64)), params: z.optional(z.unknown()) });
