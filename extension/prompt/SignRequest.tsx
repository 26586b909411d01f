import type { ApprovalRequest } from '../../src/webln/approval.ts';
import { FormError, WarningNote } from '../ui/components.tsx';
import { useT } from '../ui/i18n.ts';
import { originParts } from '../ui/origin.ts';
import { Answers, EmbeddedNotice, PromptFrame, type Answer } from './frame.tsx';

type Sign = Extract<ApprovalRequest, { kind: 'signMessage' }>;

/** signMessage(): the exact text, as the site sent it, with what a signature means. */
export function SignRequest({ request, answer }: { request: Sign; answer: Answer }) {
  const t = useT();
  return (
    <PromptFrame
      kind="signMessage"
      title={t('prompt_titleSign')}
      origin={request.origin}
      footer={<Answers answer={answer} approveTestId="prompt-approve" approveLabel={t('prompt_sign')} onApprove={() => answer.submit(async () => ({ approved: true }))} />}
    >
      <EmbeddedNotice embeddedIn={request.embeddedIn} paying={false} />
      <p className="lead">{t('prompt_signText', { site: originParts(request.origin).host })}</p>
      <pre className="message-box" data-testid="prompt-message" tabIndex={0}>
        {request.message}
      </pre>
      <WarningNote title={t('prompt_signWarning')} />
      <FormError error={answer.error} />
    </PromptFrame>
  );
}
