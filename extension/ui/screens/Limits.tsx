import { useEffect, useState, type ReactNode } from 'react';
import type { Limits as LimitsView } from '../../../src/messages/ui-api.ts';
import { valueOf, type Amount, type GlobalPolicy, type PayIn, type Period, type SitePolicyPatch, type SiteView } from '../../../src/policy/index.ts';
import { call } from '../client.ts';
import { AmountField, Button, CheckField, Field, FormError, numericText, OriginName, SatsField, Section, SelectField, Shell, Spinner, UsageBar } from '../components.tsx';
import { formError, type ErrorLike } from '../error-text.ts';
import { formatAmount, formatDuration, formatInteger, formatRelativeTime, formatSats } from '../format.ts';
import {
  amountDraftOf,
  amountFrom,
  BLOCK_SECONDS,
  CLTV_RANGE,
  depositDraftOf,
  depositLimitsFrom,
  HOLD_SECONDS_RANGE,
  parseSats,
  parseWhole,
  percentToPpm,
  ppmToPercent,
  type AmountDraft,
  type DepositDraft,
} from '../forms.ts';
import { useLocale, useT, type Translate } from '../i18n.ts';
import { periodChoices } from '../labels.ts';
import { goBack, visit } from '../route.ts';
import { useAction } from '../use-action.ts';
import { usePolled } from '../use-polling.ts';
import { LockedBar } from './Deposits.tsx';

/** Where the last change was made, so its error and "saved" note show beside it: 'global', 'paywall', 'deposits' or a site's origin. */
type Place = string;
const GLOBAL: Place = 'global';
const PAYWALL: Place = 'paywall';
const DEPOSITS: Place = 'deposits';
const REFRESH_MS = 10_000;

/**
 * The spending limits: the global ones and one card per site. Every change is
 * sent at once and the worker answers with the new limits, which replace the
 * shown ones (so what is shown is always what is stored).
 */
export function Limits() {
  const t = useT();
  // Usage moves while payments happen; the drafts being typed are kept (see GlobalLimits, SiteCard).
  const { value: limits, loadError, change } = usePolled(loadLimits, REFRESH_MS);
  const [place, setPlace] = useState<Place>();
  const [saved, setSaved] = useState<Place>();
  const action = useAction(async (work: () => Promise<LimitsView>) => {
    await change(work);
    return true;
  });

  const editor: Editor = {
    change: async (at, work, announce = false) => {
      setPlace(at);
      setSaved(undefined);
      const ok = await action.run(work);
      if (ok && announce) setSaved(at);
      return ok === true;
    },
    reject: (at, error) => {
      setPlace(at);
      setSaved(undefined);
      action.setError(error);
    },
    errorAt: (at) => (place === at ? action.error : undefined),
    busyAt: (at) => place === at && action.busy,
    savedAt: (at) => saved === at,
  };

  return (
    <Shell testId="limits-screen" title={t('limits_title')} onBack={goBack} wide>
      <FormError error={loadError} testId="limits-error" />
      {!limits && loadError === undefined && <Spinner label={t('common_loading')} />}
      {limits && (
        <div className="limits-layout">
          <div className="stack">
            <GlobalLimits limits={limits} editor={editor} />
            <PaywallLimits global={limits.global} editor={editor} />
            <DepositLimits limits={limits} editor={editor} />
          </div>
          <section className="stack" aria-labelledby="sites-title">
            <h2 className="list-title" id="sites-title">
              {t('limits_sites')}
            </h2>
            {limits.sites.length === 0 ? (
              <div className="empty empty-card" data-testid="limits-sites-empty">
                <h2>{t('limits_noSites')}</h2>
                <p className="muted">{t('limits_noSitesText')}</p>
              </div>
            ) : (
              <div className="site-list">
                {limits.sites.map((site) => (
                  <SiteCard key={site.origin} site={site} editor={editor} />
                ))}
              </div>
            )}
          </section>
        </div>
      )}
    </Shell>
  );
}

