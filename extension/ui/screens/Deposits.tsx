import { useState, type ReactNode } from 'react';
import type { DepositItem, Deposits as DepositsView } from '../../../src/messages/ui-api.ts';
import { call } from '../client.ts';
import { Button, ForfeitTermsText, FormError, Section, Shell, Spinner, UsageBar } from '../components.tsx';
import { endedAt, releasedBy, splitDeposits } from '../deposits.ts';
import { formatDateTime, formatRelativeTime, formatSats } from '../format.ts';
import { useLocale, useT } from '../i18n.ts';
import { depositStateLabel, failureText } from '../labels.ts';
import { originParts } from '../origin.ts';
import { goBack } from '../route.ts';
import { useAction } from '../use-action.ts';
import { usePolled } from '../use-polling.ts';
import './deposits.css';

/** A release ends on the node's word, seconds later: look again soon. */
const REFRESH_MS = 5_000;

const loadDeposits = () => call({ type: 'deposits.list' });

/**
 * Refundable deposits: what is locked now, where, and until when at the
 * latest, each with its release button; then the ones that ended. The worker
 * answers a release with the list after it.
 */
export function Deposits() {
  const t = useT();
  const { value, now, loadError, change } = usePolled(loadDeposits, REFRESH_MS);
  const [asked, setAsked] = useState<string>();
  const release = useAction(async (paymentHash: string) => {
    setAsked(paymentHash);
    await change(() => call({ type: 'deposits.release', paymentHash }));
  });

  return (
    <Shell testId="deposits-screen" title={t('deposits_title')} onBack={goBack} wide>
      <p className="hint">{t('deposits_intro')}</p>
      <FormError error={release.error ?? loadError} testId="deposits-error" />
      {!value && loadError === undefined && <Spinner label={t('common_loading')} />}
      {value && <DepositList deposits={value} now={now} releasing={release.busy ? asked : undefined} onRelease={(hash) => void release.run(hash)} />}
    </Shell>
  );
}

/** What is locked against the limit for all deposits together. */
export function LockedBar({ testId, lockedSat, lockLimitSat }: { testId: string; lockedSat: number; lockLimitSat: number }) {
  const t = useT();
  const locale = useLocale();
  const caption = t('deposits_lockedOf', { used: formatSats(lockedSat, locale), total: formatSats(lockLimitSat, locale) });
  return <UsageBar testId={testId} spentSat={lockedSat} heldSat={0} totalSat={lockLimitSat} caption={caption} />;
}

interface ListProps {
  deposits: DepositsView;
  now: number;
  /** The deposit whose release is on its way to the worker. */
  releasing: string | undefined;
  onRelease: (paymentHash: string) => void;
}

/** Locked now, then the history; with no deposit at all, what will show here. */
export function DepositList({ deposits, now, releasing, onRelease }: ListProps) {
  const t = useT();
  if (deposits.items.length === 0) {
    return (
      <div className="empty empty-card" data-testid="deposits-empty">
        <h2>{t('deposits_empty')}</h2>
        <p className="muted">{t('deposits_emptyText')}</p>
      </div>
    );
  }
  const { locked, history } = splitDeposits(deposits.items);
  return (
    <div className="deposits-layout">
      <Section title={t('deposits_lockedTitle')} testId="deposits-locked">
        <LockedBar testId="deposits-locked-total" lockedSat={deposits.lockedSat} lockLimitSat={deposits.lockLimitSat} />
        <p className="hint">{t('deposits_lockedHint')}</p>
        {locked.length === 0 ? (
          <p className="muted" data-testid="deposits-nothing-locked">
            {t('deposits_nothingLocked')}
          </p>
        ) : (
          <ul className="item-list">
            {locked.map((item) => (
              <LockedRow key={item.paymentHash} item={item} now={now} releasing={releasing} onRelease={() => onRelease(item.paymentHash)} />
            ))}
          </ul>
        )}
      </Section>
      {history.length > 0 && (
        <Section title={t('deposits_historyTitle')} testId="deposits-history">
          <ul className="item-list">
            {history.map((item) => (
              <HistoryRow key={item.paymentHash} item={item} />
            ))}
          </ul>
        </Section>
      )}
    </div>
  );
}

