import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import type { DevnetOffer, NodeConnectRequest } from '../../../src/messages/ui-api.ts';
import { parseLndConnect } from '../../../src/node/lndconnect.ts';
import { connectDevnet, connectNode, handleLocked, trustNode } from '../actions.ts';
import { call } from '../client.ts';
import { Button, Field, FormError, SelectField, Shell, Spinner, TextAreaField, verbatimText } from '../components.tsx';
import { errorCode, formError, isErrorLike } from '../error-text.ts';
import { connectionFrom, nodeOrigin, type ConnectTab, type ManualFields } from '../forms.ts';
import { useT } from '../i18n.ts';
import { BoltIcon } from '../icons.tsx';
import { go } from '../route.ts';
import { TrustCertificate, trustTarget, type TrustTarget } from '../trust.tsx';
import { useAction } from '../use-action.ts';

const NETWORKS = ['mainnet', 'testnet', 'testnet4', 'signet', 'regtest'] as const;
type ExpectedNetwork = (typeof NETWORKS)[number];

export function Connect() {
  const t = useT();
  // Literal keys, so the i18n test sees every one in use.
  const networkLabel = (n: ExpectedNetwork) =>
    ({ mainnet: t('network_mainnet'), testnet: t('network_testnet'), testnet4: t('network_testnet4'), signet: t('network_signet'), regtest: t('network_regtest') })[n];
  const offer = useDevnetOffer();
  const [tab, setTab] = useState<ConnectTab>('lndconnect');
  const [link, setLink] = useState('');
  const fingerprint = useMemo(() => linkFingerprint(link), [link]);
  const [manual, setManual] = useState<ManualFields>({ restUrl: '', macaroon: '', tapdUrl: '', tapdMacaroon: '' });
  const [attempt, setAttempt] = useState<NodeConnectRequest>();
  // The network the person means to use: a node on another one is refused (NODE_WRONG_NETWORK).
  const [network, setNetwork] = useState<ExpectedNetwork>('mainnet');
  // Set while the node's certificate waits for the person's acceptance; kept through the wait itself.
  const [untrusted, setUntrusted] = useState<TrustTarget>();
  const { busy, error, setError, run } = useAction(async (target: NodeConnectRequest | 'devnet', trust = false) => {
    try {
      await (target === 'devnet' ? connectDevnet() : trust ? trustNode(target) : connectNode(target));
    } catch (e) {
      setUntrusted(trustTarget(e));
      throw e;
    }
  });

  const connect = (target: NodeConnectRequest | 'devnet') => {
    setAttempt(target === 'devnet' ? undefined : target);
    setUntrusted(undefined);
    void run(target);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const connection = connectionFrom(tab, link, manual);
    if (connection) connect({ ...connection, expectedNetwork: network });
    else setError(formError('CONNECTION_MISSING'));
  };
  const setField = (name: keyof ManualFields) => (e: { target: { value: string } }) => setManual({ ...manual, [name]: e.target.value });

  if (offer === undefined) {
    // A moment, so the devnet button never pushes the form down after it was focused.
    return (
      <Shell testId="connect-screen" title={t('connect_title')} onBack={() => go('home')}>
        <Spinner label={t('common_loading')} />
      </Shell>
    );
  }
  return (
    <Shell testId="connect-screen" title={t('connect_title')} onBack={() => go('home')}>
      <p className="lead">{t('connect_intro')}</p>
      {offer.available && (
        <div className="devnet">
          <Button testId="use-devnet" variant="secondary" className="btn-devnet" busy={busy} onClick={() => connect('devnet')}>
            <BoltIcon />
            {t('connect_useDevnet')}
          </Button>
          <p className="hint">{t('connect_devnetHint')}</p>
          <p className="divider">
            <span>{t('connect_or')}</span>
          </p>
        </div>
      )}
      <form className="stack" onSubmit={submit} noValidate aria-busy={busy}>
        <Tabs
          tab={tab}
          onChange={(next) => {
            setTab(next);
            setError(undefined);
          }}
          labels={{ lndconnect: t('connect_tabLink'), manual: t('connect_tabManual') }}
        >
          {tab === 'lndconnect' ? (
            <>
              <TextAreaField
                testId="lndconnect-input"
                label={t('connect_linkLabel')}
                hint={t('connect_linkHint')}
                rows={4}
                autoFocus
                {...verbatimText}
                placeholder="lndconnect://"
                value={link}
                onChange={(e) => setLink(e.target.value)}
              />
              {fingerprint && <CertFingerprint fingerprint={fingerprint} />}
            </>
          ) : (
            <>
              <Field testId="manual-rest-url" label={t('connect_restUrl')} placeholder="https://127.0.0.1:8080" autoFocus {...verbatimText} value={manual.restUrl} onChange={setField('restUrl')} />
              <Field testId="manual-macaroon" label={t('connect_macaroon')} hint={t('connect_macaroonHint')} {...verbatimText} value={manual.macaroon} onChange={setField('macaroon')} />
              <Field testId="manual-tapd-url" label={t('connect_tapdUrl')} placeholder="https://127.0.0.1:8089" {...verbatimText} value={manual.tapdUrl} onChange={setField('tapdUrl')} />
              <Field testId="manual-tapd-macaroon" label={t('connect_tapdMacaroon')} {...verbatimText} value={manual.tapdMacaroon} onChange={setField('tapdMacaroon')} />
            </>
          )}
        </Tabs>
        <SelectField
          testId="connect-network"
          label={t('connect_network')}
          value={network}
          onValue={(v) => setNetwork(v as ExpectedNetwork)}
          options={NETWORKS.map((n) => ({ value: n, label: networkLabel(n) }))}
        />
        <p className="hint">{t('connect_networkHint')}</p>
        <FormError error={error}>{!untrusted && <ConnectHint error={error} attempt={attempt} />}</FormError>
        {untrusted && attempt && (
          <TrustCertificate fingerprint={untrusted.fingerprint} gaveUp={untrusted.gaveUp} busy={busy} onOpen={() => void run(attempt, true)} />
        )}
        <Button testId="connect-submit" type="submit" busy={busy}>
          {busy ? t('connect_busy') : t('connect_submit')}
        </Button>
      </form>
    </Shell>
  );
}

