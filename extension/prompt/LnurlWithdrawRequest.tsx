import type { ApprovalRequest } from '../../src/webln/approval.ts';
import { FormError } from '../ui/components.tsx';
import { formatSats } from '../ui/format.ts';
import { useLocale, useT } from '../ui/i18n.ts';
import { Answers, EmbeddedNotice, PromptFrame, type Answer } from './frame.tsx';
import { elsewhereThan, RangedAmountField, ServiceCard, ServiceNote, useRangedAmount } from './lnurl.tsx';

type LnurlWithdraw = Extract<ApprovalRequest, { kind: 'lnurlWithdraw' }>;

/** LUD-03: a reward or refund; the most the service offers is filled in, since that is what people usually want. */
export function LnurlWithdrawRequest({ request, answer }: { request: LnurlWithdraw; answer: Answer }) {
  const t = useT();
  const locale = useLocale();
  const amount = useRangedAmount(request.minSat, request.maxSat, request.maxSat);
  const elsewhere = elsewhereThan(request.origin, request.domain);
  const chosen = amount.check.ok ? amount.check.amountSat : undefined;

  const approve = () => {
    if (chosen !== undefined) answer.submit(async () => ({ approved: true, amountSat: chosen }));
  };

  return (
    <PromptFrame
      kind="lnurlWithdraw"
      title={t('prompt_titleLnurlWithdraw')}
      origin={request.origin}
      footer={
        <Answers
          answer={answer}
          approveTestId="prompt-approve"
          approveLabel={chosen === undefined ? t('prompt_receiveNoAmount') : t('prompt_receive', { amount: formatSats(chosen, locale) })}
          approveDisabled={chosen === undefined}
          onApprove={approve}
        />
      }
    >
      <EmbeddedNotice embeddedIn={request.embeddedIn} paying={false} />
      <ServiceCard
        label={t('prompt_lnurlPayer')}
        domain={request.domain}
        elsewhere={elsewhere && t('prompt_lnurlOtherWithdraw', { domain: request.domain, site: elsewhere })}
        tone="info"
      />
      <p className="lead">{t('prompt_lnurlWithdrawText', { domain: request.domain })}</p>
      <ServiceNote text={request.description} />
      <RangedAmountField amount={amount} />
      <FormError error={answer.error} />
    </PromptFrame>
  );
}
