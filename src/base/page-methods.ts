/**
 * Every method a page may call on `window.webln` that reaches the worker, with
 * its traits. One table: the bridge's allow-list, the policy's per-site grants,
 * the service's staged checks and `getInfo().methods` all derive from it, and
 * a method without a row is a compile error wherever a `Record<PageMethod, …>`
 * is kept (the param schemas in webln/params.ts are one). Kept free of imports
 * because the page provider and the content bridge bundle it.
 *
 * | trait      | meaning                                                                  |
 * | ---------- | ------------------------------------------------------------------------ |
 * | needsSite  | the site must be enabled (and not paused) first                          |
 * | grantable  | the person may grant or withdraw it per site (policy `methods`)          |
 * | listed     | shown in `getInfo().methods`                                             |
 */
export interface PageMethodTraits {
  readonly needsSite: boolean;
  readonly grantable: boolean;
  readonly listed: boolean;
}

const site = { needsSite: true, grantable: true, listed: true } as const;

export const PAGE_METHOD_TRAITS = {
  enable: { needsSite: false, grantable: false, listed: true },
  isEnabled: { needsSite: false, grantable: false, listed: true },
  getInfo: site,
  getBalance: site,
  sendPayment: site,
  sendPaymentAsync: site,
  keysend: site,
  makeInvoice: site,
  signMessage: site,
  verifyMessage: site,
  lookupInvoice: { needsSite: true, grantable: false, listed: true },
  lnurl: site,
  request: site,
  /** Not WebLN: the provider's fetch/XHR wrapper asking the worker to open a 402 wall it met (the worker checks its own observation). */
  paywall: { needsSite: false, grantable: false, listed: false },
} as const satisfies Record<string, PageMethodTraits>;

export type PageMethod = keyof typeof PAGE_METHOD_TRAITS;
type Grantable<M extends PageMethod> = (typeof PAGE_METHOD_TRAITS)[M]['grantable'] extends true ? M : never;
export type GrantableMethod = { [M in PageMethod]: Grantable<M> }[PageMethod];

export const PAGE_METHODS = Object.keys(PAGE_METHOD_TRAITS) as PageMethod[];
export const GRANTABLE_METHODS = PAGE_METHODS.filter((m) => PAGE_METHOD_TRAITS[m].grantable) as [GrantableMethod, ...GrantableMethod[]];
/** Provider-side methods (events) that never reach the worker but are part of the API. */
const LOCAL_METHODS = ['on', 'off'] as const;
export const LISTED_METHODS: readonly string[] = [...PAGE_METHODS.filter((m) => PAGE_METHOD_TRAITS[m].listed), ...LOCAL_METHODS];

export function isPageMethod(m: unknown): m is PageMethod {
  return typeof m === 'string' && Object.hasOwn(PAGE_METHOD_TRAITS, m);
}

export function isGrantable(m: PageMethod): m is GrantableMethod {
  return PAGE_METHOD_TRAITS[m].grantable;
}
