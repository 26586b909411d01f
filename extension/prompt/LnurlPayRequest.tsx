import { useState } from 'react';
import type { ApprovalRequest } from '../../src/webln/approval.ts';
import { FormError, TextAreaField, WarningNote } from '../ui/components.tsx';
import { formatInteger, formatSats } from '../ui/format.ts';
import { useLocale, useT } from '../ui/i18n.ts';
import { Answers, EmbeddedNotice, PromptFrame, type Answer } from './frame.tsx';
import { elsewhereThan, RangedAmountField, ServiceCard, ServiceNote, useRangedAmount } from './lnurl.tsx';

type LnurlPay = Extract<ApprovalRequest, { kind: 'lnurlPay' }>;

/** The longest comment `approval.decide` carries (its schema's limit), whatever a service allows. */
const COMMENT_MAX_CHARS = 2000;

/** LUD-06 / LUD-16: who gets the money, what they wrote, then the amount (and comment) the person chooses. */
export function LnurlPayRequest({ request, answer }: { request: LnurlPay; answer: Answer }) {
  const t = useT();
  const locale = useLocale();
  const amount = useRangedAmount(request.minSat, request.maxSat, request.minSat);
  const [comment, setComment] = useState('');
  const elsewhere = elsewhereThan(request.origin, request.domain);
  const commentMax = Math.min(request.commentAllowed, COMMENT_MAX_CHARS);
  const { remainingDailySat } = request.budget;
  const chosen = amount.check.ok ? amount.check.amountSat : undefined;

  const approve = () => {
    if (chosen === undefined) return;
    const note = comment.trim();
    answer.submit(async () => ({ approved: true, amountSat: chosen, ...(commentMax > 0 && note && { comment: note }) }));
  };

  return (
    <PromptFrame
      kind="lnurlPay"
      title={t('prompt_titleLnurlPay')}
      origin={request.origin}
      footer={
        <Answers
          answer={answer}
          approveTestId="prompt-approve"
          approveLabel={chosen === undefined ? t('prompt_payNoAmount') : t('prompt_pay', { amount: formatSats(chosen, locale) })}
          approveDisabled={chosen === undefined}
          onApprove={approve}
        />
      }
    >
      <EmbeddedNotice embeddedIn={request.embeddedIn} paying />
      <ServiceCard
        label={t('prompt_lnurlRecipient')}
        domain={request.domain}
        address={request.address}
        image={request.image}
        elsewhere={elsewhere && t('prompt_lnurlOtherPay', { domain: request.domain, site: elsewhere })}
        tone="warning"
      />
      <ServiceNote text={request.description} long={request.longDescription} />
      <RangedAmountField amount={amount} />
      {commentMax > 0 && (
        <TextAreaField
          testId="prompt-lnurl-comment"
          label={t('prompt_lnurlComment')}
          className="comment-box"
          rows={2}
          maxLength={commentMax}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          hint={
            <span data-testid="prompt-lnurl-comment-count">
              {t('prompt_lnurlCommentCount', { count: formatInteger(comment.length, locale), max: formatInteger(commentMax, locale) })}
            </span>
          }
        />
      )}
      <dl className="details details-flat" data-testid="prompt-lnurl-budget" data-remaining-sat={remainingDailySat}>
        <div>
          <dt>{t('prompt_budgetToday')}</dt>
          <dd>{formatSats(remainingDailySat, locale)}</dd>
        </div>
      </dl>
      {chosen !== undefined && chosen > remainingDailySat && <WarningNote testId="prompt-lnurl-over-daily" title={t('prompt_lnurlOverDaily')} />}
      <FormError error={answer.error} />
    </PromptFrame>
  );
}
