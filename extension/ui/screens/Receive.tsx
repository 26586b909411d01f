import encodeQR from 'qr';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { ReceivedInvoice, ReceiveStatus } from '../../../src/messages/ui-api.ts';
import { call } from '../client.ts';
import { Button, Field, FormError, Segmented, Shell, numericText } from '../components.tsx';
import { formatAsset, formatDateTime, formatSats } from '../format.ts';
import { useLocale, useT } from '../i18n.ts';
import { go, visit } from '../route.ts';
import { useAction } from '../use-action.ts';
import './send-receive.css';

type Unit = 'sat' | 'usd';
const POLL_MS = 2_000;
/** The worker's limit (payments/receive.ts): 150 characters fit BOLT #11's 639 bytes in any script. */
const NOTE_MAX = 150;

/** Receive: an amount (sat or dollars) and a note → an invoice as a QR code, its text and expiry, marked paid once it is. */
export function Receive() {
  const t = useT();
  const [invoice, setInvoice] = useState<ReceivedInvoice>();
  return (
    <Shell testId="receive-screen" title={t('receive_title')} onBack={() => go('home')}>
      {invoice ? <Invoice invoice={invoice} /> : <AmountForm onCreated={setInvoice} />}
    </Shell>
  );
}

function AmountForm({ onCreated }: { onCreated: (i: ReceivedInvoice) => void }) {
  const t = useT();
  const [unit, setUnit] = useState<Unit>('sat');
  const [amount, setAmount] = useState('');
  const [note, setNote] = useState('');
  const typed = receiveAmount(unit, amount);
  const create = useAction(() => call({ type: 'receive.create', amount: typed!, note: note.trim() }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!typed) return;
    const created = await create.run();
    if (created) onCreated(created);
  };
  return (
    <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
      <Segmented<Unit>
        label={t('receive_unit')}
        testId="receive-unit"
        value={unit}
        onChange={(u) => {
          setUnit(u);
          setAmount('');
        }}
        choices={[
          { value: 'sat', label: t('receive_unitSat'), testId: 'receive-unit-sat' },
          { value: 'usd', label: t('home_payDollars'), testId: 'receive-unit-usd' },
        ]}
      />
      <Field
        testId="receive-amount"
        label={t('receive_amount')}
        hint={unit === 'usd' ? t('receive_usdHint') : undefined}
        unit={unit === 'sat' ? 'sat' : '$'}
        autoFocus
        {...numericText(unit === 'sat' ? 'numeric' : 'decimal')}
        value={amount}
        onChange={(e) => setAmount(e.target.value)}
      />
      <Field testId="receive-note" label={t('receive_note')} maxLength={NOTE_MAX} value={note} onChange={(e) => setNote(e.target.value)} />
      <FormError error={create.error} testId="receive-error" />
      <Button testId="receive-create" type="submit" busy={create.busy} disabled={!typed}>
        {t('receive_create')}
      </Button>
    </form>
  );
}

export function Invoice({ invoice }: { invoice: ReceivedInvoice }) {
  const t = useT();
  const locale = useLocale();
  const status = useInvoiceStatus(invoice.paymentHash);
  const [copied, setCopied] = useState(false);
  // Upper case: QR's alphanumeric mode makes a smaller code, and wallets read `LIGHTNING:LNBC…` (BOLT #11).
  const qr = useMemo(() => `data:image/svg+xml;utf8,${encodeURIComponent(encodeQR(`lightning:${invoice.paymentRequest}`.toUpperCase(), 'svg', { ecc: 'medium', border: 2 }))}`, [invoice.paymentRequest]);
  const paid = status?.state === 'SETTLED';
  const ended = status?.state === 'CANCELED' || status?.state === 'EXPIRED';
  const copy = async () => {
    await navigator.clipboard.writeText(invoice.paymentRequest);
    setCopied(true);
  };
  return (
    <div className="stack" data-testid="receive-invoice" data-state={status?.state ?? 'OPEN'}>
      <section className="card receive-card">
        <p className="amount-main" data-testid="receive-invoice-amount">
          {invoice.asset ? formatAsset(invoice.asset, locale) : formatSats(invoice.amountSat, locale)}
        </p>
        {invoice.asset && <p className="amount-sub">≈ {formatSats(invoice.amountSat, locale)}</p>}
        <div className={paid ? 'qr qr-paid' : 'qr'}>
          <img src={qr} alt={t('receive_qrAlt')} data-testid="receive-qr" width={220} height={220} />
          {paid && (
            <span className="qr-stamp" data-testid="receive-paid">
              {t('receive_paid')}
            </span>
          )}
        </div>
        {paid ? (
          <p className="status status-succeeded" role="status">
            {t('receive_paidText', { amount: formatSats(status.amountPaidSat, locale) })}
          </p>
        ) : ended ? (
          <p className="status status-failed" role="status" data-testid="receive-ended">
            {status.state === 'EXPIRED' ? t('receive_expired') : t('receive_canceled')}
          </p>
        ) : (
          <p className="hint" role="status" data-testid="receive-waiting">
            {t('receive_waiting', { time: formatDateTime(invoice.expiresAt * 1000, locale) })}
          </p>
        )}
      </section>
      <p className="invoice-text mono" data-testid="receive-invoice-text">
        {invoice.paymentRequest}
      </p>
      <div className="row">
        <Button testId="receive-copy" variant="secondary" onClick={() => void copy()}>
          {copied ? t('receive_copied') : t('receive_copy')}
        </Button>
        <Button testId="receive-activity" variant="ghost" onClick={() => visit('activity')}>
          {t('activity_title')}
        </Button>
      </div>
    </div>
  );
}

/** The invoice's state from the worker (which asks the node), until it is final. */
function useInvoiceStatus(paymentHash: string): ReceiveStatus | undefined {
  const [status, setStatus] = useState<ReceiveStatus>();
  const final = status !== undefined && status.state !== 'OPEN' && status.state !== 'ACCEPTED';
  useEffect(() => {
    if (final) return;
    let live = true;
    const poll = () =>
      call({ type: 'receive.status', paymentHash }).then(
        (s) => live && setStatus(s),
        // A missed poll (node slow, worker restarting) is retried on the next tick.
        () => undefined,
      );
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [paymentHash, final]);
  return status;
}

/** What the form asks the worker for, or undefined while the amount is not one. */
export function receiveAmount(unit: Unit, typed: string): { sat: number } | { usd: string } | undefined {
  const text = typed.trim();
  if (unit === 'sat') return /^\d{1,16}$/.test(text) && Number(text) > 0 ? { sat: Number(text) } : undefined;
  // A decimal comma is read as a point: "12,50" in de/fr.
  const usd = text.replace(',', '.');
  return /^\d{1,9}(\.\d{1,6})?$/.test(usd) && Number(usd) > 0 ? { usd } : undefined;
}