const loadLimits = () => call({ type: 'limits.get' });

export interface Editor {
  /** Send a change; `announce` shows "Saved" beside it afterwards (for explicit saves, not switches). */
  change: (at: Place, work: () => Promise<LimitsView>, announce?: boolean) => Promise<boolean>;
  /** Show a form check's error without calling the worker. */
  reject: (at: Place, error: ErrorLike) => void;
  errorAt: (at: Place) => unknown;
  busyAt: (at: Place) => boolean;
  savedAt: (at: Place) => boolean;
}

function Saved({ show }: { show: boolean }) {
  const t = useT();
  return (
    <span className="saved" role="status" data-testid={show ? 'limits-saved' : undefined}>
      {show ? t('common_saved') : ''}
    </span>
  );
}

/**
 * A form's typed values. They follow the stored ones when those change (after
 * a save), but not when only a site or the usage changed: that would wipe
 * what is being typed.
 */
function useDraft<D extends Record<string, string>>(stored: D) {
  const [draft, setDraft] = useState(stored);
  const storedKey = JSON.stringify(stored);
  useEffect(() => setDraft(JSON.parse(storedKey) as D), [storedKey]);
  const edit = (field: keyof D) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [field]: e.target.value }));
  const set = (fields: Partial<D>) => setDraft((d) => ({ ...d, ...fields }));
  return { draft, edit, set };
}

/** Fields saved together with one button: the form's own check runs in `onSave`; its error and "Saved" show below. */
function LimitsForm(props: { place: Place; editor: Editor; onSave: () => void; saveTestId: string; saveLabel: string; children: ReactNode }) {
  const { place, editor } = props;
  return (
    <form
      className="stack"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        props.onSave();
      }}
    >
      {props.children}
      <FormError error={editor.errorAt(place)} />
      <div className="save-row">
        <Saved show={editor.savedAt(place)} />
        <Button testId={props.saveTestId} type="submit" busy={editor.busyAt(place)}>
          {props.saveLabel}
        </Button>
      </div>
    </form>
  );
}

/** The global limits as the form shows them: amounts as typed with their unit, ppm as percentages. */
function draftOf(global: GlobalPolicy) {
  const cap = amountDraftOf(global.dailyCap);
  const auto = amountDraftOf(global.autoApprove);
  return {
    cap: cap.text,
    capUnit: cap.unit,
    auto: auto.text,
    autoUnit: auto.unit,
    feeBase: String(global.maxFee.baseSat),
    feePercent: ppmToPercent(global.maxFee.ppm),
    slippagePercent: ppmToPercent(global.maxSlippagePpm),
  };
}

/** A re-quote may move at most this far (the worker's bound, src/policy/config.ts). */
const MAX_SLIPPAGE_PERCENT = 50;

