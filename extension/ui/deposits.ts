/**
 * The "Deposits" screen's arithmetic: what is locked now and what ended, the
 * longest a locked deposit can stay locked, and a site's forfeit terms as a
 * person reads them. Shared with the payment prompt, which shows the same terms.
 */
import { ACTIVE_STATES } from '../../src/deposit/book.ts';
import type { DepositItem } from '../../src/messages/ui-api.ts';

export interface DepositGroups {
  /** Paying, held or being released: money locked now. Newest first. */
  locked: DepositItem[];
  /** Refunded, expired, forfeited or failed. Last ended first. */
  history: DepositItem[];
}

/** When a deposit ended (the moment it was made, for a record from before the end was noted). */
export function endedAt(item: DepositItem): number {
  return item.endedAt ?? item.createdAt;
}

export function splitDeposits(items: readonly DepositItem[]): DepositGroups {
  const locked = items.filter((i) => ACTIVE_STATES.has(i.state)).sort((a, b) => b.createdAt - a.createdAt || a.paymentHash.localeCompare(b.paymentHash));
  const history = items.filter((i) => !ACTIVE_STATES.has(i.state)).sort((a, b) => endedAt(b) - endedAt(a) || a.paymentHash.localeCompare(b.paymentHash));
  return { locked, history };
}

/**
 * The latest a locked deposit comes back: the site's promised longest hold
 * from when it was held (from now, for one still being paid), or the
 * time-lock, whichever comes first. The time-lock ends it whatever the site does.
 */
export function releasedBy(item: Pick<DepositItem, 'heldAt' | 'maxHoldSeconds' | 'lockedUntil'>, nowMs: number): number {
  return Math.min((item.heldAt ?? nowMs) + item.maxHoldSeconds * 1000, item.lockedUntil);
}

export interface ForfeitTerms {
  /** Host and path of a web address ("news.example/terms"), or the site's sentence as it wrote it. */
  text: string;
  /** The full address, for a web address only. */
  url?: string;
}

/**
 * A site's forfeit terms: a web address reads as its host and path (what a
 * person checks before trusting a link), anything else as the sentence it is.
 * Only http(s) counts as an address: a `javascript:` "URL" is text.
 */
export function forfeitTerms(forfeit: string): ForfeitTerms {
  let url: URL;
  try {
    url = new URL(forfeit);
  } catch {
    return { text: forfeit };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { text: forfeit };
  const path = url.pathname === '/' ? '' : url.pathname;
  return { text: `${url.host}${path}`, url: url.href };
}
