import { Button, Shell } from '../ui/components.tsx';
import { useT } from '../ui/i18n.ts';

/**
 * Where sites' requests (payments, permissions) will be approved. Until that
 * exists every id is unknown, so the page says there is nothing to approve.
 */
export function PromptPage({ requestId }: { requestId: string | null }) {
  const t = useT();
  return (
    <Shell testId="prompt-screen" title={t('appName')}>
      <div className="empty" data-testid="prompt-empty" data-request-id={requestId ?? undefined}>
        <h2>{t('prompt_emptyTitle')}</h2>
        <p className="muted">{t('prompt_emptyText')}</p>
      </div>
      <Button testId="prompt-close" variant="secondary" autoFocus onClick={() => window.close()}>
        {t('common_close')}
      </Button>
    </Shell>
  );
}
