export { admitInvoice, type AdmissionContext, type AdmittedInvoice } from './admission.ts';
export { PAYMENT_LABELS, type PayerDeps, type PaymentIntent, type PaymentLabel, type Send } from './intent.ts';
export { PaymentPipeline, type PipelineDeps, type StartedPayment } from './pipeline.ts';
export { classifyPaymentCode, MAX_PAYMENT_CODE_LENGTH, type PaymentCode, type PaymentCodeKind } from './payment-code.ts';
export { type DollarTerms, type HowToPay, type InvoicePayment, type PayInTerms } from './rail.ts';
