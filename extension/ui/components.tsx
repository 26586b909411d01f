/** The building blocks every screen shares, so the popup, options and prompt pages look and behave alike. */
import {
  useId,
  useRef,
  useState,
  type ButtonHTMLAttributes,
  type FormEvent,
  type InputHTMLAttributes,
  type KeyboardEvent,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from 'react';
import { forfeitTerms } from './deposits.ts';
import { errorText } from './error-text.ts';
import { amountIn, type Unit } from '../../src/policy/amount.ts';
import type { PayIn } from '../../src/policy/index.ts';
import { formatAmount, shareOf } from './format.ts';
import type { AmountDraft } from './forms.ts';
import { useLocale, useT } from './i18n.ts';
import { BackIcon, WarningIcon } from './icons.tsx';
import { originParts } from './origin.ts';

export function Shell(props: {
  testId: string;
  title?: string;
  onBack?: () => void;
  actions?: ReactNode;
  footer?: ReactNode;
  /** Lists and tables that use a full tab's width (the options page). */
  wide?: boolean;
  children: ReactNode;
}) {
  const t = useT();
  return (
    <div className={props.wide ? 'screen screen-wide' : 'screen'} data-testid={props.testId}>
      {props.title !== undefined && (
        <header className="bar">
          {props.onBack ? (
            <IconButton testId="back" label={t('common_back')} onClick={props.onBack}>
              <BackIcon />
            </IconButton>
          ) : (
            <Logo />
          )}
          <h1 className="bar-title">{props.title}</h1>
          {props.actions && <div className="bar-actions">{props.actions}</div>}
        </header>
      )}
      <main className="content">{props.children}</main>
      {props.footer && <footer className="footer">{props.footer}</footer>}
    </div>
  );
}

export function Logo({ size = 28 }: { size?: number }) {
  return <img className="logo" src="/icons/icon.svg" width={size} height={size} alt="" />;
}

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & { testId?: string; variant?: 'primary' | 'secondary' | 'ghost' | 'danger'; busy?: boolean };

export function Button({ testId, variant = 'primary', busy = false, className, disabled, children, type = 'button', ...rest }: ButtonProps) {
  return (
    <button
      {...rest}
      type={type}
      className={['btn', `btn-${variant}`, className].filter(Boolean).join(' ')}
      data-testid={testId}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
    >
      {busy && <span className="spinner" aria-hidden="true" />}
      {children}
    </button>
  );
}

export function IconButton({ testId, label, onClick, children }: { testId: string; label: string; onClick: () => void; children: ReactNode }) {
  return (
    <button type="button" className="icon-btn" data-testid={testId} aria-label={label} title={label} onClick={onClick}>
      {children}
    </button>
  );
}

type FieldProps = { label: string; hint?: ReactNode; testId: string };

/** A labelled input; `unit` ("sat", "%") is drawn inside the box, after the value. */
export function Field({ label, hint, testId, unit, ...input }: FieldProps & { unit?: string } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  const box = <input id={id} data-testid={testId} aria-describedby={hint ? `${id}-hint` : undefined} {...input} />;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {unit ? (
        <div className="input-unit" data-unit={unit}>
          {box}
        </div>
      ) : (
        box
      )}
      {hint && <p className="hint" id={`${id}-hint`}>{hint}</p>}
    </div>
  );
}

/**
 * Numbers typed as text: a number input would turn "1.5" or "abc" into "" before
 * the form could say what is wrong. The on-screen keyboard still offers digits.
 */
export const numericText = (inputMode: 'numeric' | 'decimal') => ({ type: 'text', inputMode, autoComplete: 'off', spellCheck: false }) as const;

/** Text taken exactly as typed (links, macaroons, recovery words): no autocorrect, capitals or autofill. */
export const verbatimText = { autoComplete: 'off', autoCapitalize: 'none', spellCheck: false } as const;

/** Whole sat. */
export function SatsField(props: FieldProps & Omit<InputHTMLAttributes<HTMLInputElement>, 'type'>) {
  return <Field {...numericText('numeric')} unit="sat" {...props} />;
}

/**
 * A budget: the number and, beside it, its unit (sats or dollars). Switching
 * the unit keeps the typed number; the form converts nothing (a rate moves).
 */