/** Exported for its render test, as is `SiteCard`. */
export function GlobalLimits({ limits, editor }: { limits: LimitsView; editor: Editor }) {
  const t = useT();
  const locale = useLocale();
  const { global, today } = limits;
  const { draft, edit, set } = useDraft(draftOf(global));
  const amountOf = (text: 'cap' | 'auto', unit: 'capUnit' | 'autoUnit') => ({
    draft: { text: draft[text], unit: draft[unit] },
    onDraft: (d: AmountDraft) => set({ [text]: d.text, [unit]: d.unit }),
  });

  const save = () => {
    const invalidAmount = (field: string) => editor.reject(GLOBAL, formError('AMOUNT_INVALID', { field }));
    const dailyCap = amountFrom({ text: draft.cap, unit: draft.capUnit });
    if (dailyCap === undefined) return invalidAmount(t('limits_dailyCap'));
    const autoApprove = amountFrom({ text: draft.auto, unit: draft.autoUnit });
    if (autoApprove === undefined) return invalidAmount(t('limits_autoApprove'));
    const baseSat = parseSats(draft.feeBase);
    if (baseSat === undefined) return invalidAmount(t('limits_feeBase'));
    const ppm = percentToPpm(draft.feePercent);
    if (ppm === undefined) return editor.reject(GLOBAL, formError('FEE_PERCENT_INVALID'));
    const maxSlippagePpm = percentToPpm(draft.slippagePercent);
    if (maxSlippagePpm === undefined || maxSlippagePpm > MAX_SLIPPAGE_PERCENT * 10_000) return editor.reject(GLOBAL, formError('SLIPPAGE_INVALID'));
    const patch = { dailyCap, autoApprove, maxFee: { baseSat, ppm }, maxSlippagePpm };
    void editor.change(GLOBAL, () => call({ type: 'limits.updateGlobal', patch }), true);
  };

  return (
    <Section title={t('limits_global')} testId="limits-global">
      <BudgetBar testId="limit-today" spent={today.spent} held={today.held} total={today.cap} caption={(values) => t('limits_usedDay', values)} />
      <LimitsForm place={GLOBAL} editor={editor} onSave={save} saveTestId="limits-save-global" saveLabel={t('limits_saveGlobal')}>
        <AmountField testId="limit-daily-cap" label={t('limits_dailyCap')} hint={t('limits_dailyCapHint')} {...amountOf('cap', 'capUnit')} />
        <AmountField testId="limit-auto-approve" label={t('limits_autoApprove')} hint={t('limits_autoApproveHint')} {...amountOf('auto', 'autoUnit')} />
        <p className="hint">{t('limits_unitHint')}</p>
        <fieldset className="fee-group">
          <legend>{t('limits_fee')}</legend>
          <div className="fee-inputs">
            <div className="input-unit" data-unit="sat">
              <input data-testid="limit-fee-base" aria-label={t('limits_feeBase')} aria-describedby="fee-hint" {...numericText('numeric')} value={draft.feeBase} onChange={edit('feeBase')} />
            </div>
            <span className="muted">{t('limits_or')}</span>
            <div className="input-unit" data-unit="%">
              <input data-testid="limit-fee-percent" aria-label={t('limits_feePercent')} aria-describedby="fee-hint" {...numericText('decimal')} value={draft.feePercent} onChange={edit('feePercent')} />
            </div>
          </div>
          <p className="hint" id="fee-hint">
            {t('limits_feeHint')}
          </p>
        </fieldset>
        <div className="field">
          <label htmlFor="limit-slippage">{t('limits_slippage')}</label>
          <div className="input-unit" data-unit="%">
            <input id="limit-slippage" data-testid="limit-slippage" aria-describedby="slippage-hint" {...numericText('decimal')} value={draft.slippagePercent} onChange={edit('slippagePercent')} />
          </div>
          <p className="hint" id="slippage-hint">
            {t('limits_slippageHint')}
          </p>
        </div>
      </LimitsForm>
    </Section>
  );
}

type OverBudget = GlobalPolicy['l402']['overBudget'];

/** 402 walls: paid on their own within each site's allowance, and what happens above it. Each change applies at once. */
function PaywallLimits({ global, editor }: { global: GlobalPolicy; editor: Editor }) {
  const t = useT();
  const { l402 } = global;
  const busy = editor.busyAt(PAYWALL);
  // The schema takes the whole l402 object: the other half is sent as stored.
  const update = (change: Partial<GlobalPolicy['l402']>) => void editor.change(PAYWALL, () => call({ type: 'limits.updateGlobal', patch: { l402: { ...l402, ...change } } }));
  const overBudgetChoices: { value: OverBudget; label: string }[] = [
    { value: 'ask', label: t('limits_l402Ask') },
    { value: 'show402', label: t('limits_l402Show402') },
  ];
  return (
    <Section title={t('limits_paywall')} testId="limits-paywall">
      <CheckField
        asSwitch
        testId="limit-l402-auto-pay"
        label={t('limits_l402AutoPay')}
        hint={t('limits_l402AutoPayHint')}
        checked={l402.autoPay}
        disabled={busy}
        onChange={(e) => update({ autoPay: e.target.checked })}
      />
      <div className="stack-tight">
        <SelectField
          testId="limit-l402-over-budget"
          label={t('limits_l402OverBudget')}
          value={l402.overBudget}
          disabled={busy || !l402.autoPay}
          onValue={(v) => update({ overBudget: v as OverBudget })}
          options={overBudgetChoices}
        />
        <p className="hint">{l402.overBudget === 'ask' ? t('limits_l402AskHint') : t('limits_l402Show402Hint')}</p>
      </div>
      <FormError error={editor.errorAt(PAYWALL)} />
      <Button testId="paid-access-button" variant="secondary" onClick={() => visit('paidAccess')}>
        {t('paid_title')}
      </Button>
    </Section>
  );
}

