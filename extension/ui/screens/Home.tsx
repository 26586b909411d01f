import { useCallback, useRef, useState } from 'react';
import type { AssetBalance, Balances, NodeStatus } from '../../../src/messages/ui-api.ts';
import { handleLocked, lock } from '../actions.ts';
import { call } from '../client.ts';
import { Button, IconButton, PayInSwitch, Shell, Spinner } from '../components.tsx';
import { errorCode, errorText } from '../error-text.ts';
import { formatAsset, formatBtc, formatSats, formatTime } from '../format.ts';
import { useLocale, useT } from '../i18n.ts';
import { ActivityIcon, ForwardIcon, GaugeIcon, GearIcon, LockIcon, RefreshIcon } from '../icons.tsx';
import { useGlobalPayIn } from '../pay-in.ts';
import type { PayIn } from '../../../src/policy/index.ts';
import { go, visit } from '../route.ts';
import { TrustAgain } from '../trust.tsx';
import { usePolled, useRefreshWhileVisible } from '../use-polling.ts';

const REFRESH_MS = 10_000;

/** Node status and balances, refreshed while the screen is open. */
function useNodeOverview() {
  const [status, setStatus] = useState<NodeStatus>();
  const [balances, setBalances] = useState<Balances>();
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const inFlight = useRef(false);
  const refresh = useCallback(async () => {
    // The timer and the button can both fire; one request at a time is enough.
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    try {
      const next = await call({ type: 'node.status' });
      setStatus(next);
      setBalances(next.connected ? await call({ type: 'node.balances' }) : undefined);
      setError(undefined);
    } catch (e) {
      if (handleLocked(e)) return;
      if (errorCode(e) === 'NODE_NOT_CONNECTED') setStatus({ connected: false });
      setError(e);
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  }, []);
  useRefreshWhileVisible(refresh, REFRESH_MS);
  return { status, balances, error, busy, refresh };
}

export function Home() {
  const t = useT();
  const { status, balances, error, busy, refresh } = useNodeOverview();
  const actions = (
    <>
      <IconButton testId="activity-button" label={t('activity_title')} onClick={() => visit('activity')}>
        <ActivityIcon />
      </IconButton>
      <IconButton testId="limits-button" label={t('limits_title')} onClick={() => visit('limits')}>
        <GaugeIcon />
      </IconButton>
      <IconButton testId="settings-button" label={t('home_settings')} onClick={() => go('settings')}>
        <GearIcon />
      </IconButton>
      <IconButton testId="lock-button" label={t('home_lock')} onClick={() => void lock()}>
        <LockIcon />
      </IconButton>
    </>
  );
  return (
    <Shell testId="home" title={t('appName')} actions={actions}>
      {status === undefined && error === undefined ? (
        <Spinner label={t('common_loading')} />
      ) : status?.connected ? (
        <Connected status={status} balances={balances} error={error} busy={busy} refresh={refresh} />
      ) : (
        <NotConnected />
      )}
    </Shell>
  );
}

function NotConnected() {
  const t = useT();
  return (
    <section className="card card-cta" aria-labelledby="connect-title">
      <h2 id="connect-title">{t('home_connectTitle')}</h2>
      <p>{t('home_connectText')}</p>
      <Button testId="connect-node" autoFocus onClick={() => go('connect')}>
        {t('home_connectButton')}
      </Button>
    </section>
  );
}

function Connected(props: { status: NodeStatus; balances: Balances | undefined; error: unknown; busy: boolean; refresh: () => Promise<void> }) {
  const t = useT();
  const locale = useLocale();
  const { payIn, setPayIn } = useGlobalPayIn();
  const { status, balances, error, busy, refresh } = props;
  return (
    <div className="stack">
      <NodeLine status={status} />
      {error !== undefined && (
        <div className="notice notice-error" role="alert" data-testid="node-error">
          {/* Only a certificate the person accepted before gets the way to accept one again: a node that had a trusted one and now shows an untrusted one is not waved through. */}
          {errorCode(error) === 'NODE_TLS_UNTRUSTED' && status.tls === 'accepted-in-browser' ? (
            <TrustAgain fingerprint={status.certFingerprint} onTrusted={refresh} />
          ) : (
            <>
              <p>{errorText(error, t)}</p>
              <Button testId="node-retry" variant="secondary" busy={busy} onClick={() => void refresh()}>
                {t('common_retry')}
              </Button>
            </>
          )}
        </div>
      )}
      {!balances && error === undefined && <Spinner label={t('common_loading')} />}
      <div className="row" data-testid="send-receive">
        <Button testId="open-send" onClick={() => go('send')}>
          {t('home_send')}
        </Button>
        <Button testId="open-receive" variant="secondary" onClick={() => go('receive')}>
          {t('home_receive')}
        </Button>
      </div>
      {balances && (
        <>
          <BtcCard balances={balances} locale={locale} />
          <LockedInDeposits />
          {balances.assets.map((asset) => (
            <AssetCard key={asset.id} asset={asset} locale={locale} />
          ))}
          {balances.assetsError && (
            <div className="notice notice-soft" role="status" data-testid="assets-notice">
              <p>{t('home_assetsUnavailable', { reason: errorText(balances.assetsError, t) })}</p>
            </div>
          )}
          {payIn && (
          <PayInSwitch testId="pay-currency" choiceTestId="pay-currency" value={payIn} onChange={(next) => void setPayIn(next)} />
          )}
        </>
      )}
      {balances && (
        <div className="refresh-row">
          <span className="muted" data-testid="balances-updated">
            {t('home_updated', { time: formatTime(balances.fetchedAt, locale) })}
          </span>
          <Button testId="refresh-balances" variant="ghost" busy={busy} onClick={() => void refresh()}>
            {!busy && <RefreshIcon />}
            {t('home_refresh')}
          </Button>
        </div>
      )}
    </div>
  );
}

function NodeLine({ status }: { status: NodeStatus }) {
  const t = useT();
  return (
    <div className="node-line" data-testid="node-line">
      <span className="status-dot" aria-hidden="true" />
      <span className="node-name">{status.alias || status.label || t('home_unnamedNode')}</span>
      {status.network && <span className="muted">{status.network}</span>}
      {status.simulated && (
        <span className="badge badge-sim" data-testid="simulated-badge">
          {t('common_simulated')}
        </span>
      )}
    </div>
  );
}

function BtcCard({ balances, locale }: { balances: Balances; locale: string }) {
  const t = useT();
  const btc = balances.btc;
  const rows: [string, number][] = [
    [t('home_onchainConfirmed'), btc.onchainConfirmedSat],
    [t('home_onchainUnconfirmed'), btc.onchainUnconfirmedSat],
    [t('home_channelLocal'), btc.channelLocalSat],
    [t('home_channelRemote'), btc.channelRemoteSat],
    [t('home_channelPending'), btc.channelPendingSat],
  ];
  return (
    <section className="card balance" data-testid="balance-btc" aria-labelledby="btc-title">
      <h2 className="card-label" id="btc-title">
        {t('home_bitcoin')}
      </h2>
      <p className="amount-main" data-testid="btc-sats">
        {formatSats(btc.channelLocalSat, locale)}
      </p>
      <p className="amount-sub">
        {formatBtc(btc.channelLocalSat, locale)} · {t('home_spendable')}
      </p>
      <dl className="details">
        {rows.map(([label, sats]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{formatSats(sats, locale)}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

const loadDeposits = () => call({ type: 'deposits.list' });

/**
 * Money locked in refundable deposits: out of the channel balance above, not
 * spent either. Shown while there is any; opens the Deposits screen.
 */
function LockedInDeposits() {
  const t = useT();
  const locale = useLocale();
  const { value } = usePolled(loadDeposits, REFRESH_MS);
  if (!value || value.lockedSat === 0) return null;
  return (
    <button type="button" className="card locked-line" data-testid="home-locked" onClick={() => visit('deposits')}>
      <span className="locked-label">{t('home_lockedDeposits')}</span>
      <span className="locked-amount" data-testid="home-locked-amount">
        {formatSats(value.lockedSat, locale)}
      </span>
      <ForwardIcon />
    </button>
  );
}

function AssetCard({ asset, locale }: { asset: AssetBalance; locale: string }) {
  const t = useT();
  const titleId = `asset-${asset.id}`;
  return (
    <section className="card balance" data-testid={`balance-asset-${asset.ticker}`} aria-labelledby={titleId}>
      <h2 className="card-label" id={titleId}>
        {asset.name}
        <span className="badge">{asset.ticker}</span>
      </h2>
      {/* What Lightning payments can use now first: on-chain units can't pay an invoice. */}
      <p className="muted">{t('home_assetSpendable')}</p>
      <p className="amount-main" data-testid="asset-spendable" data-units={asset.channelAmount}>
        {formatAsset({ ...asset, amount: asset.channelAmount }, locale)}
      </p>
      {asset.amount !== '0' && <p className="amount-sub">{t('home_assetOnchainMore', { amount: formatAsset(asset, locale) })}</p>}
    </section>
  );
}
