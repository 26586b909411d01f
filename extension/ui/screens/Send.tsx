import { useState, type FormEvent } from 'react';
import type { SendPreview, SendResult } from '../../../src/messages/ui-api.ts';
import { call } from '../client.ts';
import { Button, Field, FormError, SatsField, PayInSwitch, Shell, TextAreaField, verbatimText } from '../components.tsx';
import { formatDateTime, formatSats } from '../format.ts';
import { useLocale, useT } from '../i18n.ts';
import { useGlobalPayIn } from '../pay-in.ts';
import type { PayIn } from '../../../src/policy/index.ts';
import { go, visit } from '../route.ts';
import { useAction } from '../use-action.ts';
import './send-receive.css';

/**
 * Send: paste a code → what it is (payee, description, amount or the service's range) → the
 * amount where the code lets the person choose, BTC or dollars for this payment → pay → the result.
 */
export function Send() {
  const t = useT();
  const [text, setText] = useState('');
  const [shown, setShown] = useState<{ text: string; preview: SendPreview }>();
  const [result, setResult] = useState<SendResult>();
  const check = useAction((code: string) => call({ type: 'send.preview', text: code }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const preview = await check.run(text);
    if (preview) setShown({ text, preview });
  };
  const back = () => (result || !shown ? go('home') : setShown(undefined));
  return (
    <Shell testId="send-screen" title={t('send_title')} onBack={back}>
      {result ? (
        <Result result={result} />
      ) : shown ? (
        <Confirm text={shown.text} preview={shown.preview} onPaid={setResult} />
      ) : (
        <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
          <TextAreaField
            testId="send-input"
            label={t('send_inputLabel')}
            hint={t('send_inputHint')}
            rows={4}
            autoFocus
            {...verbatimText}
            placeholder="lnbc… / lnurl… / name@example.com"
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
          <FormError error={check.error} testId="send-error" />
          <Button testId="send-continue" type="submit" busy={check.busy} disabled={text.trim() === ''}>
            {t('common_continue')}
          </Button>
        </form>
      )}
    </Shell>
  );
}

export function Confirm({ text, preview, onPaid }: { text: string; preview: SendPreview; onPaid: (r: SendResult) => void }) {
  const t = useT();
  const locale = useLocale();
  const global = useGlobalPayIn().payIn;
  // The person's global choice until they pick one for this payment.
  const [picked, setPayIn] = useState<PayIn>();
  const payIn = picked ?? global ?? 'btc';
  const chooses = preview.kind === 'lnurlPay';
  const [amount, setAmount] = useState(chooses && preview.minSat === preview.maxSat ? String(preview.minSat) : '');
  const [comment, setComment] = useState('');
  // The service's range is shown beside the field; pay waits for an amount inside it.
  const amountSat = chooses ? chosenSat(amount, preview.minSat, preview.maxSat) : undefined;
  const pay = useAction(() =>
    call({
      type: 'send.pay',
      text,
      payIn,
      ...(amountSat !== undefined && { amountSat }),
      ...(comment.trim() !== '' && { comment: comment.trim() }),
    }),
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await pay.run();
    if (r) onPaid(r);
  };
  return (
    <form className="stack" onSubmit={(e) => void submit(e)} noValidate data-testid="send-confirm" data-kind={preview.kind}>
      <section className="card send-what">
        {preview.kind === 'invoice' ? (
          <>
            <h2 className="card-label">{t('send_kindInvoice')}</h2>
            <p className="amount-main" data-testid="send-amount">
              {formatSats(preview.amountSat, locale)}
            </p>
            {preview.description && (
              <p className="send-description" data-testid="send-description">
                {preview.description}
              </p>
            )}
            <dl className="details">
              <div>
                <dt>{t('send_payee')}</dt>
                <dd className="mono key-text" data-testid="send-payee">
                  {preview.payee}
                </dd>
              </div>
              <div>
                <dt>{t('send_expires')}</dt>
                <dd>{formatDateTime(preview.expiresAt * 1000, locale)}</dd>
              </div>
            </dl>
          </>
        ) : (
          <>
            <h2 className="card-label">{preview.address ? t('send_kindAddress') : t('send_kindLnurl')}</h2>
            <p className="send-payee-name" data-testid="send-payee">
              {preview.address ?? preview.domain}
            </p>
            <p className="send-description" data-testid="send-description">
              {preview.description}
            </p>
            {preview.longDescription && <p className="hint">{preview.longDescription}</p>}
            <p className="hint" data-testid="send-range">
              {t('send_range', { min: formatSats(preview.minSat, locale), max: formatSats(preview.maxSat, locale) })}
            </p>
          </>
        )}
      </section>
      {preview.kind === 'lnurlPay' && (
        <>
          <SatsField testId="send-amount-input" label={t('send_amountLabel')} autoFocus value={amount} onChange={(e) => setAmount(e.target.value)} />
          {preview.commentAllowed > 0 && (
            <Field
              testId="send-comment"
              label={t('send_commentLabel')}
              hint={t('send_commentHint', { max: String(preview.commentAllowed) })}
              maxLength={preview.commentAllowed}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
            />
          )}
        </>
      )}
      <PayInSwitch testId="send-pay-in" choiceTestId="send-pay-in" value={payIn} onChange={setPayIn} />
      <FormError error={pay.error} testId="send-error" />
      <Button testId="send-pay" type="submit" busy={pay.busy} disabled={chooses && amountSat === undefined}>
        {t('send_pay')}
      </Button>
    </form>
  );
}

export function Result({ result }: { result: SendResult }) {
  const t = useT();
  const locale = useLocale();
  const action = result.successAction;
  return (
    <div className="stack" data-testid="send-result" data-status={result.status}>
      <section className={`card send-result send-result-${result.status.toLowerCase()}`}>
        <h2 className="card-label">
          {result.status === 'SUCCEEDED' ? t('send_paid') : result.status === 'FAILED' ? t('send_failed') : t('send_inFlight')}
        </h2>
        <p className="amount-main" data-testid="send-result-amount">
          {formatSats(result.amountSat, locale)}
        </p>
        {result.status === 'SUCCEEDED' && <p className="amount-sub">{t('send_fee', { fee: formatSats(result.feeSat, locale) })}</p>}
        {result.status === 'FAILED' && (
          <p className="text-danger" data-testid="send-failure">
            {t('send_failedReason', { reason: result.failureReason ?? '?' })}
          </p>
        )}
        {result.status === 'IN_FLIGHT' && <p className="hint">{t('send_inFlightHint')}</p>}
      </section>
      {action && (
        <div className="notice notice-soft" data-testid="send-success-action">
          {action.tag === 'url' ? (
            <p>
              {action.description}{' '}
              <a href={action.url} target="_blank" rel="noopener noreferrer">
                {action.url}
              </a>
            </p>
          ) : (
            <p>{action.message}</p>
          )}
        </div>
      )}
      <div className="row">
        <Button testId="send-activity" variant="secondary" onClick={() => visit('activity')}>
          {t('activity_title')}
        </Button>
        <Button testId="send-done" onClick={() => go('home')}>
          {t('send_done')}
        </Button>
      </div>
    </div>
  );
}

/** The typed amount when it is whole sat inside the range, else undefined. */
export function chosenSat(typed: string, minSat: number, maxSat: number): number | undefined {
  const text = typed.trim();
  if (!/^\d{1,16}$/.test(text)) return undefined;
  const sat = Number(text);
  return sat >= minSat && sat <= maxSat ? sat : undefined;
}