/** Deposit walls: money locked while visiting, not spent. The switch applies at once; the limits are saved together. */
function DepositLimits({ limits, editor }: { limits: LimitsView; editor: Editor }) {
  const t = useT();
  const locale = useLocale();
  const { deposits } = limits.global;
  const { draft, edit } = useDraft(depositDraftOf(deposits));
  const send = (next: GlobalPolicy['deposits'], announce: boolean) => void editor.change(DEPOSITS, () => call({ type: 'limits.updateGlobal', patch: { deposits: next } }), announce);

  const labels: Record<keyof DepositDraft, string> = {
    maxDeposit: t('limits_depositMax'),
    maxForfeit: t('limits_depositMaxForfeit'),
    maxLocked: t('limits_depositMaxLocked'),
    holdHours: t('limits_depositHold'),
    cltv: t('limits_depositCltv'),
  };
  const problems: Record<keyof DepositDraft, (field: string) => ErrorLike> = {
    maxDeposit: (field) => formError('AMOUNT_INVALID', { field }),
    maxForfeit: (field) => formError('AMOUNT_INVALID', { field }),
    maxLocked: (field) => formError('AMOUNT_INVALID', { field }),
    holdHours: (field) => formError('HOURS_INVALID', { field, min: formatDuration(HOLD_SECONDS_RANGE.min, locale), max: formatDuration(HOLD_SECONDS_RANGE.max, locale) }),
    cltv: (field) => formError('BLOCKS_INVALID', { field, min: formatInteger(CLTV_RANGE.min, locale), max: formatInteger(CLTV_RANGE.max, locale) }),
  };
  const save = () => {
    const read = depositLimitsFrom(draft, deposits.autoHold);
    if (!read.ok) return editor.reject(DEPOSITS, problems[read.field](labels[read.field]));
    send(read.limits, true);
  };
  // What the typed time-lock means, or the stored one's while the typed one is not a number of blocks.
  const blocks = parseWhole(draft.cltv) ?? deposits.maxCltv;

  return (
    <Section title={t('limits_deposits')} testId="limits-deposits">
      <LockedBar testId="limit-locked" lockedSat={limits.today.lockedSat} lockLimitSat={limits.today.lockLimitSat} />
      <CheckField
        asSwitch
        testId="limit-deposit-auto-hold"
        label={t('limits_depositAutoHold')}
        hint={t('limits_depositAutoHoldHint')}
        checked={deposits.autoHold}
        disabled={editor.busyAt(DEPOSITS)}
        onChange={(e) => send({ ...deposits, autoHold: e.target.checked }, false)}
      />
      <LimitsForm place={DEPOSITS} editor={editor} onSave={save} saveTestId="limits-save-deposits" saveLabel={t('limits_saveDeposits')}>
        <SatsField testId="limit-deposit-max" label={labels.maxDeposit} value={draft.maxDeposit} onChange={edit('maxDeposit')} />
        <SatsField testId="limit-deposit-max-forfeit" label={labels.maxForfeit} hint={t('limits_depositMaxForfeitHint')} value={draft.maxForfeit} onChange={edit('maxForfeit')} />
        <SatsField testId="limit-deposit-max-locked" label={labels.maxLocked} hint={t('limits_depositMaxLockedHint')} value={draft.maxLocked} onChange={edit('maxLocked')} />
        <Field testId="limit-deposit-hold" label={labels.holdHours} hint={t('limits_depositHoldHint')} {...numericText('decimal')} value={draft.holdHours} onChange={edit('holdHours')} />
        <Field
          testId="limit-deposit-cltv"
          label={labels.cltv}
          hint={t('limits_depositCltvHint', { duration: formatDuration(blocks * BLOCK_SECONDS, locale) })}
          {...numericText('numeric')}
          value={draft.cltv}
          onChange={edit('cltv')}
        />
      </LimitsForm>
      <Button testId="deposits-button" variant="secondary" onClick={() => visit('deposits')}>
        {t('deposits_title')}
      </Button>
    </Section>
  );
}

