export {
  amountSat,
  checkPayable,
  decodeInvoice,
  isExpired,
  matchesDescription,
  MAX_INVOICE_LENGTH,
  type FallbackAddress,
  type Invoice,
  type Network,
  type RouteHop,
} from './bolt11.ts';