function LockedRow({ item, now, releasing, onRelease }: { item: DepositItem; now: number; releasing: string | undefined; onRelease: () => void }) {
  const t = useT();
  const locale = useLocale();
  const site = originParts(item.site).host;
  const by = releasedBy(item, now);
  return (
    <li className="item-card" data-testid="deposit-item" data-hash={item.paymentHash} data-state={item.state}>
      <Head item={item} />
      <dl className="details details-flat">
        <Detail label={t('deposits_amount')} testId="deposit-amount">
          {formatSats(item.amountSat, locale)}
        </Detail>
        {item.heldAt !== undefined && (
          <Detail label={t('deposits_heldSince')} title={formatDateTime(item.heldAt, locale)} testId="deposit-held-since">
            {formatRelativeTime(item.heldAt, now, locale)}
          </Detail>
        )}
        <Detail label={t('deposits_backBy')} title={formatDateTime(by, locale)} testId="deposit-back-by">
          {formatRelativeTime(by, now, locale)}
        </Detail>
        {item.paidBy !== item.site && <Detail label={t('deposits_paidFrom')}>{originParts(item.paidBy).host}</Detail>}
        <Detail label={t('deposits_terms')} prose>
          <ForfeitTermsText forfeit={item.forfeit} linked testId="deposit-terms" />
        </Detail>
      </dl>
      {/* A deposit still "paying" may already be held at the site (which may never say so): it can be released too. */}
      {(item.state === 'held' || item.state === 'paying') && (
        <Button
          testId={`deposit-release-${item.paymentHash}`}
          variant="secondary"
          className="deposit-release"
          busy={releasing === item.paymentHash}
          disabled={releasing !== undefined}
          onClick={onRelease}
        >
          {t('deposits_release')}
        </Button>
      )}
      {item.state === 'releasing' && (
        <p className="hint" data-testid="deposit-releasing">
          {t('deposits_releasingNote', { site, time: formatDateTime(by, locale) })}
        </p>
      )}
    </li>
  );
}

/** An ended deposit: when and how. One the site kept stands out, with the terms it invoked. */
function HistoryRow({ item }: { item: DepositItem }) {
  const t = useT();
  const locale = useLocale();
  const ended = endedAt(item);
  const forfeited = item.state === 'forfeited';
  return (
    <li className={forfeited ? 'item-card deposit-forfeited' : 'item-card'} data-testid="deposit-history-item" data-hash={item.paymentHash} data-state={item.state}>
      <Head item={item} />
      <p className="deposit-when">
        <span data-testid="deposit-amount">{formatSats(item.amountSat, locale)}</span>
        <time dateTime={new Date(ended).toISOString()} data-testid="deposit-ended">
          {formatDateTime(ended, locale)}
        </time>
      </p>
      {forfeited && (
        <div className="notice notice-error" data-testid="deposit-forfeit">
          <p>{t('deposits_forfeitedNote', { site: originParts(item.site).host })}</p>
          <ForfeitTermsText forfeit={item.forfeit} linked testId="deposit-terms" />
        </div>
      )}
      {item.state === 'failed' && item.note && <p className="hint">{t('activity_failureReason', { reason: failureText(item.note, t) })}</p>}
    </li>
  );
}

/** Held is a deposit's normal state; one on its way, or kept by the site, shows in colour. */
const BADGE: Partial<Record<DepositItem['state'], string>> = { paying: 'badge-warning', releasing: 'badge-warning', forfeited: 'badge-danger' };

/** The site holding it and where it stands. */
function Head({ item }: { item: DepositItem }) {
  const t = useT();
  return (
    <div className="item-head">
      <span className="item-title" title={item.site} data-testid="deposit-site">
        {originParts(item.site).host}
      </span>
      <span className={['badge', BADGE[item.state]].filter(Boolean).join(' ')} data-state={item.state} data-testid="deposit-state">
        {depositStateLabel(item.state, t)}
      </span>
    </div>
  );
}

/** One row of details; `prose` puts a long value (a sentence, an address) under its label. */
function Detail({ label, title, testId, prose = false, children }: { label: string; title?: string; testId?: string; prose?: boolean; children: ReactNode }) {
  return (
    <div className={prose ? 'detail-prose' : undefined}>
      <dt>{label}</dt>
      <dd title={title} data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}
