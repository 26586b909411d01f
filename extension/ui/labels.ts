/**
 * Words for the wallet's enums (budget periods, ledger kinds and statuses,
 * payment failures, 402 schemes), one place for every screen that shows them. Each key is
 * spelled out so the catalog check sees it used.
 */
import type { DepositState } from '../../src/deposit/book.ts';
import type { LedgerEntry, LedgerKind, LedgerStatus } from '../../src/ledger/index.ts';
import type { PaidAccessItem } from '../../src/messages/ui-api.ts';
import type { Period } from '../../src/policy/index.ts';
import type { Translate } from './i18n.ts';

export function periodChoices(t: Translate): { value: Period; label: string }[] {
  return [
    { value: 'day', label: t('period_day') },
    { value: 'week', label: t('period_week') },
    { value: 'month', label: t('period_month') },
  ];
}

export function periodLabel(period: Period, t: Translate): string {
  return periodChoices(t).find((c) => c.value === period)?.label ?? period;
}

export function kindLabels(t: Translate): Record<LedgerKind, string> {
  return {
    payment: t('kind_payment'),
    keysend: t('kind_keysend'),
    deposit: t('kind_deposit'),
    refund: t('kind_refund'),
    reward: t('kind_reward'),
    invoice: t('kind_invoice'),
  };
}

/** What a person calls an entry: a payment is named by what asked for it, anything else by what moved. */
export function entryLabel(entry: Pick<LedgerEntry, 'kind' | 'source'>, t: Translate): string {
  if (entry.kind !== 'payment') return kindLabels(t)[entry.kind];
  switch (entry.source) {
    case 'webln':
      return t('kind_webln');
    case 'lnurl':
      return t('kind_lnurlPay');
    case 'l402':
      return t('kind_l402');
    case 'deposit':
      return t('kind_deposit');
    case 'popup':
      return t('kind_send');
    case 'link':
      return t('kind_link');
  }
}

/** How a 402 wall was paid, by its scheme's name (L402 and x402 are names; Payment is the plain word). */
export function schemeLabel(scheme: PaidAccessItem['scheme'], t: Translate): string {
  switch (scheme) {
    case 'l402':
      return t('scheme_l402');
    case 'payment':
      return t('scheme_payment');
    case 'x402':
      return t('scheme_x402');
  }
}

/** Pending and in-flight read the same to a person: sent, not settled yet. A deposit that went out was kept by the site. */
export function statusLabel(entry: Pick<LedgerEntry, 'kind' | 'status'>, t: Translate): string {
  switch (entry.status) {
    case 'pending':
    case 'in_flight':
      return entry.kind === 'deposit' ? t('status_held') : t('status_inFlight');
    case 'succeeded':
      return entry.kind === 'deposit' ? t('status_forfeited') : t('status_succeeded');
    case 'failed':
      return t('status_failed');
    case 'refunded':
      return t('status_refunded');
  }
}

/**
 * How an entry's outcome is drawn (its CSS state): unresolved ones pulse, and
 * a deposit is the other way round from a payment: kept by the site is the
 * loss, refunded the good end.
 */
export type StatusTone = 'in-flight' | 'succeeded' | 'failed' | 'refunded' | 'forfeited';

export function statusTone(entry: Pick<LedgerEntry, 'kind' | 'status'>): StatusTone {
  switch (entry.status) {
    case 'pending':
    case 'in_flight':
      return 'in-flight';
    case 'succeeded':
      return entry.kind === 'deposit' ? 'forfeited' : 'succeeded';
    case 'failed':
    case 'refunded':
      return entry.status;
  }
}

/** Where a deposit stands, in the Deposits screen's words (the ledger's words where they mean the same). */
export function depositStateLabel(state: DepositState, t: Translate): string {
  switch (state) {
    case 'paying':
      return t('deposits_paying');
    case 'held':
      return t('status_held');
    case 'releasing':
      return t('deposits_releasing');
    case 'refunded':
      return t('status_refunded');
    case 'expired':
      return t('deposits_expired');
    case 'forfeited':
      return t('status_forfeited');
    case 'failed':
      return t('deposits_failed');
  }
}

/** lnd's failure reasons (FAILURE_REASON_ prefix dropped) and the wallet's own; anything else is shown as is. */
export function failureText(reason: string, t: Translate): string {
  switch (reason) {
    case 'NO_ROUTE':
      return t('failure_noRoute');
    case 'TIMEOUT':
      return t('failure_timeout');
    case 'INSUFFICIENT_BALANCE':
      return t('failure_insufficientBalance');
    case 'INCORRECT_PAYMENT_DETAILS':
      return t('failure_incorrectDetails');
    case 'ERROR':
      return t('failure_error');
    case 'not_sent':
      return t('failure_notSent');
    default:
      return reason;
  }
}