type UsedValues = { used: string; total: string };

/** A budget's use in its own unit (sats, or dollars from micro-dollars). */
function BudgetBar({ testId, spent, held, total, caption }: { testId: string; spent: Amount; held: Amount; total: Amount; caption: (values: UsedValues) => string }) {
  const locale = useLocale();
  const unit = 'sat' in total ? 'sat' : 'usd';
  const used = valueOf(spent) + valueOf(held);
  const values = { used: formatAmount('sat' in total ? { sat: used } : { microUsd: used }, locale), total: formatAmount(total, locale) };
  return <UsageBar testId={testId} unit={unit} spentSat={valueOf(spent)} heldSat={valueOf(held)} totalSat={valueOf(total)} caption={caption(values)} />;
}

function usedCaption(period: Period, t: Translate): (values: UsedValues) => string {
  switch (period) {
    case 'day':
      return (values) => t('limits_usedDay', values);
    case 'week':
      return (values) => t('limits_usedWeek', values);
    case 'month':
      return (values) => t('limits_usedMonth', values);
  }
}

type PayInChoice = PayIn | 'global';

export function SiteCard({ site, editor }: { site: SiteView; editor: Editor }) {
  const t = useT();
  const locale = useLocale();
  const { origin } = site;
  const stored = JSON.stringify(site.allowance);
  const [allowance, setAllowance] = useState(amountDraftOf(site.allowance));
  const [period, setPeriod] = useState<Period>(site.period);
  const [confirming, setConfirming] = useState(false);
  useEffect(() => setAllowance(amountDraftOf(JSON.parse(stored) as Amount)), [stored]);
  useEffect(() => setPeriod(site.period), [site.period]);

  const update = (patch: SitePolicyPatch, announce = false) => editor.change(origin, () => call({ type: 'limits.updateSite', origin, patch }), announce);
  const saveAllowance = () => {
    const amount = amountFrom(allowance);
    if (amount === undefined) return editor.reject(origin, formError('AMOUNT_INVALID', { field: t('limits_allowance') }));
    void update({ allowance: amount, period }, true);
  };
  const payInChoices: { value: PayInChoice; label: string }[] = [
    { value: 'global', label: t('limits_payInGlobal') },
    { value: 'btc', label: t('limits_payInBtc') },
    { value: 'usd', label: t('limits_payInUsd') },
  ];
  const busy = editor.busyAt(origin);
  const switches: { key: string; label: string; checked: boolean; patch: (on: boolean) => SitePolicyPatch }[] = [
    { key: 'pause', label: t('limits_pause'), checked: site.paused, patch: (paused) => ({ paused }) },
    // Within the allowance above; the global 402 switch (PaywallLimits) turns it off for every site.
    { key: 'l402', label: t('limits_l402Site'), checked: site.l402AutoPay, patch: (l402AutoPay) => ({ l402AutoPay }) },
    // Within the global deposit limits (DepositLimits); a forfeit counts against the allowance above.
    { key: 'deposits', label: t('limits_depositsSite'), checked: site.depositsAllowed, patch: (depositsAllowed) => ({ depositsAllowed }) },
    { key: 'rewards', label: t('limits_rewards'), checked: site.rewardAutoClaim, patch: (rewardAutoClaim) => ({ rewardAutoClaim }) },
    // Balance is shared only when granted explicitly (the worker checks methods.getBalance === true).
    { key: 'balance', label: t('limits_balance'), checked: site.methods?.getBalance === true, patch: (getBalance) => ({ methods: { ...site.methods, getBalance } }) },
  ];

  return (
    <article className="card site" data-testid={`site-row-${origin}`} data-origin={origin} data-paused={site.paused} aria-label={origin}>
      <header className="site-head">
        <OriginName origin={origin} className="origin-inline" />
        {site.paused && <span className="badge badge-warning">{t('limits_paused')}</span>}
        {!site.enabled && <span className="badge">{t('limits_notEnabled')}</span>}
        {site.enabled && !site.remember && <span className="badge">{t('limits_sessionOnly')}</span>}
      </header>
      {site.lastUsedAt !== undefined && <p className="hint">{t('limits_lastUsed', { time: formatRelativeTime(site.lastUsedAt, Date.now(), locale) })}</p>}
      <BudgetBar testId={`site-budget-${origin}`} spent={site.spent} held={site.held} total={site.allowance} caption={usedCaption(site.period, t)} />
      {site.lockedSat > 0 && (
        <p className="hint" data-testid={`site-locked-${origin}`}>
          {t('limits_siteLocked', { amount: formatSats(site.lockedSat, locale) })}
        </p>
      )}
      <form
        className="allowance-row"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          saveAllowance();
        }}
      >
        <AmountField testId={`site-allowance-${origin}`} label={t('limits_allowance')} draft={allowance} onDraft={setAllowance} />
        <SelectField testId={`site-period-${origin}`} label={t('limits_period')} value={period} onValue={(v) => setPeriod(v as Period)} options={periodChoices(t)} />
        <div className="save-row">
          <Saved show={editor.savedAt(origin)} />
          <Button testId={`site-save-${origin}`} type="submit" variant="secondary" busy={busy}>
            {t('common_save')}
          </Button>
        </div>
      </form>
      <SelectField
        testId={`site-pay-in-${origin}`}
        label={t('limits_payIn')}
        value={site.payIn ?? 'global'}
        disabled={busy}
        onValue={(v) => void update({ payIn: v === 'global' ? null : (v as PayIn) })}
        options={payInChoices}
      />
      <div className="switches">
        {switches.map((s) => (
          <CheckField
            key={s.key}
            asSwitch
            testId={`site-${s.key}-${origin}`}
            label={s.label}
            checked={s.checked}
            disabled={busy}
            onChange={(e) => void update(s.patch(e.target.checked))}
          />
        ))}
      </div>
      <FormError error={editor.errorAt(origin)} />
      {confirming ? (
        <div className="notice notice-error confirm" role="group" aria-label={t('limits_revoke')}>
          <p>{t('limits_revokeQuestion', { site: origin })}</p>
          <div className="row">
            <Button testId={`site-revoke-cancel-${origin}`} variant="secondary" autoFocus onClick={() => setConfirming(false)}>
              {t('common_cancel')}
            </Button>
            <Button testId={`site-revoke-confirm-${origin}`} variant="danger" busy={busy} onClick={() => void editor.change(origin, () => call({ type: 'limits.revokeSite', origin }))}>
              {t('limits_revokeConfirm')}
            </Button>
          </div>
        </div>
      ) : (
        <Button testId={`site-revoke-${origin}`} variant="danger" className="revoke" onClick={() => setConfirming(true)}>
          {t('limits_revoke')}
        </Button>
      )}
    </article>
  );
}
