import { useState } from 'react';
import type { PaidAccessItem, UiRequestOf } from '../../../src/messages/ui-api.ts';
import { call } from '../client.ts';
import { Button, FormError, OriginName, Shell, Spinner } from '../components.tsx';
import { formatDateTime, formatRelativeTime, formatSats } from '../format.ts';
import { useLocale, useT } from '../i18n.ts';
import { schemeLabel } from '../labels.ts';
import { originParts } from '../origin.ts';
import { bySite, expiryState, expiryText, expiryTitle, pathsText, type SiteAccess } from '../paid-access.ts';
import { goBack } from '../route.ts';
import { useAction } from '../use-action.ts';
import { usePolled } from '../use-polling.ts';
import './paid-access.css';

const REFRESH_MS = 10_000;

export type Target = UiRequestOf<'paywall.revoke'>['target'];

/**
 * What Satnav bought at sites' 402 walls, one card per site whose allowance
 * paid: where each credential is sent, what it cost, when it ends; revoke one
 * or all of a site's. The worker answers a revoke with the list after it.
 */
export function PaidAccess() {
  const t = useT();
  const { value: items, now, loadError, change } = usePolled(loadCredentials, REFRESH_MS);
  const revoke = useAction((target: Target) => change(async () => (await call({ type: 'paywall.revoke', target })).credentials));

  return (
    <Shell testId="paid-access-screen" title={t('paid_title')} onBack={goBack} wide>
      <p className="hint">{t('paid_intro')}</p>
      <FormError error={revoke.error ?? loadError} testId="paid-error" />
      {!items && loadError === undefined && <Spinner label={t('common_loading')} />}
      {items && <PaidAccessList items={items} now={now} busy={revoke.busy} onRevoke={(target) => void revoke.run(target)} />}
    </Shell>
  );
}

async function loadCredentials(): Promise<PaidAccessItem[]> {
  return (await call({ type: 'paywall.list' })).credentials;
}

/** The credentials held, one card per paying site; or, with none, what will show here. */
export function PaidAccessList({ items, now, busy, onRevoke }: { items: readonly PaidAccessItem[]; now: number; busy: boolean; onRevoke: (target: Target) => void }) {
  const t = useT();
  const sites = bySite(items);
  if (sites.length === 0) {
    return (
      <div className="empty empty-card" data-testid="paid-empty">
        <h2>{t('paid_empty')}</h2>
        <p className="muted">{t('paid_emptyText')}</p>
      </div>
    );
  }
  return (
    <div className="site-list">
      {sites.map((group) => (
        <SiteCard key={group.site} group={group} now={now} busy={busy} onRevoke={onRevoke} />
      ))}
    </div>
  );
}

function SiteCard({ group, now, busy, onRevoke }: { group: SiteAccess; now: number; busy: boolean; onRevoke: (target: Target) => void }) {
  const t = useT();
  const { site } = group;
  return (
    <article className="card site paid-site" data-testid={`paid-site-${site}`} data-origin={site} aria-label={site}>
      <header className="site-head">
        <OriginName origin={site} className="origin-inline" />
      </header>
      <p className="hint">{t('paid_paidFrom')}</p>
      <ul className="item-list">
        {group.items.map((item) => (
          <CredentialRow key={item.id} item={item} now={now} busy={busy} onRevoke={() => onRevoke({ id: item.id })} />
        ))}
      </ul>
      <ConfirmRevoke
        testId={`paid-revoke-all-${site}`}
        label={t('paid_revokeAll')}
        question={t('paid_revokeAllQuestion', { site: originParts(site).host })}
        busy={busy}
        onConfirm={() => onRevoke({ paidBy: site })}
      />
    </article>
  );
}

function CredentialRow({ item, now, busy, onRevoke }: { item: PaidAccessItem; now: number; busy: boolean; onRevoke: () => void }) {
  const t = useT();
  const locale = useLocale();
  const server = originParts(item.server);
  const state = expiryState(item.expiresAt, now);
  return (
    <li className="item-card" data-testid="paid-item" data-id={item.id} data-scheme={item.scheme} data-server={item.server}>
      <div className="item-head">
        <span className="item-title" title={item.server} data-testid="paid-server">
          {server.host}
        </span>
        <span className="badge" data-testid="paid-scheme">
          {schemeLabel(item.scheme, t)}
        </span>
        {!item.reusable && <span className="badge">{t('paid_oneUse')}</span>}
      </div>
      <dl className="details details-flat">
        <div>
          <dt>{t('paid_cost')}</dt>
          <dd data-testid="paid-cost">{formatSats(item.amountSat, locale)}</dd>
        </div>
        <div>
          <dt>{t('paid_bought')}</dt>
          <dd>
            <time dateTime={new Date(item.createdAt).toISOString()} title={formatDateTime(item.createdAt, locale)} data-testid="paid-bought">
              {formatRelativeTime(item.createdAt, now, locale)}
            </time>
          </dd>
        </div>
        <div>
          <dt>{t('paid_expires')}</dt>
          <dd data-testid="paid-expiry" data-state={state} title={expiryTitle(item.expiresAt, locale)} className={state === 'expired' ? 'text-danger' : undefined}>
            {expiryText(item.expiresAt, now, locale, t)}
          </dd>
        </div>
        {item.services.length > 0 && (
          <div>
            <dt>{t('paid_services')}</dt>
            <dd>{item.services.join(', ')}</dd>
          </div>
        )}
        {item.paths.length > 0 && (
          <div>
            <dt>{t('paid_paths')}</dt>
            <dd className="mono paid-paths" title={item.paths.join('\n')}>
              {pathsText(item.paths)}
            </dd>
          </div>
        )}
      </dl>
      <ConfirmRevoke
        testId={`paid-revoke-${item.id}`}
        label={t('paid_revoke')}
        question={t('paid_revokeQuestion', { server: server.host })}
        busy={busy}
        onConfirm={onRevoke}
      />
    </li>
  );
}

/** A revoke button that asks once more in place: what was bought is gone for good. */
function ConfirmRevoke(props: { testId: string; label: string; question: string; busy: boolean; onConfirm: () => void }) {
  const t = useT();
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <Button testId={props.testId} variant="danger" className="revoke" onClick={() => setConfirming(true)}>
        {props.label}
      </Button>
    );
  }
  return (
    <div className="notice notice-error confirm" role="group" aria-label={props.label}>
      <p>{props.question}</p>
      <div className="row">
        <Button testId={`${props.testId}-cancel`} variant="secondary" autoFocus onClick={() => setConfirming(false)}>
          {t('common_cancel')}
        </Button>
        <Button testId={`${props.testId}-confirm`} variant="danger" busy={props.busy} onClick={props.onConfirm}>
          {t('paid_revokeConfirm')}
        </Button>
      </div>
    </div>
  );
}
