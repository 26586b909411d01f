/**
 * Words for the wallet's enums (budget periods, ledger kinds and statuses,
 * payment failures), one place for every screen that shows them. Each key is
 * spelled out so the catalog check sees it used.
 */
import type { LedgerKind, LedgerStatus } from '../../src/ledger/index.ts';
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
    webln: t('kind_webln'),
    keysend: t('kind_keysend'),
    l402: t('kind_l402'),
    deposit: t('kind_deposit'),
    refund: t('kind_refund'),
    reward: t('kind_reward'),
    invoice: t('kind_invoice'),
  };
}

/** Pending and in-flight read the same to a person: sent, not settled yet. */
export function statusLabel(status: LedgerStatus, t: Translate): string {
  switch (status) {
    case 'pending':
    case 'in_flight':
      return t('status_inFlight');
    case 'succeeded':
      return t('status_succeeded');
    case 'failed':
      return t('status_failed');
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
