/**
 * The "Paid access" screen's arithmetic: credentials grouped by the site
 * whose budget paid, and when each was bought and ends, in the locale's words.
 */
import type { PaidAccessItem } from '../../src/messages/ui-api.ts';
import { formatDateTime, formatRelativeTime } from './format.ts';
import type { Translate } from './i18n.ts';

export interface SiteAccess {
  /** The site whose allowance paid (an origin). */
  site: string;
  /** Newest first. */
  items: PaidAccessItem[];
}

/** One group per paying site, the site that bought most recently first. */
export function bySite(items: readonly PaidAccessItem[]): SiteAccess[] {
  const groups = new Map<string, PaidAccessItem[]>();
  for (const item of items.toSorted((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id))) {
    const list = groups.get(item.paidBy);
    if (list) list.push(item);
    else groups.set(item.paidBy, [item]);
  }
  return [...groups].map(([site, list]) => ({ site, items: list }));
}

export type ExpiryState = 'open' | 'expired' | 'expires';

/** Whether a credential ends: never by itself (null), already, or at `expiresAt` (unix seconds). */
export function expiryState(expiresAt: number | null, nowMs: number): ExpiryState {
  if (expiresAt === null) return 'open';
  return expiresAt * 1000 <= nowMs ? 'expired' : 'expires';
}

/** "in 2 hours", a date and time beyond a day, "Expired", or "Until the site ends it". */
export function expiryText(expiresAt: number | null, nowMs: number, locale: string, t: Translate): string {
  switch (expiryState(expiresAt, nowMs)) {
    case 'open':
      return t('paid_untilEnded');
    case 'expired':
      return t('paid_expired');
    case 'expires':
      return formatRelativeTime(expiresAt! * 1000, nowMs, locale);
  }
}

/** The exact moment, for a tooltip; none for a credential without an end. */
export function expiryTitle(expiresAt: number | null, locale: string): string | undefined {
  return expiresAt === null ? undefined : formatDateTime(expiresAt * 1000, locale);
}

/** A path list that stays one line: the first few, then how many more ("/a, /b +3"). */
export function pathsText(paths: readonly string[], shown = 2): string {
  const head = paths.slice(0, shown).join(', ');
  return paths.length > shown ? `${head} +${paths.length - shown}` : head;
}