export function AmountField({ label, hint, testId, draft, onDraft }: { label: string; hint?: string; testId: string; draft: AmountDraft; onDraft: (d: AmountDraft) => void }) {
  const t = useT();
  const id = useId();
  const hintId = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="amount-input">
        <input
          id={id}
          data-testid={testId}
          data-unit={draft.unit}
          {...numericText(draft.unit === 'sat' ? 'numeric' : 'decimal')}
          {...(hint !== undefined && { 'aria-describedby': hintId })}
          value={draft.text}
          onChange={(e) => onDraft({ ...draft, text: e.target.value })}
        />
        <select aria-label={t('limits_unit')} data-testid={`${testId}-unit`} value={draft.unit} onChange={(e) => onDraft({ ...draft, unit: e.target.value as Unit })}>
          <option value="sat">{t('limits_unitSat')}</option>
          <option value="usd">{t('limits_unitUsd')}</option>
        </select>
      </div>
      {hint !== undefined && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
}

type SelectProps = { label: string; testId: string; options: readonly { value: string; label: ReactNode }[]; onValue: (value: string) => void };

export function SelectField({ label, testId, options, onValue, ...select }: SelectProps & Omit<SelectHTMLAttributes<HTMLSelectElement>, 'onChange'>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} data-testid={testId} onChange={(e) => onValue(e.target.value)} {...select}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A checkbox with its label; `asSwitch` draws it as an on/off switch for settings that apply at once. */
export function CheckField({ label, hint, testId, asSwitch = false, ...input }: FieldProps & { asSwitch?: boolean } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <div className={asSwitch ? 'check check-switch' : 'check'}>
      <input id={id} type="checkbox" role={asSwitch ? 'switch' : undefined} data-testid={testId} aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
      <label htmlFor={id}>
        {label}
        {hint && (
          <span className="hint" id={`${id}-hint`}>
            {hint}
          </span>
        )}
      </label>
    </div>
  );
}

/** A titled card of related settings. */
export function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  const id = useId();
  return (
    <section className="card section" aria-labelledby={id} data-testid={testId}>
      <h2 className="card-label" id={id}>
        {title}
      </h2>
      <div className="stack">{children}</div>
    </section>
  );
}

/**
 * How much of a budget is gone: settled spend, then holds for payments in
 * flight (they count against the budget until they settle or fail). Amounts
 * are in `unit`: sats, or micro-dollars for a budget in dollars (`data-unit` says which).
 */
export function UsageBar({ testId, spentSat, heldSat, totalSat, caption, unit = 'sat' }: { testId: string; spentSat: number; heldSat: number; totalSat: number; caption: string; unit?: Unit }) {
  const t = useT();
  const locale = useLocale();
  const used = spentSat + heldSat;
  const spentShare = shareOf(spentSat, totalSat);
  const usedShare = shareOf(used, totalSat);
  const level = usedShare >= 100 ? 'full' : usedShare >= 80 ? 'high' : 'ok';
  return (
    <div className="usage" data-testid={testId} data-level={level} data-spent-sat={spentSat} data-held-sat={heldSat} data-total-sat={totalSat} data-unit={unit}>
      <div className="usage-track" role="meter" aria-label={caption} aria-valuemin={0} aria-valuemax={totalSat} aria-valuenow={Math.min(used, totalSat)}>
        <span className="usage-spent" style={{ width: `${spentShare}%` }} />
        <span className="usage-held" style={{ width: `${usedShare - spentShare}%` }} />
      </div>
      <p className="usage-caption">
        {caption}
        {heldSat > 0 && <span className="muted"> · {t('limits_held', { amount: formatAmount(amountIn(unit, heldSat), locale) })}</span>}
      </p>
    </div>
  );
}

/**
 * A website by its origin: host prominent, scheme small. The element's text is
 * exactly the origin (tests and screen readers read it whole); plain http to
 * another machine gets a "not secure" badge beside it.
 */
export function OriginName({ origin, testId, className }: { origin: string; testId?: string; className?: string }) {
  const t = useT();
  const { scheme, host, secure } = originParts(origin);
  return (
    <>
      <span className={['origin', className].filter(Boolean).join(' ')} data-testid={testId} title={origin}>
        <span className="origin-scheme">{scheme}</span>
        <span className="origin-host">{host}</span>
      </span>
      {!secure && (
        <span className="badge badge-danger" data-testid={testId && `${testId}-insecure`}>
          {t('common_notSecure')}
        </span>
      )}
    </>
  );
}

/**
 * A site's forfeit terms: a web address as its host and path, or the site's
 * sentence. `linked` opens the address in a new tab; unlinked (the prompt) it
 * is text, so a click cannot take the asking window anywhere.
 */
export function ForfeitTermsText({ forfeit, linked, testId }: { forfeit: string; linked: boolean; testId?: string }) {
  const { text, url } = forfeitTerms(forfeit);
  if (url && linked) {
    return (
      <a className="forfeit-terms" href={url} target="_blank" rel="noopener noreferrer" title={url} data-testid={testId}>
        {text}
      </a>
    );
  }
  return (
    <span className={url ? 'forfeit-terms mono' : 'forfeit-terms'} title={url} data-testid={testId}>
      {text}
    </span>
  );
}

