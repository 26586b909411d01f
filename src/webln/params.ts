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
import { z } from 'zod';
import { MAX_INVOICE_LENGTH } from '../bolt11/index.ts';
import type { PageMethod } from './page-channel.ts';
import { MAX_SATS } from '../base/sats.ts';

const satsLike = z.union([
  z.number().int().min(0).max(MAX_SATS),
  z
    .string()
    .regex(/^[0-9]{1,16}$/, 'amount must be whole sats')
    // 16 digits pass 2^53: bound the text before Number() rounds it.
    .refine((s) => Number(s) <= MAX_SATS, 'amount above 21M BTC')
    .transform(Number),
]);
const invoice = z.string().min(1).max(MAX_INVOICE_LENGTH + 10);
const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`)).transform((s) => s.toLowerCase());
/** lnd refuses to sign or verify an empty message. */
const message = z.string().min(1).max(65_536);
/** A node id: a compressed secp256k1 point, so the node never gets a key it must refuse after the budget hold. */
const nodeId = hex(33).refine((h) => {
  try {
    Point.fromHex(h);
    return h.startsWith('02') || h.startsWith('03');
  } catch {
    return false;
  }
}, 'destination is not a node public key');
/** TLV types a sender may use: the custom range (≥ 2^16, BOLT 1) of a uint64. */
const customRecordType = z
  .string()
  // One check: zod runs later refinements even after a failed regex, and BigInt('x') throws.
  .refine((t) => /^[0-9]{1,20}$/.test(t) && BigInt(t) >= 65_536n && BigInt(t) < 2n ** 64n, 'custom record type must be in 65536..2^64-1');
/** zod's record silently drops an own `__proto__` key; like the strict shapes, refuse it. */
const withoutProtoKey = z.custom<unknown>((v) => !(typeof v === 'object' && v !== null && Object.hasOwn(v, '__proto__')), 'invalid key: __proto__');

const requestInvoiceArgs = z
  .object({
    amount: satsLike.optional(),
    defaultAmount: satsLike.optional(),
    minimumAmount: satsLike.optional(),
    maximumAmount: satsLike.optional(),
    defaultMemo: z.string().max(639).optional(),
  })
  .strict();

const none = z.undefined().or(z.object({}).strict()).optional();

/** Free-form JSON for `request`: bounded by its serialized size (the check itself never throws). */
const MAX_REQUEST_PARAMS_JSON = 16_384;
const boundedJson = z.unknown().refine((v) => {
  try {
    return (JSON.stringify(v) ?? '').length <= MAX_REQUEST_PARAMS_JSON;
  } catch {
    return false;
  }
}, `params above ${MAX_REQUEST_PARAMS_JSON} characters of JSON`);

export const weblnParams = {
  enable: none,
  isEnabled: none,
  getInfo: none,
  getBalance: none,
  sendPayment: z.object({ paymentRequest: invoice }).strict(),
  sendPaymentAsync: z.object({ paymentRequest: invoice }).strict(),
  keysend: z
    .object({
      destination: nodeId,
      amount: satsLike.refine((n) => n > 0, 'amount must be positive'),
      // Values are plain strings (webln.guide); the service sends their UTF-8 bytes.
      customRecords: withoutProtoKey
        .pipe(z.record(customRecordType, z.string().max(4096)).refine((r) => Object.keys(r).length <= 16, 'too many custom records'))
        .optional(),
    })
    .strict(),
  makeInvoice: z.object({ args: z.union([satsLike, requestInvoiceArgs]).optional() }).strict(),
  signMessage: z.object({ message }).strict(),
  verifyMessage: z.object({ signature: z.string().min(1).max(200), message }).strict(),
  lookupInvoice: z.union([z.object({ paymentHash: hex(32) }).strict(), z.object({ paymentRequest: invoice }).strict()]),
  lnurl: z.object({ lnurl: z.string().min(1).max(2048) }).strict(),
  request: z.object({ method: z.string().min(1).max(64), params: boundedJson.optional() }).strict(),
  paywall: z.object({ url: z.string().max(8192).regex(/^https?:\/\//i, 'expected an http(s) URL') }).strict(),
} as const satisfies Record<PageMethod, z.ZodType>;

export type WeblnParams<M extends PageMethod> = z.output<(typeof weblnParams)[M]>;


/** The page-channel request: a method name and its params. */
export const pageRequest = z.object({ method: z.string().max(64), params: z.unknown().optional() }).strict();