/** The simulated network exists only in a devnet build (src/env.d.ts): a release popup asks nothing. */
function useDevnetOffer(): DevnetOffer | undefined {
  const [offer, setOffer] = useState<DevnetOffer | undefined>(__SATNAV_DEVNET__ ? undefined : { available: false });
  useEffect(() => {
    if (!__SATNAV_DEVNET__) return;
    call({ type: 'devnet.offer' }).then(setOffer, (e: unknown) => {
      if (!handleLocked(e)) setOffer({ available: false });
    });
  }, []);
  return offer;
}

/** The pasted link's certificate fingerprint, once the link parses and carries a cert=. */
function linkFingerprint(link: string): string | undefined {
  try {
    return parseLndConnect(link).certFingerprint;
  } catch {
    // Half-pasted or wrong: the form says so on submit.
    return undefined;
  }
}

/**
 * An extension's fetch cannot see the certificate the node presents, so nothing compares them:
 * the person can, with the browser's certificate viewer on the node's address (trust.tsx).
 */
function CertFingerprint({ fingerprint }: { fingerprint: string }) {
  const t = useT();
  return (
    <div className="stack-tight" data-testid="cert-fingerprint">
      <p className="hint">{t('connect_certFingerprint')}</p>
      <p className="mono" data-testid="cert-fingerprint-value">
        {fingerprint}
      </p>
      <p className="hint">{t('connect_certFingerprintHint')}</p>
    </div>
  );
}

/** What to do about a failed connection, beyond what went wrong. */
function ConnectHint({ error, attempt }: { error: unknown; attempt: NodeConnectRequest | undefined }) {
  const t = useT();
  // The devnet button has no address of the person's to check.
  if (!attempt) return null;
  const origin = nodeOrigin(attempt);
  const code = errorCode(error);
  // http.ts refuses redirects (the macaroon would follow them): the fix is the address itself.
  if (isErrorLike(error) && error.details?.redirect === true) return <p>{t('connect_hintRedirect')}</p>;
  // Without the browser's reason (webRequest), an untrusted certificate looks like an unreachable host; over plain http it cannot be the certificate.
  const maybeCertificate = code === 'NODE_TLS_UNTRUSTED' || (code === 'NODE_UNREACHABLE' && isErrorLike(error) && error.details?.maybeTls !== false);
  if (maybeCertificate) {
    return origin ? (
      <p>
        {t('connect_hintCertificate')}
        <br />
        <a href={origin} target="_blank" rel="noreferrer" data-testid="node-origin-link">
          {origin}
        </a>
      </p>
    ) : (
      <p>{t('connect_hintCertificateNoUrl')}</p>
    );
  }
  switch (code) {
    case 'NODE_AUTH':
      return <p>{t('connect_hintAdminMacaroon')}</p>;
    case 'NODE_LOCKED':
      return <p>{t('connect_hintUnlockNode')}</p>;
    case 'NODE_WRONG_NETWORK':
      return <p>{t('connect_hintNetwork')}</p>;
    case 'NODE_UNREACHABLE':
    case 'NODE_TIMEOUT':
      return <p>{t('connect_hintCheckNode')}</p>;
    default:
      return null;
  }
}

function Tabs(props: { tab: ConnectTab; onChange: (tab: ConnectTab) => void; labels: Record<ConnectTab, string>; children: ReactNode }) {
  const id = useId();
  const order: ConnectTab[] = ['lndconnect', 'manual'];
  const refs = useRef<Partial<Record<ConnectTab, HTMLButtonElement | null>>>({});
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    e.preventDefault();
    const next = order[(order.indexOf(props.tab) + 1) % order.length]!;
    props.onChange(next);
    refs.current[next]?.focus();
  };
  return (
    <div className="tabs">
      <div className="tablist" role="tablist">
        {order.map((tab) => (
          <button
            key={tab}
            ref={(el) => {
              refs.current[tab] = el;
            }}
            type="button"
            role="tab"
            id={`${id}-${tab}`}
            aria-selected={props.tab === tab}
            aria-controls={`${id}-panel`}
            tabIndex={props.tab === tab ? 0 : -1}
            data-testid={tab === 'manual' ? 'manual-tab' : 'lndconnect-tab'}
            onClick={() => props.onChange(tab)}
            onKeyDown={onKeyDown}
          >
            {props.labels[tab]}
          </button>
        ))}
      </div>
      <div className="tabpanel stack" role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-${props.tab}`}>
        {props.children}
      </div>
    </div>
  );
}
