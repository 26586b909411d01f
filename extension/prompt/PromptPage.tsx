import { useEffect, useState } from 'react';
import type { UiResponses } from '../../src/messages/ui-api.ts';
import type { ApprovalDecision } from '../../src/webln/approval.ts';
import { call } from '../ui/client.ts';
import { Button, FormError, Shell, Spinner } from '../ui/components.tsx';
import { errorCode } from '../ui/error-text.ts';
import { useT } from '../ui/i18n.ts';
import { useAction } from '../ui/use-action.ts';
import { EnableRequest } from './EnableRequest.tsx';
import { LnurlAuthRequest } from './LnurlAuthRequest.tsx';
import { LnurlPayRequest } from './LnurlPayRequest.tsx';
import { LnurlWithdrawRequest } from './LnurlWithdrawRequest.tsx';
import { PaymentRequest } from './PaymentRequest.tsx';
import { SignRequest } from './SignRequest.tsx';
import { UnlockRequest } from './UnlockRequest.tsx';
import type { Answer } from './frame.tsx';

type Approval = UiResponses['approval.get'];
type Load = { state: 'loading' } | { state: 'gone' } | { state: 'failed'; error: unknown } | { state: 'ready'; approval: Approval };

/** How long approve stays disabled after the question shows: longer than a double-click, shorter than reading. */
const ARM_MS = 600;

/**
 * The window the worker opens for one question (`?id=`). Escape rejects; every
 * answer goes back with `approval.decide` and the window closes. A question
 * that is no longer waiting (answered, timed out, its page gone) says so.
 */
export function PromptPage({ requestId }: { requestId: string | null }) {
  const [load, setLoad] = useState<Load>(requestId ? { state: 'loading' } : { state: 'gone' });
  const [attempt, setAttempt] = useState(0);
  const armed = useArmed(load.state === 'ready');
  const answer = useAction(
    async (decide: () => Promise<ApprovalDecision>) => {
      const decision = await decide();
      await call({ type: 'approval.decide', id: requestId ?? '', decision });
      window.close();
    },
    (e) => {
      if (errorCode(e) !== 'APPROVAL_UNKNOWN') return false;
      setLoad({ state: 'gone' });
      return true;
    },
  );

  useEffect(() => {
    if (!requestId) return;
    setLoad({ state: 'loading' });
    call({ type: 'approval.get', id: requestId }).then(
      (approval) => setLoad({ state: 'ready', approval }),
      (error: unknown) => setLoad(errorCode(error) === 'APPROVAL_UNKNOWN' ? { state: 'gone' } : { state: 'failed', error }),
    );
  }, [requestId, attempt]);

  const reject = () => void answer.run(async () => ({ approved: false }));
  const ready = load.state === 'ready';
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.isComposing) return;
      e.preventDefault();
      if (!ready) window.close();
      else if (!answer.busy) reject();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  switch (load.state) {
    case 'loading':
      return <Loading />;
    case 'gone':
      return <Gone requestId={requestId} />;
    case 'failed':
      return <Failed error={load.error} retry={() => setAttempt((n) => n + 1)} />;
    case 'ready':
      break;
  }
  const props: Answer = { submit: (decide) => void answer.run(decide), reject, busy: answer.busy, error: answer.error, armed };
  const { request } = load.approval;
  switch (request.kind) {
    case 'unlock':
      return <UnlockRequest request={request} answer={props} />;
    case 'enable':
      return <EnableRequest request={request} answer={props} />;
    case 'payment':
      return <PaymentRequest request={request} answer={props} />;
    case 'signMessage':
      return <SignRequest request={request} answer={props} />;
    case 'lnurlPay':
      return <LnurlPayRequest request={request} answer={props} />;
    case 'lnurlWithdraw':
      return <LnurlWithdrawRequest request={request} answer={props} />;
    case 'lnurlAuth':
      return <LnurlAuthRequest request={request} answer={props} />;
  }
}

/** False until `ARM_MS` after `ready` turns true. */
function useArmed(ready: boolean): boolean {
  const [armed, setArmed] = useState(false);
  useEffect(() => {
    if (!ready) return;
    const timer = setTimeout(() => setArmed(true), ARM_MS);
    return () => clearTimeout(timer);
  }, [ready]);
  return armed;
}

function Loading() {
  const t = useT();
  return (
    <Shell testId="prompt-screen" title={t('appName')}>
      <Spinner label={t('common_loading')} />
    </Shell>
  );
}

function Gone({ requestId }: { requestId: string | null }) {
  const t = useT();
  return (
    <Shell testId="prompt-screen" title={t('appName')}>
      <div className="empty" data-testid="prompt-empty" data-request-id={requestId ?? undefined}>
        <h2>{t('prompt_emptyTitle')}</h2>
        <p className="muted">{t('prompt_emptyText')}</p>
      </div>
      <Button testId="prompt-close" variant="secondary" autoFocus onClick={() => window.close()}>
        {t('common_close')}
      </Button>
    </Shell>
  );
}

/** The worker did not hand over the question (it may be waking up): try again, or give up. */
function Failed({ error, retry }: { error: unknown; retry: () => void }) {
  const t = useT();
  return (
    <Shell testId="prompt-screen" title={t('appName')}>
      <FormError error={error} />
      <div className="row">
        <Button testId="prompt-close" variant="secondary" autoFocus onClick={() => window.close()}>
          {t('common_close')}
        </Button>
        <Button testId="prompt-retry" onClick={retry}>
          {t('common_retry')}
        </Button>
      </div>
    </Shell>
  );
}