/** A textarea where Enter submits its form, like an input (Shift+Enter still adds a line). */
export function TextAreaField({ label, hint, testId, ...area }: FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const id = useId();
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      e.currentTarget.form?.requestSubmit();
    }
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} data-testid={testId} aria-describedby={hint ? `${id}-hint` : undefined} onKeyDown={onKeyDown} {...area} />
      {hint && <p className="hint" id={`${id}-hint`}>{hint}</p>}
    </div>
  );
}

/** A failed action, in words; `children` adds what to do about it. */
export function FormError({ error, testId = 'form-error', children }: { error: unknown; testId?: string; children?: ReactNode }) {
  const t = useT();
  if (error === undefined) return null;
  return (
    <div className="notice notice-error" role="alert" data-testid={testId}>
      <p>{errorText(error, t)}</p>
      {children}
    </div>
  );
}

/**
 * Asks for the vault's password; `onPassword` runs only once something is typed. Each place
 * brings its own buttons as `children`, or ties an outside submit button to the form by `id`.
 */
export function PasswordForm(props: { id?: string; testId: string; label: string; error: unknown; onPassword: (password: string) => void; children?: ReactNode }) {
  const [password, setPassword] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (password) props.onPassword(password);
  };
  return (
    <form id={props.id} className="stack" onSubmit={submit} noValidate>
      <Field
        testId={props.testId}
        label={props.label}
        type="password"
        autoComplete="current-password"
        autoFocus
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <FormError error={props.error} />
      {props.children}
    </form>
  );
}

/** A warning to read before going on; `title` leads it with the warning sign. */
export function WarningNote({ title, testId, children }: { title?: string; testId?: string; children?: ReactNode }) {
  return (
    <div className="notice notice-warning" role="note" data-testid={testId}>
      {title !== undefined && (
        <p className="notice-title">
          <WarningIcon />
          {title}
        </p>
      )}
      {children}
    </div>
  );
}

export interface Choice<T extends string> {
  value: T;
  label: string;
  testId?: string;
}

/** A single choice among a few, as a radio group of buttons (arrow keys move the choice). */
/** BTC or dollars: the same switch on Home (for everything), in Send and in the payment prompt (for one payment). */
export function PayInSwitch(props: { value: PayIn; onChange: (value: PayIn) => void; testId: string; choiceTestId: string }) {
  const t = useT();
  return (
    <Segmented<PayIn>
      label={t('home_payIn')}
      testId={props.testId}
      value={props.value}
      onChange={props.onChange}
      choices={[
        { value: 'btc', label: t('home_payBtc'), testId: `${props.choiceTestId}-btc` },
        { value: 'usd', label: t('home_payDollars'), testId: `${props.choiceTestId}-usd` },
      ]}
    />
  );
}

export function Segmented<T extends string>(props: { label: string; value: T; choices: readonly Choice<T>[]; onChange: (value: T) => void; testId?: string }) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const labelId = useId();
  const move = (e: KeyboardEvent, index: number) => {
    const step = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 0;
    if (step === 0) return;
    e.preventDefault();
    const next = (index + step + props.choices.length) % props.choices.length;
    props.onChange(props.choices[next]!.value);
    refs.current[next]?.focus();
  };
  return (
    <div className="segmented-field">
      <span className="segmented-label" id={labelId}>
        {props.label}
      </span>
      <div className="segmented" role="radiogroup" aria-labelledby={labelId} data-testid={props.testId}>
        {props.choices.map((choice, i) => {
          const checked = choice.value === props.value;
          return (
            <button
              key={choice.value}
              ref={(el) => {
                refs.current[i] = el;
              }}
              type="button"
              role="radio"
              aria-checked={checked}
              tabIndex={checked ? 0 : -1}
              data-testid={choice.testId}
              onClick={() => props.onChange(choice.value)}
              onKeyDown={(e) => move(e, i)}
            >
              {choice.label}
            </button>
          );
        })}
      </div>
    </div>
  );
}

/** Numbered recovery words; each word's own element holds the word alone (tests read it). */
export function WordGrid({ words, testIdPrefix }: { words: readonly string[]; testIdPrefix: string }) {
  return (
    <ol className="words">
      {words.map((word, i) => (
        <li key={i}>
          <span className="word-index" aria-hidden="true">
            {i + 1}
          </span>
          <span className="word" data-testid={`${testIdPrefix}-${i + 1}`}>
            {word}
          </span>
        </li>
      ))}
    </ol>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <div className="loading" role="status">
      <span className="spinner spinner-large" aria-hidden="true" />
      <span className="sr-only">{label}</span>
    </div>
  );
}
