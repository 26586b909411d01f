/**
 * LUD-06 payRequest, second step: ask the callback for an invoice of the chosen amount.
 *
 * | step                              | rule                                                           |
 * | --------------------------------- | -------------------------------------------------------------- |
 * | GET <callback><?|&>amount=<msat>  | minSendable ≤ amount ≤ maxSendable                             |
 * |   &comment=<text> (LUD-12)        | only when commentAllowed > 0, at most commentAllowed characters |
 * | answer {pr, routes, successAction?, verify?} | pr must decode                                    |
 * | invoice amount                    | MUST equal the requested amount                                |
 * | invoice h tag = sha256(metadata)  | MUST hold (LUD-06 step 6), else LNURL_METADATA_MISMATCH         |
 * | successAction (LUD-09/10)         | must be a kind the wallet can show, or no payment              |
 * | verify (LUD-21)                   | passed on when it is a valid service URL                       |
 *
 * The hash check is what ties the invoice to the description the person approved: without it a
 * callback could hand over an invoice for anything. (A later revision of LUD-06 dropped the step;
 * the wallet keeps it, and refuses invoices that only carry a plain description.)
 */
import { decodeInvoice, matchesDescription, type Invoice } from '../bolt11/index.ts';
import { moduleErrors } from '../errors.ts';
import { getJson, type LnurlFetchOptions } from './http.ts';
import type { PayParams } from './params.ts';
import { checkCallback, checkServiceUrl, withQuery } from './service-url.ts';
import { parseSuccessAction, type SuccessAction } from './success-action.ts';

const err = moduleErrors('lnurl');

export interface PayInvoiceOptions extends LnurlFetchOptions {
  /** LUD-12 comment; empty means none. */
  comment?: string;
}

export interface PayInvoice {
  paymentRequest: string;
  invoice: Invoice;
  amountMsat: number;
  /** Show after the payment succeeded (LUD-09); keep it with the payment record. */
  successAction?: SuccessAction;
  /** LUD-21: where anyone can ask whether this invoice is paid. */
  verify?: string;
}

/** Gets and checks the invoice for `amountMsat`; the caller then pays `paymentRequest`. */
export async function requestPayInvoice(params: PayParams, amountMsat: number, opts: PayInvoiceOptions = {}): Promise<PayInvoice> {
  assertAmount(params, amountMsat);
  const comment = opts.comment ?? '';
  assertComment(params, comment);
  // Re-checked here: params may have crossed a message boundary since they were fetched.
  const callback = checkCallback(params.callback, params.domain, opts);
  const query: Record<string, string> = { amount: String(amountMsat), ...(comment !== '' && { comment }) };
  const body = await getJson(withQuery(callback, query), opts);
  if (typeof body.pr !== 'string') throw err('LNURL_BAD_RESPONSE', 'pay answer has no invoice (pr)', body.pr ?? '(missing)');
  let invoice: Invoice;
  try {
    invoice = decodeInvoice(body.pr);
  } catch (e) {
    throw err('LNURL_BAD_RESPONSE', 'service sent an invalid invoice', (e as Error).message);
  }
  if (invoice.amountMsat !== BigInt(amountMsat)) {
    throw err('LNURL_BAD_RESPONSE', 'invoice amount is not the amount asked for', `${invoice.amountMsat ?? 'none'} msat ≠ ${amountMsat} msat`);
  }
  if (invoice.descriptionHash === undefined || !matchesDescription(invoice, params.metadata)) {
    throw err('LNURL_METADATA_MISMATCH', 'invoice does not commit to the metadata (h tag)', invoice.descriptionHash ?? 'no h tag');
  }
  const successAction = body.successAction == null ? undefined : parseSuccessAction(body.successAction, callback, opts);
  const verify = verifyUrl(body.verify, opts);
  return {
    paymentRequest: invoice.paymentRequest,
    invoice,
    amountMsat,
    ...(successAction !== undefined && { successAction }),
    ...(verify !== undefined && { verify }),
  };
}

function assertAmount(params: PayParams, amountMsat: number): void {
  if (!Number.isSafeInteger(amountMsat) || amountMsat < params.minSendable || amountMsat > params.maxSendable) {
    throw err('LNURL_BAD_INPUT', `amount must be ${params.minSendable}–${params.maxSendable} msat`, amountMsat);
  }
}

function assertComment(params: PayParams, comment: string): void {
  if (comment === '') return;
  if (params.commentAllowed === 0) throw err('LNURL_BAD_INPUT', 'this service takes no comment');
  const length = [...comment].length;
  if (length > params.commentAllowed) throw err('LNURL_BAD_INPUT', `comment may have at most ${params.commentAllowed} characters`, length);
}

/** Informational only, so a malformed one is dropped rather than failing the payment. */
function verifyUrl(value: unknown, opts: LnurlFetchOptions): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return checkServiceUrl(value, 'verify', opts).href;
  } catch {
    return undefined;
  }
}
