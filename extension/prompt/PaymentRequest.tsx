import { useEffect, useState } from 'react';
import type { PayIn, PolicyReason } from '../../src/policy/index.ts';
import type { ApprovalRequest } from '../../src/webln/approval.ts';
import { FormError, PayInSwitch } from '../ui/components.tsx';
import { formatAmount, formatAsset, formatBtc, formatCountdown, formatDateTime, formatSats, shortenMiddle } from '../ui/format.ts';
import { useLocale, useT, type Translate } from '../ui/i18n.ts';
import { periodLabel } from '../ui/labels.ts';
import { DepositTerms } from './DepositTerms.tsx';
import { Answers, EmbeddedNotice, PromptFrame, type Answer } from './frame.tsx';

type Payment = Extract<ApprovalRequest, { kind: 'payment' }>;

/** Past this, the exact clock time reads better than a countdown. */
const COUNTDOWN_MAX_MS = 60 * 60_000;

/** A payment above the limits: amount and fee first, then who gets it, why Satnav asks, and what is left to spend. */
export function PaymentRequest({ request, answer }: { request: Payment; answer: Answer }) {
  const t = useT();
  // The person's own payment from the Send screen (asked only to show a dollar quote): no site, no site budget.
  const own = request.origin === globalThis.location?.origin;
  const locale = useLocale();
  // Invoices state their expiry in seconds (BOLT 11).
  const expiresAtMs = request.expiresAt !== undefined ? request.expiresAt * 1000 : undefined;
  const now = useNow(expiresAtMs !== undefined || request.payIn?.dollars !== undefined);
  const expired = expiresAtMs !== undefined && now >= expiresAtMs;
  const keysend = request.label === 'keysend';
  // A deposit locks money instead of spending it: it asks in its own words, with its terms.
  const deposit = request.label === 'deposit' ? request.deposit : undefined;
  const amount = formatSats(request.amountSat, locale);
  // BTC or dollars for this payment: the prompt's switch, sent back with the approval.
  const [payIn, setPayIn] = useState<PayIn | undefined>(request.payIn?.chosen);

  return (
    <PromptFrame
      kind="payment"
      title={deposit ? t('prompt_titleDeposit') : t('prompt_titlePayment')}
      origin={request.origin}
      footer={
        <Answers
          answer={answer}
          approveTestId="prompt-approve"
          approveLabel={deposit ? t('prompt_lockDeposit', { amount }) : t('prompt_pay', { amount })}
          approveDisabled={expired || !request.approvable}
          onApprove={() => answer.submit(async () => ({ approved: true, ...(payIn && payIn !== request.payIn?.chosen && { payIn }) }))}
        />
      }
    >
      <section className="pay-amount" aria-labelledby="pay-amount-label">
        <h2 className="card-label" id="pay-amount-label">
          {t('prompt_amount')}
        </h2>
        <p className="amount-main" data-testid="prompt-amount" data-amount-sat={request.amountSat}>
          {amount}
        </p>
        <p className="amount-sub">{formatBtc(request.amountSat, locale)}</p>
        <p className="amount-fee" data-testid="prompt-fee">
          {t('prompt_fee', { fee: formatSats(request.maxFeeSat, locale), total: formatSats(request.amountSat + request.maxFeeSat, locale) })}
        </p>
      </section>
      {request.payIn && payIn && <PayInChoice terms={request.payIn} payIn={payIn} onChange={setPayIn} now={now} />}
      {expired && (
        <div className="notice notice-error" role="alert" data-testid="prompt-expired">
          <p>{t('prompt_expired')}</p>
        </div>
      )}
      <EmbeddedNotice embeddedIn={request.embeddedIn} paying />
      {request.description !== undefined && request.description !== '' && (
        <figure className="site-note">
          <figcaption>{own ? t('prompt_descriptionInvoice') : t('prompt_description')}</figcaption>
          <blockquote data-testid="prompt-description">{request.description}</blockquote>
        </figure>
      )}
      <dl className="details details-flat">
        <div>
          <dt>{t('prompt_to')}</dt>
          <dd className="mono" title={request.destination} data-testid="prompt-destination">
            {shortenMiddle(request.destination)}
          </dd>
        </div>
        <div>
          <dt>{t('prompt_method')}</dt>
          <dd data-testid="prompt-method" data-method={request.label}>
            {keysend ? <span className="badge badge-warning">{t('prompt_methodKeysend')}</span> : methodText(request.label, t)}
          </dd>
        </div>
        {expiresAtMs !== undefined && (
          <div>
            <dt>{t('prompt_expires')}</dt>
            <dd data-testid="prompt-expiry" title={formatDateTime(expiresAtMs, locale)} className={expired ? 'text-danger' : undefined}>
              {expired
                ? t('prompt_expiredShort')
                : expiresAtMs - now > COUNTDOWN_MAX_MS
                  ? formatDateTime(expiresAtMs, locale)
                  : t('prompt_expiresIn', { time: formatCountdown(expiresAtMs - now) })}
            </dd>
          </div>
        )}
      </dl>
      {deposit && <DepositTerms terms={deposit} />}
      <section className="notice notice-soft why" data-testid="prompt-reason" data-reason={request.reason} aria-labelledby="why-title">
        <h2 className="card-label" id="why-title">
          {t('prompt_why')}
        </h2>
        <p>
          {own
            ? t('prompt_reasonOwnPayIn')
            : request.label === 'link' && request.approvable
              ? t('prompt_reasonLink')
              : reasonText(request.reason, t)}
        </p>
        {/* Locked is not spent: a deposit has its own limits, named by the reason. The person's own payment has no site budget. */}
        {!deposit && !own && <Budget budget={request.budget} />}
      </section>
      <details className="more" data-testid="prompt-invoice-details">
        <summary>{keysend ? t('prompt_paymentDetails') : t('prompt_invoiceDetails')}</summary>
        <dl className="details details-stacked">
          <div>
            <dt>{t('prompt_paymentHash')}</dt>
            <dd className="mono">{request.paymentHash}</dd>
          </div>
          <div>
            <dt>{t('prompt_destination')}</dt>
            <dd className="mono">{request.destination}</dd>
          </div>
          {expiresAtMs !== undefined && (
            <div>
              <dt>{t('prompt_expires')}</dt>
              <dd>{formatDateTime(expiresAtMs, locale)}</dd>
            </div>
          )}
          {request.paymentRequest && (
            <div>
              <dt>{t('prompt_invoice')}</dt>
              <dd className="mono invoice-text">{request.paymentRequest}</dd>
            </div>
          )}
        </dl>
      </details>
      <FormError error={answer.error} />
    </PromptFrame>
  );
}

