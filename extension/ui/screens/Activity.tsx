import { useCallback, useEffect, useRef, useState } from 'react';
import type { LedgerEntry, LedgerKind } from '../../../src/ledger/index.ts';
import type { ActivityFilter } from '../../../src/messages/ui-api.ts';
import { handleLocked } from '../actions.ts';
import { call } from '../client.ts';
import { Button, FormError, SelectField, Shell, Spinner } from '../components.tsx';
import { formatDateTime, formatRelativeTime, formatSats, formatSignedSats } from '../format.ts';
import { useLocale, useT } from '../i18n.ts';
import { DownloadIcon } from '../icons.tsx';
import { entryLabel, failureText, kindLabels, statusLabel, statusTone } from '../labels.ts';
import { originParts } from '../origin.ts';
import { goBack } from '../route.ts';
import { useAction } from '../use-action.ts';
import { useRefreshWhileVisible } from '../use-polling.ts';

const REFRESH_MS = 5_000;
const CSV_NAME = 'satnav-activity.csv';

/** Every payment in or out through websites, newest first, refreshed while the screen is open. */
export function Activity() {
  const t = useT();
  const [origin, setOrigin] = useState('');
  const [kind, setKind] = useState<LedgerKind | ''>('');
  const filter: ActivityFilter = { ...(origin && { origin }), ...(kind && { kind }) };
  const { entries, origins, error, now } = useActivity(origin, kind);
  const exportCsv = useAction(async () => download(CSV_NAME, (await call({ type: 'activity.csv', filter })).csv));
  const kinds = kindLabels(t);
  const filtered = origin !== '' || kind !== '';

  return (
    <Shell testId="activity-screen" title={t('activity_title')} onBack={goBack} wide>
      <div className="filters">
        <SelectField
          testId="activity-filter-site"
          label={t('activity_filterSite')}
          value={origin}
          onValue={setOrigin}
          options={[{ value: '', label: t('activity_allSites') }, ...origins.map((o) => ({ value: o, label: o }))]}
        />
        <SelectField
          testId="activity-filter-kind"
          label={t('activity_filterKind')}
          value={kind}
          onValue={(v) => setKind(v as LedgerKind | '')}
          options={[{ value: '', label: t('activity_allKinds') }, ...Object.entries(kinds).map(([value, label]) => ({ value, label }))]}
        />
        <Button testId="activity-export" variant="secondary" className="export" busy={exportCsv.busy} disabled={!entries?.length} onClick={() => void exportCsv.run()}>
          {!exportCsv.busy && <DownloadIcon />}
          {t('activity_export')}
        </Button>
      </div>
      <FormError error={exportCsv.error ?? error} testId="activity-error" />
      {entries === undefined && error === undefined && <Spinner label={t('common_loading')} />}
      {entries?.length === 0 && (
        <div className="empty" data-testid="activity-empty">
          <h2>{filtered ? t('activity_emptyFiltered') : t('activity_empty')}</h2>
          {!filtered && <p className="muted">{t('activity_emptyText')}</p>}
        </div>
      )}
      {entries && entries.length > 0 && (
        <ul className="activity-list">
          {entries.map((entry) => (
            <ActivityRow key={entry.id} entry={entry} now={now} />
          ))}
        </ul>
      )}
    </Shell>
  );
}

/**
 * The filtered list, refreshed every few seconds, and every site the person
 * may want to filter on: the connected ones and any seen in the list.
 */
function useActivity(origin: string, kind: LedgerKind | '') {
  const [entries, setEntries] = useState<LedgerEntry[]>();
  const [origins, setOrigins] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const [now, setNow] = useState(() => Date.now());
  // A slow answer for an old filter must not replace the list for the new one.
  const latest = useRef(0);
  const addOrigins = useCallback((more: string[]) => setOrigins((known) => [...new Set([...known, ...more])].sort()), []);

  const refresh = useCallback(async () => {
    const ticket = ++latest.current;
    const filter: ActivityFilter = { ...(origin && { origin }), ...(kind && { kind }) };
    try {
      const { entries: next } = await call({ type: 'activity.list', filter });
      if (ticket !== latest.current) return;
      setEntries(next);
      setNow(Date.now());
      setError(undefined);
      addOrigins(next.map((e) => e.origin));
    } catch (e) {
      if (ticket === latest.current && !handleLocked(e)) setError(e);
    }
  }, [origin, kind, addOrigins]);
  useRefreshWhileVisible(refresh, REFRESH_MS);

  useEffect(() => {
    // Only for the filter's choices: without it the list still works.
    call({ type: 'limits.get' }).then(
      (limits) => addOrigins(limits.sites.map((s) => s.origin)),
      () => undefined,
    );
  }, [addOrigins]);

  return { entries, origins, error, now };
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // The download reads the blob after the click returns; give it time before letting it go.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function ActivityRow({ entry, now }: { entry: LedgerEntry; now: number }) {
  const t = useT();
  const locale = useLocale();
  const state = statusTone(entry);
  return (
    <li className="activity-row" data-testid="activity-row" data-status={entry.status} data-kind={entry.kind} data-source={entry.source} data-origin={entry.origin} data-direction={entry.direction}>
      <div className="activity-what">
        <span className="activity-kind">{entryLabel(entry, t)}</span>
        <span className="activity-site" title={entry.origin}>
          {originParts(entry.origin).host}
        </span>
      </div>
      <span className="activity-amount" data-direction={entry.direction} data-state={state}>
        {formatSignedSats(entry.amountSat, entry.direction, locale)}
      </span>
      <div className="activity-meta">
        <time dateTime={new Date(entry.createdAt).toISOString()} title={formatDateTime(entry.createdAt, locale)}>
          {formatRelativeTime(entry.createdAt, now, locale)}
        </time>
        <span className={`status status-${state}`}>
          <span className="status-mark" aria-hidden="true" />
          {statusLabel(entry, t)}
        </span>
        {entry.feeSat !== undefined && entry.feeSat > 0 && <span>{t('activity_fee', { amount: formatSats(entry.feeSat, locale) })}</span>}
      </div>
      {entry.description && (
        <p className="activity-description" title={entry.description}>
          {entry.description}
        </p>
      )}
      {entry.status === 'failed' && entry.failureReason && (
        <p className="activity-failure">{t('activity_failureReason', { reason: failureText(entry.failureReason, t) })}</p>
      )}
    </li>
  );
}
