/**
 * A clicked link's target (what the content script sent, links/target.ts), read again by the
 * worker in full with the one classifier of payment codes (payments/payment-code.ts): a BOLT11
 * invoice to pay, or an LNURL / lightning address for the LNURL flow (webln/lnurl-flow.ts).
 * A channel request (LUD-02, `lnurlc://`) is refused by name: Satnav says so rather than doing
 * nothing. Everything else the classifier refuses keeps its code (LNURL_INVALID, INVOICE_INVALID,
 * PAYMENT_CODE_*), before any window opens.
 */
import { z } from '../base/zod.ts';
import { moduleErrors } from '../errors.ts';
import type { LnurlOptions } from '../lnurl/index.ts';
import { classifyPaymentCode } from '../payments/payment-code.ts';
import { MAX_LINK_LENGTH } from './target.ts';

const err = moduleErrors('links');

/** The one message a content script sends for a click (on LINK_CHANNEL). */
export const linkRequest = z.strictObject({ href: z.string().check(z.minLength(1), z.maxLength(MAX_LINK_LENGTH)) });
export type LinkRequest = z.infer<typeof linkRequest>;

export type PaymentLink = { kind: 'invoice'; paymentRequest: string } | { kind: 'lnurl'; text: string };

export function parseLink(href: string, opts: LnurlOptions = {}): PaymentLink {
  const code = classifyPaymentCode(href, opts);
  if (code.kind === 'invoice') return { kind: 'invoice', paymentRequest: code.invoice.paymentRequest };
  if (code.lnurl.expectedTag === 'channelRequest') throw err('LNURL_UNSUPPORTED', 'channel requests (LUD-02) are not supported', code.lnurl.domain);
  return { kind: 'lnurl', text: href.trim() };
}