/** BTC or dollars: the switch (closed with the reason when dollars can't pay this one), and the dollar terms at the quote. */
function PayInChoice({ terms, payIn, onChange, now }: { terms: NonNullable<Payment['payIn']>; payIn: PayIn; onChange: (p: PayIn) => void; now: number }) {
  const t = useT();
  const locale = useLocale();
  const d = terms.dollars;
  const usd = (units: string) => (d ? formatAsset({ amount: units, decimalDisplay: d.decimalDisplay, ticker: d.ticker }, locale) : '');
  // The rate in raw units per BTC (coefficient / 10^scale), shown in the asset's display unit.
  const perBtc = d ? (BigInt(d.rate.coefficient) / 10n ** BigInt(d.rate.scale)).toString() : '0';
  const quoteMs = d ? d.expiresAt * 1000 : 0;
  return (
    <section className="pay-in" data-testid="prompt-pay-in" data-pay-in={payIn}>
      {terms.movedPpm !== undefined && (
        <div className="notice notice-warning" role="alert" data-testid="prompt-quote-moved">
          <p>{t('prompt_quoteMoved', { pct: new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 }).format(terms.movedPpm / 1_000_000) })}</p>
        </div>
      )}
      {terms.locked ? (
        <p className="muted" data-testid="prompt-pay-in-locked" data-locked={terms.locked}>
          {terms.locked === 'keysend' ? t('prompt_payInKeysend') : t('prompt_payInUnavailable')}
        </p>
      ) : (
        <PayInSwitch testId="prompt-pay-in-switch" choiceTestId="prompt-pay" value={payIn} onChange={onChange} />
      )}
      {d && (
        <dl className="details details-flat" data-testid="prompt-dollars" data-quote-id={d.quoteId}>
          <div>
            <dt>{t('prompt_inDollars')}</dt>
            <dd data-testid="prompt-dollars-amount" data-units={d.amountUnits}>
              {usd(d.amountUnits)}
            </dd>
          </div>
          <div>
            <dt>{t('prompt_dollarsWorst')}</dt>
            <dd data-testid="prompt-dollars-worst" data-units={d.worstCaseUnits}>
              {usd(d.worstCaseUnits)}
            </dd>
          </div>
          <div>
            <dt>{t('prompt_rate')}</dt>
            <dd data-testid="prompt-rate">{t('prompt_rateValue', { price: usd(perBtc) })}</dd>
          </div>
          <div>
            <dt>{t('prompt_quoteExpires')}</dt>
            <dd data-testid="prompt-quote-expiry" title={formatDateTime(quoteMs, locale)}>
              {quoteMs <= now ? t('prompt_expiredShort') : t('prompt_expiresIn', { time: formatCountdown(quoteMs - now) })}
            </dd>
          </div>
        </dl>
      )}
    </section>
  );
}

