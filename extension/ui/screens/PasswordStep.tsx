import { useState, type FormEvent } from 'react';
import { createVault } from '../actions.ts';
import { Button, Field, FormError, Shell, WarningNote } from '../components.tsx';
import { checkNewPassword, passwordStrength } from '../forms.ts';
import { useT } from '../i18n.ts';
import { go, type Draft } from '../route.ts';
import { useAction } from '../use-action.ts';

/** The password that encrypts the vault on this device; last step of both create and import. */
export function PasswordStep({ draft }: { draft: Draft }) {
  const t = useT();
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const { busy, error, setError, run } = useAction(createVault);
  const strength = passwordStrength(password);
  const strengthLabel = { weak: t('password_weak'), fair: t('password_fair'), strong: t('password_strong') }[strength];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const problem = checkNewPassword(password, confirmation);
    if (problem) setError(problem);
    else void run(draft, password);
  };
  return (
    <Shell testId="password-screen" title={t('password_title')} onBack={() => go(draft.origin === 'create' ? 'confirm' : 'import')}>
      <form className="stack" onSubmit={submit} noValidate>
        <p className="lead">{t('password_intro')}</p>
        {draft.replace && (
          <WarningNote>
            <p>{t('import_replaceWarning')}</p>
          </WarningNote>
        )}
        <Field
          testId="password"
          label={t('password_label')}
          type="password"
          autoComplete="new-password"
          autoFocus
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          hint={t('password_hint')}
        />
        {password && (
          <div className="strength" data-strength={strength} data-testid="password-strength" aria-live="polite">
            <span className="strength-bar" aria-hidden="true">
              <span />
            </span>
            <span>{t('password_strength', { strength: strengthLabel })}</span>
          </div>
        )}
        <Field
          testId="password-confirm"
          label={t('password_confirmLabel')}
          type="password"
          autoComplete="new-password"
          value={confirmation}
          onChange={(e) => setConfirmation(e.target.value)}
        />
        <FormError error={error} />
        <Button testId="password-submit" type="submit" busy={busy}>
          {draft.origin === 'create' ? t('password_submitCreate') : t('password_submitImport')}
        </Button>
      </form>
    </Shell>
  );
}
