/**
 * Two separate questions about every payment, kept apart on purpose:
 *
 * | field  | answers                 | values                                   |
 * | ------ | ----------------------- | ---------------------------------------- |
 * | source | what asked for it       | webln, lnurl, l402, deposit, popup, link |
 * | rail   | how the money moved     | btc (a Lightning payment in sat), asset  |
 *
 * `popup` is the person's own send or receive screen; `link` a payment link they clicked on a page. A dollar payment from a 402 wall is
 * source `l402`, rail `asset`: budgets follow the source, the node call the rail.
 */
export const PAYMENT_SOURCES = ['webln', 'lnurl', 'l402', 'deposit', 'popup', 'link'] as const;
export type PaymentSource = (typeof PAYMENT_SOURCES)[number];

export const RAILS = ['btc', 'asset'] as const;
export type Rail = (typeof RAILS)[number];
