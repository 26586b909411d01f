import { useState, type FormEvent } from 'react';
import { unlock } from '../actions.ts';
import { Button, Field, FormError, Logo, Shell } from '../components.tsx';
import { useT } from '../i18n.ts';
import { useRoute } from '../route.ts';
import { useAction } from '../use-action.ts';

export function Unlock() {
  const t = useT();
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction(unlock);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (password) void run(password);
  };
  return (
    <Shell testId="unlock-screen">
      <div className="hero">
        <Logo size={64} />
        <h1 className="hero-title">{t('unlock_title')}</h1>
      </div>
      <form className="stack" onSubmit={submit} noValidate>
        <Field
          testId="unlock-password"
          label={t('unlock_label')}
          type="password"
          autoComplete="current-password"
          autoFocus
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <FormError error={error} />
        <Button testId="unlock-submit" type="submit" busy={busy}>
          {t('unlock_submit')}
        </Button>
      </form>
      <Button
        testId="restore-wallet"
        variant="ghost"
        className="restore-link"
        onClick={() => useRoute.setState({ screen: 'import', restoring: true, draft: undefined })}
      >
        {t('unlock_forgot')}
      </Button>
    </Shell>
  );
}
