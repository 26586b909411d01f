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
 * | request          | { method, params? }                                           |
 */
import { z } from 'zod';
import { MAX_INVOICE_LENGTH } from '../bolt11/index.ts';

const MAX_SATS = 2_100_000_000_000_000;
const satsLike = z.union([
  z.number().int().min(0).max(MAX_SATS),
  z.string().regex(/^[0-9]{1,16}$/, 'amount must be whole sats').transform(Number),
]);
const invoice = z.string().min(1).max(MAX_INVOICE_LENGTH + 10);
const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`)).transform((s) => s.toLowerCase());
const message = z.string().max(65_536);

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

export const weblnParams = {
  enable: none,
  isEnabled: none,
  getInfo: none,
  getBalance: none,
  sendPayment: z.object({ paymentRequest: invoice }).strict(),
  sendPaymentAsync: z.object({ paymentRequest: invoice }).strict(),
  keysend: z
    .object({
      destination: hex(33),
      amount: satsLike.refine((n) => n > 0, 'amount must be positive'),
      customRecords: z
        .record(z.string().regex(/^[0-9]{1,20}$/), z.string().max(4096))
        .refine((r) => Object.keys(r).length <= 16, 'too many custom records')
        .optional(),
    })
    .strict(),
  makeInvoice: z.object({ args: z.union([satsLike, requestInvoiceArgs]).optional() }).strict(),
  signMessage: z.object({ message }).strict(),
  verifyMessage: z.object({ signature: z.string().min(1).max(200), message }).strict(),
  lookupInvoice: z.union([z.object({ paymentHash: hex(32) }).strict(), z.object({ paymentRequest: invoice }).strict()]),
  lnurl: z.object({ lnurl: z.string().min(1).max(2048) }).strict(),
  request: z.object({ method: z.string().min(1).max(64), params: z.unknown().optional() }).strict(),
} as const;

export type WeblnMethodName = keyof typeof weblnParams;
export type WeblnParams<M extends WeblnMethodName> = z.output<(typeof weblnParams)[M]>;

export function isWeblnMethod(m: unknown): m is WeblnMethodName {
  return typeof m === 'string' && Object.hasOwn(weblnParams, m);
}

/** The page-channel request: a method name and its params. */
export const pageRequest = z.object({ method: z.string().max(64), params: z.unknown().optional() }).strict();
