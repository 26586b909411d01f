import { boot } from '../actions.ts';
import { Button, FormError, Shell, Spinner } from '../components.tsx';
import { useT } from '../i18n.ts';
import { useRoute } from '../route.ts';

export function Loading() {
  const t = useT();
  return (
    <Shell testId="loading-screen">
      <Spinner label={t('common_loading')} />
    </Shell>
  );
}

/** The worker did not answer the first question (vault.status). */
export function Failed() {
  const t = useT();
  const { failure, landing } = useRoute();
  return (
    <Shell testId="failed-screen" title={t('appName')}>
      <FormError error={failure} />
      <Button testId="boot-retry" autoFocus onClick={() => void boot(landing)}>
        {t('common_retry')}
      </Button>
    </Shell>
  );
}

/** A screen whose code did not load (lazy-screen.ts): said so in words, and the page loaded anew (its chunks as now installed). */
export function ScreenFailed(_: { error: unknown }) {
  const t = useT();
  return (
    <Shell testId="screen-failed" title={t('appName')}>
      <div className="notice notice-error" role="alert">
        <p>{t('screen_loadFailed')}</p>
      </div>
      <Button testId="screen-retry" autoFocus onClick={() => location.reload()}>
        {t('screen_reload')}
      </Button>
    </Shell>
  );
}
