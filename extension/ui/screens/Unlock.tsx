import { unlock } from '../actions.ts';
import { Button, Logo, PasswordForm, Shell } from '../components.tsx';
import { useT } from '../i18n.ts';
import { useRoute } from '../route.ts';
import { useAction } from '../use-action.ts';

export function Unlock() {
  const t = useT();
  const { busy, error, run } = useAction(unlock);
  return (
    <Shell testId="unlock-screen">
      <div className="hero">
        <Logo size={64} />
        <h1 className="hero-title">{t('unlock_title')}</h1>
      </div>
      <PasswordForm testId="unlock-password" label={t('unlock_label')} error={error} onPassword={(password) => void run(password)}>
        <Button testId="unlock-submit" type="submit" busy={busy}>
          {t('unlock_submit')}
        </Button>
      </PasswordForm>
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
