import type { UiHandlers } from './ui-handlers.ts';

/** The popup's send and receive screens (src/payments/send.ts, receive.ts). */
export const sendHandlers = {
  'send.preview': async (req, svc) => svc.sender.preview(req.text),
  'send.pay': async (req, svc) =>
    svc.sender.pay({
      text: req.text,
      payIn: req.payIn,
      ...(req.amountSat !== undefined && { amountSat: req.amountSat }),
      ...(req.comment !== undefined && { comment: req.comment }),
    }),
  'receive.create': async (req, svc) => svc.receiver.create(req.amount, req.note),
  'receive.status': async (req, svc) => svc.receiver.status(req.paymentHash),
} satisfies Partial<UiHandlers>;
