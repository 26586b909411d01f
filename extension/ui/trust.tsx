/**
 * The person's part in trusting a node's self-signed certificate (src/node/browser-trust.ts):
 * the fingerprint to compare, then one button that opens the node's address in a tab, where the
 * browser shows its warning, and waits there until the person proceeds.
 */
import { trustNode } from './actions.ts';
import { Button, FormError } from './components.tsx';
import { isErrorLike } from './error-text.ts';
import { useT } from './i18n.ts';
import { useAction } from './use-action.ts';

/** What a NODE_TLS_UNTRUSTED from the worker names: the address to open, the fingerprint to expect. */
export interface TrustTarget {
  checkUrl: string;
  fingerprint?: string;
  /** The last wait ended without an acceptance: the tab closed, or time ran out. */
  gaveUp: boolean;
}

export function trustTarget(error: unknown): TrustTarget | undefined {
  if (!isErrorLike(error) || error.code !== 'NODE_TLS_UNTRUSTED' || typeof error.details?.checkUrl !== 'string') return undefined;
  const fingerprint = error.details.fingerprint;
  return { checkUrl: error.details.checkUrl, ...(typeof fingerprint === 'string' && { fingerprint }), gaveUp: error.details.gaveUp === true };
}

export function TrustCertificate(props: { fingerprint: string | undefined; gaveUp?: boolean; busy: boolean; onOpen: () => void; openLabel?: string }) {
  const t = useT();
  return (
    <div className="stack-tight" data-testid="trust-certificate">
      {props.fingerprint ? (
        <>
          <p className="hint">{t('trust_fingerprintFromLink')}</p>
          <p className="mono" data-testid="trust-fingerprint">
            {props.fingerprint}
          </p>
          <p className="hint">{t('trust_compare')}</p>
        </>
      ) : (
        <p className="hint" data-testid="trust-no-fingerprint">
          {t('trust_noFingerprint')}
        </p>
      )}
      <p className="hint">{t('trust_steps')}</p>
      {props.gaveUp && !props.busy && <p data-testid="trust-gave-up">{t('trust_gaveUp')}</p>}
      {props.busy && (
        <p role="status" data-testid="trust-waiting">
          {t('trust_waiting')}
        </p>
      )}
      <Button testId="trust-open" variant="secondary" busy={props.busy} onClick={props.onOpen}>
        {props.openLabel ?? t('trust_open')}
      </Button>
    </div>
  );
}

/**
 * The saved node's certificate, accepted in the browser before, is refused now: Chrome forgot the
 * acceptance (after a week), or the node shows another certificate. Satnav can't tell which, so
 * the person checks the fingerprint again before anything more goes to the node.
 */
export function TrustAgain({ fingerprint, onTrusted }: { fingerprint: string | undefined; onTrusted: () => Promise<void> }) {
  const t = useT();
  const { busy, error, run } = useAction(async () => {
    await trustNode();
    await onTrusted();
  });
  const target = trustTarget(error);
  return (
    <div className="stack-tight" data-testid="trust-again">
      <p>{t('trust_noLongerAccepted')}</p>
      <TrustCertificate fingerprint={fingerprint} gaveUp={target?.gaveUp} busy={busy} onOpen={() => void run()} openLabel={t('trust_checkAgain')} />
      {!target && <FormError error={error} testId="trust-again-error" />}
    </div>
  );
}
