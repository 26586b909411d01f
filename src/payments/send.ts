/**
 * The popup's send screen, worker side: what a pasted code is (`preview`), then paying it (`pay`)
 * through the one pipeline as the person's own payment (source popup, consent chosen).
 *
 * | code                       | preview                                   | pay                                          |
 * | -------------------------- | ----------------------------------------- | -------------------------------------------- |
 * | BOLT11 invoice             | admitted (network, expiry, amount, dupes) | admitted again, then the pipeline            |
 * | LNURL-pay / address        | the service's terms (LUD-06/12/16)        | params fetched again, invoice from the callback |
 * |                            |                                           |   (amount, h-tag = metadata, callback host: lnurl/pay.ts), then the pipeline |
 * | other LNURL (withdraw, …)  | LNURL_UNSUPPORTED: nothing to pay         |                                              |
 *
 * The LNURL service is asked again at pay time rather than trusting terms the popup sends back:
 * the callback and metadata the invoice is checked against always come from the service itself.
 */
import type { Origin } from '../base/origin.ts';
import { moduleErrors } from '../errors.ts';
import { fetchLnurlParams, requestPayInvoice, type LnurlFetchOptions, type PayParams, type RemoteAddresses } from '../lnurl/index.ts';
import type { PaymentResult } from '../node/types.ts';
import { msatToSat } from '../base/sats.ts';
import { payRangeSat, shownAction, type ShownSuccessAction } from '../webln/lnurl-flow.ts';
import { admitInvoice, type AdmittedInvoice } from './admission.ts';
import type { PayerDeps, PaymentIntent } from './intent.ts';
import { classifyPaymentCode } from './payment-code.ts';

const error = moduleErrors('send');

/** What the send screen shows before the person pays. */
export type SendPreview =
  | {
      kind: 'invoice';
      paymentRequest: string;
      amountSat: number;
      /** The payee's node id. */
      payee: string;
      description?: string;
      /** Unix seconds. */
      expiresAt: number;
    }
  | {
      kind: 'lnurlPay';
      /** The host that answered: the one paid. */
      domain: string;
      address?: string;
      description: string;
      longDescription?: string;
      minSat: number;
      maxSat: number;
      /** LUD-12: longest comment the service takes; 0 for none. */
      commentAllowed: number;
    };

export interface SendRequest {
  text: string;
  /** The amount the person chose (LNURL-pay); an invoice's own amount is what is paid. */
  amountSat?: number;
  /** LUD-12 comment. */
  comment?: string;
  payIn: 'btc' | 'usd';
}

export interface SendResult {
  status: PaymentResult['status'];
  paymentHash: string;
  amountSat: number;
  feeSat: number;
  failureReason?: string;
  /** LUD-09/10: what the service says once paid. */
  successAction?: ShownSuccessAction;
}

export interface SendDeps extends PayerDeps {
  /** The wallet's own origin: the popup's payments are the person's, not a site's. */
  origin: Origin;
  fetch?: typeof fetch;
  addresses?: RemoteAddresses;
  /** The demo/e2e build: services on this machine over plain http (the devnet's). */
  devBuild?: boolean;
  /** Whether the pipeline can pay this one in dollars now (the dollar rail and a USD channel). */
  payInAvailable?(payIn: 'usd'): Promise<boolean>;
  now?: () => number;
  paymentTimeoutSeconds?: number;
}

export class PopupSender {
  constructor(private readonly d: SendDeps) {}

  async preview(text: string): Promise<SendPreview> {
    const code = classifyPaymentCode(text, this.lnurlOptions());
    if (code.kind === 'invoice') {
      const { invoice, amountSat } = await this.admit(code.invoice.paymentRequest);
      return {
        kind: 'invoice',
        paymentRequest: invoice.paymentRequest,
        amountSat,
        payee: invoice.payee,
        ...(invoice.description !== undefined && { description: invoice.description }),
        expiresAt: invoice.expiresAt,
      };
    }
    const params = await this.payParams(text);
    const { minSat, maxSat } = payRangeSat(params);
    return {
      kind: 'lnurlPay',
      domain: params.domain,
      ...(params.address && { address: params.address }),
      description: params.meta.description,
      ...(params.meta.longDescription && { longDescription: params.meta.longDescription }),
      minSat,
      maxSat,
      commentAllowed: params.commentAllowed,
    };
  }