/** What is left to spend, for the site and today: what an approval takes from. */
function Budget({ budget }: { budget: Payment['budget'] }) {
  const t = useT();
  const locale = useLocale();
  return (
    <dl className="details details-flat" data-testid="prompt-budget">
      <div>
        <dt>{t('prompt_budgetSite')}</dt>
        <dd>
          {t('prompt_budgetSiteValue', {
            left: formatAmount(budget.remainingSite, locale),
            allowance: formatAmount(budget.allowance, locale),
            period: periodLabel(budget.period, t),
          })}
        </dd>
      </div>
      <div>
        <dt>{t('prompt_budgetToday')}</dt>
        <dd>{formatAmount(budget.remainingDaily, locale)}</dd>
      </div>
    </dl>
  );
}

/** How it is paid, for the invoice methods (keysend has its warning badge): a 402 wall or a deposit says so. */
function methodText(label: Payment['label'], t: Translate): string {
  switch (label) {
    case 'l402':
      return t('prompt_methodPaywall');
    case 'deposit':
      return t('prompt_methodDeposit');
    case 'link':
      return t('prompt_methodLink');
    default:
      return t('prompt_methodInvoice');
  }
}

function reasonText(reason: PolicyReason, t: Translate): string {
  switch (reason) {
    case 'above_auto_approve':
      return t('prompt_reasonAboveAutoApprove');
    case 'above_site_allowance':
      return t('prompt_reasonAboveAllowance');
    case 'above_fee_limit':
      return t('prompt_reasonAboveFeeLimit');
    case 'l402_auto_pay_off':
      return t('prompt_reasonL402Off');
    case 'daily_cap_exceeded':
      return t('prompt_reasonDailyCap');
    case 'embedded_frame':
      return t('prompt_reasonEmbedded');
    case 'above_deposit_limit':
      return t('prompt_reasonAboveDepositLimit');
    case 'above_locked_limit':
      return t('prompt_reasonAboveLockedLimit');
    case 'deposit_auto_hold_off':
      return t('prompt_reasonDepositAutoHoldOff');
    case 'site_kept_a_deposit':
      return t('prompt_reasonSiteKeptDeposit');
    case 'above_forfeit_limit':
      return t('prompt_reasonAboveForfeitLimit');
    default:
      // The other reasons refuse without asking; should one reach a prompt, say it plainly.
      return t('prompt_reasonOther');
  }
}

/** The clock, ticking each second while `ticking` (for a countdown). */
function useNow(ticking: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [ticking]);
  return now;
}
