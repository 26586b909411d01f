import { useState } from 'react';
import type { ApprovalRequest } from '../../src/webln/approval.ts';
import { CheckField, FormError } from '../ui/components.tsx';
import { shortenMiddle } from '../ui/format.ts';
import { useT, type Translate } from '../ui/i18n.ts';
import { Answers, EmbeddedNotice, PromptFrame, type Answer } from './frame.tsx';
import { elsewhereThan, ServiceCard } from './lnurl.tsx';
import { isLoginForAskingSite } from './login-site.ts';

type LnurlAuth = Extract<ApprovalRequest, { kind: 'lnurlAuth' }>;
type Action = NonNullable<LnurlAuth['action']>;

/**
 * LUD-04: sign in with a key that only this domain ever sees (LUD-05); nothing is paid. A login
 * for another site than the asking page's needs its own tick first (see login-site.ts).
 */
export function LnurlAuthRequest({ request, answer }: { request: LnurlAuth; answer: Answer }) {
  const t = useT();
  // LUD-04 makes `action` optional; a plain login is what a missing one means.
  const action = request.action ?? 'login';
  const words = actionWords(action, request.domain, t);
  const elsewhere = elsewhereThan(request.origin, request.domain);
  const warning = elsewhere && t('prompt_lnurlOtherAuth', { domain: request.domain, site: elsewhere });
  const otherSite = warning !== undefined && !isLoginForAskingSite(request.origin, request.domain);
  const [meant, setMeant] = useState(false);
  const approve = () => {
    if (!otherSite || meant) answer.submit(async () => ({ approved: true }));
  };
  return (
    <PromptFrame
      kind="lnurlAuth"
      title={words.title}
      origin={request.origin}
      footer={<Answers answer={answer} approveTestId="prompt-approve" approveLabel={words.approve} approveDisabled={otherSite && !meant} onApprove={approve} />}
    >
      <EmbeddedNotice embeddedIn={request.embeddedIn} paying={false} />
      <ServiceCard
        label={t('prompt_lnurlService')}
        domain={request.domain}
        elsewhere={warning}
        tone="warning"
        // Another site's login: the warning is what the person ticks, so it can't go unread.
        confirm={otherSite ? <CheckField testId="prompt-lnurl-other-site" label={warning} checked={meant} onChange={(e) => setMeant(e.target.checked)} /> : undefined}
      />
      <div className="stack-tight" data-testid="prompt-lnurl-action" data-action={action}>
        <p className="lead">{t('prompt_authKeyText', { domain: request.domain })}</p>
        <p className="hint">{t('prompt_authNothingPaid')}</p>
      </div>
      <details className="more" data-testid="prompt-lnurl-key">
        <summary>{t('prompt_authKey')}</summary>
        <p className="mono key-text" title={request.linkingPubkey} data-testid="prompt-lnurl-pubkey" data-pubkey={request.linkingPubkey}>
          {shortenMiddle(request.linkingPubkey, 12)}
        </p>
      </details>
      <FormError error={answer.error} />
    </PromptFrame>
  );
}

function actionWords(action: Action, domain: string, t: Translate): { title: string; approve: string } {
  switch (action) {
    case 'register':
      return { title: t('prompt_titleAuthRegister', { domain }), approve: t('prompt_authRegister') };
    case 'link':
      return { title: t('prompt_titleAuthLink', { domain }), approve: t('prompt_authLink') };
    case 'auth':
      return { title: t('prompt_titleAuthAction', { domain }), approve: t('prompt_authAction') };
    case 'login':
      return { title: t('prompt_titleAuthLogin', { domain }), approve: t('prompt_authLogin') };
  }
}
