import { Button, Logo, Shell } from '../components.tsx';
import { useT } from '../i18n.ts';
import { go, useRoute } from '../route.ts';

export function Welcome() {
  const t = useT();
  return (
    <Shell testId="welcome-screen">
      <div className="hero">
        <Logo size={72} />
        <h1 className="hero-title">{t('appName')}</h1>
        <p className="lead">{t('welcome_pitch')}</p>
      </div>
      <div className="stack">
        <Button testId="create-wallet" autoFocus onClick={() => go('create')}>
          {t('welcome_create')}
        </Button>
        <Button testId="import-wallet" variant="secondary" onClick={() => useRoute.setState({ screen: 'import', restoring: false })}>
          {t('welcome_import')}
        </Button>
      </div>
      <p className="fineprint">{t('welcome_nonCustodial')}</p>
    </Shell>
  );
}
