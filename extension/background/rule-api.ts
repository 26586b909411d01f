import browser from 'webextension-polyfill';
import { inChromeTerms } from '../platform.ts';
import type { RequestDetails } from './paywall/observations.ts';
import { SendWatch, type HeaderRulesApi, type RuleCondition, type SendHeadersEvent } from './paywall/send-watch.ts';

/**
 * The browser's session header rules (402 credentials: paywall/rules.ts; deposits and sessions: deposits.ts)
 * and the one listener for when requests to their origins left (paywall/send-watch.ts): every change of the
 * rules goes through here, so the listener always covers them. Made on first use (nothing runs at import).
 */
type AnyRule = { id: number; condition: RuleCondition };
let heard: ((d: RequestDetails) => void) | undefined;
let sends: SendWatch<RequestDetails> | undefined;

function watch(): SendWatch<RequestDetails> {
  sends ??= new SendWatch(browser.webRequest.onSendHeaders as unknown as SendHeadersEvent<RequestDetails>, (d) => heard?.(inChromeTerms(d)));
  return sends;
}

const dnr = <R extends AnyRule>() => browser.declarativeNetRequest as unknown as HeaderRulesApi<R>;

/** The session-rules API, watched. */
export function headerRulesApi<R extends AnyRule>(): HeaderRulesApi<R> {
  return watch().wrap(dnr<R>());
}

/** Where requests to the rules' origins go (the 402 glue's send times); the rules a previous worker life left are read now. */
export function hearSends(onSent: (d: RequestDetails) => void): Promise<void> {
  heard = onSent;
  return watch().start(dnr());
}
