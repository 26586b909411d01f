import type { DepositTerms as Terms } from '../../src/payments/intent.ts';
import { ForfeitTermsText } from '../ui/components.tsx';
import { formatDateTime, formatDuration } from '../ui/format.ts';
import { useLocale, useT } from '../ui/i18n.ts';

/**
 * What a deposit wall asks, in plain words: the money is locked, not spent;
 * how long the site promises to hold it at most; when it is back whatever the
 * site does; and what the site says it may keep it for. The terms' address is
 * text here: a link would let a click take the prompt window elsewhere.
 */
export function DepositTerms({ terms }: { terms: Terms }) {
  const t = useT();
  const locale = useLocale();
  return (
    <section className="notice notice-soft why" data-testid="prompt-deposit" aria-labelledby="deposit-title">
      <h2 className="card-label" id="deposit-title">
        {t('prompt_depositTitle')}
      </h2>
      <p>{t('prompt_depositText')}</p>
      <dl className="details details-flat">
        <div>
          <dt>{t('prompt_depositHold')}</dt>
          <dd data-testid="prompt-deposit-hold">{formatDuration(terms.maxHoldSeconds, locale)}</dd>
        </div>
        <div>
          <dt>{t('prompt_depositWorstCase')}</dt>
          <dd data-testid="prompt-deposit-locked-until">{formatDateTime(terms.lockedUntil, locale)}</dd>
        </div>
        <div className="detail-prose">
          <dt>{t('deposits_terms')}</dt>
          <dd>
            <ForfeitTermsText forfeit={terms.forfeit} linked={false} testId="prompt-deposit-forfeit" />
          </dd>
        </div>
      </dl>
    </section>
  );
}
