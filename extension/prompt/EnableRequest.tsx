import { useEffect, useState } from 'react';
import type { Limits } from '../../src/messages/ui-api.ts';
import type { ApprovalRequest } from '../../src/webln/approval.ts';
import type { Period } from '../../src/policy/index.ts';
import { call } from '../ui/client.ts';
import { AmountField, CheckField, FormError, SelectField } from '../ui/components.tsx';
import { formError, type ErrorLike } from '../ui/error-text.ts';
import { formatAmount } from '../ui/format.ts';
import { amountFrom, type AmountDraft } from '../ui/forms.ts';
import { useLocale, useT } from '../ui/i18n.ts';
import { periodChoices } from '../ui/labels.ts';
import { originParts } from '../ui/origin.ts';
import { Answers, EmbeddedNotice, PromptFrame, type Answer } from './frame.tsx';

const DEFAULT_ALLOWANCE: AmountDraft = { text: '1000', unit: 'sat' };

type Enable = Extract<ApprovalRequest, { kind: 'enable' }>;

/**
 * WebLN enable(): what the site may do once connected, and how much it may
 * spend without asking. Asked for a 402 wall (`via: 'paywall'`), it first says
 * so: the site's content is behind a payment wall that Satnav will pay within
 * that allowance.
 */
export function EnableRequest({ request, answer }: { request: Enable; answer: Answer }) {
  const { origin, via } = request;
  const t = useT();
  const locale = useLocale();
  const [allowance, setAllowance] = useState(DEFAULT_ALLOWANCE);
  const [period, setPeriod] = useState<Period>('day');
  const [allowBalance, setAllowBalance] = useState(false);
  // Off unless asked for: the key is one lasting id across every site, tied to the public graph,
  // and few sites need it (keysend back to the payer is rare).
  const [sharePubkey, setSharePubkey] = useState(false);
  const [remember, setRemember] = useState(true);
  const [invalid, setInvalid] = useState<ErrorLike>();
  const global = useGlobalLimits();
  const paywall = via === 'paywall';
  const host = originParts(origin).host;

  const approve = () => {
    const amount = amountFrom(allowance);
    if (amount === undefined) return setInvalid(formError('AMOUNT_INVALID', { field: t('prompt_allowance') }));
    setInvalid(undefined);
    answer.submit(async () => ({ approved: true, allowance: amount, period, allowBalance, sharePubkey, remember }));
  };

  return (
    <PromptFrame
      kind="enable"
      title={paywall ? t('prompt_titleEnablePaywall') : t('prompt_titleEnable')}
      origin={origin}
      footer={<Answers answer={answer} approveTestId="prompt-approve" approveLabel={t('prompt_connect')} onApprove={approve} />}
    >
      <EmbeddedNotice embeddedIn={request.embeddedIn} paying={false} />
      <div className="stack-tight">
        {paywall ? (
          <>
            <p className="lead" data-testid="prompt-paywall-text">
              {t('prompt_enablePaywallText', { site: host })}
            </p>
            <p>{t('prompt_enablePaywallAlso')}</p>
          </>
        ) : (
          <p className="lead">{t('prompt_enableText', { site: host })}</p>
        )}
        <ul className="grants">
          <li data-testid="prompt-can-info">{sharePubkey ? t('prompt_canInfo') : t('prompt_canInfoName')}</li>
          <li>{t('prompt_canAsk')}</li>
          <li>{t('prompt_canAutoPay')}</li>
        </ul>
        <p className="hint">{t('prompt_cannot')}</p>
      </div>
      <div className="allowance-row">
        <AmountField testId="prompt-allowance" label={t('prompt_allowance')} draft={allowance} onDraft={setAllowance} />
        <SelectField
          testId="prompt-period"
          label={t('limits_period')}
          value={period}
          onValue={(v) => setPeriod(v as Period)}
          options={periodChoices(t)}
        />
      </div>
      {global && (
        <p className="hint" data-testid="prompt-allowance-hint">
          {t('prompt_allowanceHint', { auto: formatAmount(global.autoApprove, locale), cap: formatAmount(global.dailyCap, locale) })}
        </p>
      )}
      <div className="checks">
        <CheckField testId="prompt-allow-balance" label={t('limits_balance')} checked={allowBalance} onChange={(e) => setAllowBalance(e.target.checked)} />
        <CheckField
          testId="prompt-share-pubkey"
          label={t('prompt_sharePubkey')}
          hint={t('prompt_sharePubkeyHint')}
          checked={sharePubkey}
          onChange={(e) => setSharePubkey(e.target.checked)}
        />
        <CheckField testId="prompt-remember" label={t('prompt_remember')} checked={remember} onChange={(e) => setRemember(e.target.checked)} />
      </div>
      <FormError error={invalid ?? answer.error} />
    </PromptFrame>
  );
}

/** The global limits, to say what the allowance sits within; the question stands without them. */
function useGlobalLimits(): Limits['global'] | undefined {
  const [global, setGlobal] = useState<Limits['global']>();
  useEffect(() => {
    call({ type: 'limits.get' }).then(
      (limits) => setGlobal(limits.global),
      () => undefined,
    );
  }, []);
  return global;
}