  async pay(req: SendRequest): Promise<SendResult> {
    if (req.payIn === 'usd' && !(await this.d.payInAvailable?.('usd'))) throw error('ASSET_UNAVAILABLE', 'paying in dollars is not available');
    const code = classifyPaymentCode(req.text, this.lnurlOptions());
    if (code.kind === 'invoice') {
      if (req.comment) throw error('BAD_REQUEST', 'an invoice takes no comment');
      const admitted = await this.admit(code.invoice.paymentRequest, req.amountSat);
      return resultOf(await this.payAdmitted(admitted, req.payIn), admitted.amountSat);
    }
    const params = await this.payParams(req.text);
    const { minSat, maxSat } = payRangeSat(params);
    const amountSat = req.amountSat;
    if (amountSat === undefined || !Number.isSafeInteger(amountSat) || amountSat < minSat || amountSat > maxSat)
      throw error('BAD_REQUEST', `amount must be ${minSat}..${maxSat} sat`, amountSat ?? 'none');
    const invoice = await requestPayInvoice(params, amountSat * 1000, { ...this.fetchOptions(), ...(req.comment && { comment: req.comment }) });
    const admitted = await this.admit(invoice.paymentRequest, amountSat);
    const paid = await this.payAdmitted(admitted, req.payIn, params.meta.description);
    const result = resultOf(paid, amountSat);
    if (paid.status !== 'SUCCEEDED' || !invoice.successAction) return result;
    const action = await shownAction(invoice.successAction, paid.preimage);
    return { ...result, ...(action && { successAction: action }) };
  }

  private async admit(paymentRequest: string, expectedSat?: number): Promise<AdmittedInvoice> {
    return admitInvoice(paymentRequest, {
      origin: this.d.origin,
      ledger: this.d.ledger,
      network: await this.d.nodeNetwork(),
      nowMs: (this.d.now ?? Date.now)(),
      ...(expectedSat !== undefined && { expectedSat }),
    });
  }

  private async payAdmitted({ invoice, amountSat }: AdmittedInvoice, payIn: 'btc' | 'usd', fallbackDescription?: string): Promise<PaymentResult> {
    // Locked or not connected: refused before anything is recorded.
    await this.d.node();
    const description = invoice.description ?? fallbackDescription;
    const intent: PaymentIntent = {
      origin: this.d.origin,
      source: 'popup',
      rail: 'btc',
      kind: 'payment',
      // The person pasted it, saw the amount and pressed pay: nothing left to ask.
      consent: 'chosen',
      label: 'send',
      amountSat,
      paymentHash: invoice.paymentHash,
      destination: () => invoice.payee,
      paymentRequest: invoice.paymentRequest,
      expiresAt: invoice.expiresAt,
      ...(description !== undefined && { description }),
      // Chosen on the send screen for this one payment: over the site's and the global choice.
      payIn,
    };
    return this.d.payments.pay(intent, { paymentRequest: invoice.paymentRequest, timeoutSeconds: this.d.paymentTimeoutSeconds ?? 60 });
  }

  private async payParams(text: string): Promise<PayParams> {
    const params = await fetchLnurlParams(text, this.fetchOptions());
    if (params.tag !== 'payRequest') throw error('LNURL_UNSUPPORTED', 'not a pay link; this screen pays', params.tag);
    return params;
  }

  private lnurlOptions() {
    return { allowInsecureLocalhost: this.d.devBuild === true };
  }

  private fetchOptions(): LnurlFetchOptions {
    return {
      ...this.lnurlOptions(),
      ...(this.d.fetch && { fetch: this.d.fetch }),
      ...(this.d.addresses && { addresses: this.d.addresses }),
    };
  }
}

function resultOf(p: PaymentResult, amountSat: number): SendResult {
  return {
    status: p.status,
    paymentHash: p.paymentHash,
    amountSat: p.amountMsat > 0n ? msatToSat(p.amountMsat) : amountSat,
    feeSat: msatToSat(p.feeMsat),
    ...(p.failureReason && { failureReason: p.failureReason }),
  };
}
