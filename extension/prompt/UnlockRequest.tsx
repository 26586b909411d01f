import type { ApprovalRequest } from '../../src/webln/approval.ts';
import { call } from '../ui/client.ts';
import { PasswordForm } from '../ui/components.tsx';
import { originParts } from '../ui/origin.ts';
import { useT } from '../ui/i18n.ts';
import { Answers, EmbeddedNotice, PromptFrame, type Answer } from './frame.tsx';

type Unlock = Extract<ApprovalRequest, { kind: 'unlock' }>;

/** The site called WebLN while Satnav was locked: unlock here, and the site's call goes on. */
export function UnlockRequest({ request, answer }: { request: Unlock; answer: Answer }) {
  const { origin } = request;
  const t = useT();
  return (
    <PromptFrame
      kind="unlock"
      title={t('prompt_titleUnlock')}
      origin={origin}
      footer={<Answers answer={{ ...answer, armed: true }} approveTestId="prompt-unlock-submit" approveLabel={t('unlock_submit')} form="prompt-unlock-form" focusReject={false} />}
    >
      <EmbeddedNotice embeddedIn={request.embeddedIn} paying={false} />
      <p className="lead">{t('prompt_unlockText', { site: originParts(origin).host })}</p>
      <PasswordForm
        id="prompt-unlock-form"
        testId="prompt-unlock-password"
        label={t('unlock_label')}
        error={answer.error}
        // Typing the password is the approval; Enter here is as deliberate as the button.
        onPassword={(password) =>
          answer.submit(async () => {
            await call({ type: 'vault.unlock', password });
            return { approved: true };
          })
        }
      />
    </PromptFrame>
  );
}
