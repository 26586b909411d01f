import type { ReactNode } from 'react';
import type { ApprovalDecision } from '../../src/webln/approval.ts';
import { Button, OriginName, Shell } from '../ui/components.tsx';
import { useT, type Translate } from '../ui/i18n.ts';
import { WarningIcon } from '../ui/icons.tsx';
import { originParts } from '../ui/origin.ts';
import { faviconUrl } from '../platform.ts';

/** What every kind of question gets from the page: how to answer, and the state of the answer. */
export interface Answer {
  /** Runs `decide` (which may do more first, e.g. unlock), then sends its decision and closes the window. */
  submit: (decide: () => Promise<ApprovalDecision>) => void;
  reject: () => void;
  busy: boolean;
  error: unknown;
  /** False for a moment after the question appears, so a click meant for the page can't land on "approve". */
  armed: boolean;
}

/**
 * One question in the prompt window: the asking site first (the browser's
 * origin, never anything the page wrote), then what it asks, then the answers.
 */
export function PromptFrame(props: { kind: string; title: string; origin: string; children: ReactNode; footer: ReactNode }) {
  const t = useT();
  // The wallet's own screens (Send) ask too: that is the person, not a website.
  if (props.origin === globalThis.location?.origin)
    return (
      <Shell testId="prompt-screen" title={props.title} footer={props.footer}>
        <div className="prompt" data-kind={props.kind}>
          <div className="site-card" data-secure>
            <span className="site-card-label" data-testid="prompt-origin-own">{t('prompt_ownPayment')}</span>
          </div>
          {props.children}
        </div>
      </Shell>
    );
  const { secure } = originParts(props.origin);
  const icon = faviconUrl(props.origin);
  return (
    <Shell testId="prompt-screen" title={props.title} footer={props.footer}>
      <div className="prompt" data-kind={props.kind}>
        <div className="site-card" data-secure={secure}>
          <span className="site-card-label">{t('prompt_site')}</span>
          <div className="site-card-name">
            {icon !== undefined && <img className="site-icon" src={icon} alt="" width={24} height={24} data-testid="prompt-icon" />}
            <OriginName origin={props.origin} testId="prompt-origin" className="origin-big" />
          </div>
          {!secure && (
            <p className="site-card-warning">
              <WarningIcon />
              {t('prompt_notSecureHint')}
            </p>
          )}
        </div>
        {props.children}
      </div>
    </Shell>
  );
}

/**
 * Said when the asking frame sits inside another origin's page (an ad, a widget): the site named
 * above is not the page the person is looking at. `paying`: in a payment's words.
 */
export function EmbeddedNotice({ embeddedIn, paying }: { embeddedIn: string | null | undefined; paying: boolean }) {
  const t = useT();
  if (embeddedIn === undefined) return null;
  return (
    <div className="notice notice-warning" role="alert" data-testid="prompt-embedded">
      <p>{embeddedText(embeddedIn, paying, t)}</p>
    </div>
  );
}

function embeddedText(embeddedIn: string | null, paying: boolean, t: Translate): string {
  if (embeddedIn === null) return paying ? t('prompt_embeddedUnknown') : t('prompt_embeddedUnknownAsk');
  const host = new URL(embeddedIn).host;
  return paying ? t('prompt_embeddedIn', { host }) : t('prompt_embeddedInAsk', { host });
}

/** Reject first: it takes the focus, so Enter or Space on a window that just popped up never approves. */
export function Answers(props: {
  answer: Answer;
  approveTestId: string;
  approveLabel: string;
  /** Approve by submitting this form (its fields checked first), or by `onApprove`. */
  form?: string;
  onApprove?: () => void;
  approveDisabled?: boolean;
  focusReject?: boolean;
}) {
  const t = useT();
  const { answer } = props;
  return (
    <div className="row">
      <Button testId="prompt-reject" variant="secondary" autoFocus={props.focusReject ?? true} disabled={answer.busy} onClick={answer.reject}>
        {t('prompt_reject')}
      </Button>
      <Button
        testId={props.approveTestId}
        type={props.form ? 'submit' : 'button'}
        form={props.form}
        onClick={props.onApprove}
        busy={answer.busy}
        disabled={!answer.armed || props.approveDisabled}
      >
        {props.approveLabel}
      </Button>
    </div>
  );
}
