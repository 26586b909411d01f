/** The building blocks every screen shares, so the popup, options and prompt pages look and behave alike. */
import { useId, useRef, type ButtonHTMLAttributes, type InputHTMLAttributes, type KeyboardEvent, type ReactNode, type TextareaHTMLAttributes } from 'react';
import { errorText } from './error-text.ts';
import { useT } from './i18n.ts';
import { BackIcon } from './icons.tsx';

export function Shell(props: { testId: string; title?: string; onBack?: () => void; actions?: ReactNode; footer?: ReactNode; children: ReactNode }) {
  const t = useT();
  return (
    <div className="screen" data-testid={props.testId}>
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

export function Field({ label, hint, testId, ...input }: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} data-testid={testId} aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
      {hint && <p className="hint" id={`${id}-hint`}>{hint}</p>}
    </div>
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

export interface Choice<T extends string> {
  value: T;
  label: string;
  testId?: string;
}

/** A single choice among a few, as a radio group of buttons (arrow keys move the choice). */
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
