import { useEffect, useState, type ChangeEvent, type FormEvent } from 'react';
import type { Language, NodeStatus, Settings as SettingsValues } from '../../../src/messages/ui-api.ts';
import { handleLocked, openOptionsPage, revealMnemonic, updateSettings } from '../actions.ts';
import { call } from '../client.ts';
import { Button, Field, FormError, PasswordForm, Section, SelectField, Shell, verbatimText, WarningNote, WordGrid } from '../components.tsx';
import { formatMinutes } from '../format.ts';
import { LANGS, LANGUAGE_NAMES, useLocale, useT } from '../i18n.ts';
import { go, useRoute, visit } from '../route.ts';
import { useAction } from '../use-action.ts';

const AUTOLOCK_MINUTES = [1, 5, 15, 30, 60, 240];

export function Settings() {
  const t = useT();
  const landing = useRoute((s) => s.landing);
  const [settings, setSettings] = useState<SettingsValues>();
  const [node, setNode] = useState<NodeStatus>();
  const [loadError, setLoadError] = useState<unknown>(undefined);
  const save = useAction(updateSettings);
  const disconnect = useAction(() => call({ type: 'node.disconnect' }));

  useEffect(() => {
    Promise.all([call({ type: 'settings.get' }), call({ type: 'node.status' })]).then(
      ([s, n]) => {
        setSettings(s);
        setNode(n);
      },
      (e: unknown) => {
        if (!handleLocked(e)) setLoadError(e);
      },
    );
  }, []);

  const patch = async (change: Parameters<typeof updateSettings>[0]) => {
    const next = await save.run(change);
    if (next) setSettings(next);
  };

  return (
    <Shell testId="settings-screen" title={t('settings_title')} onBack={() => go('home')}>
      <FormError error={loadError ?? save.error} testId="settings-error" />
      {settings && (
        <Section title={t('settings_general')}>
          <SelectField
            testId="autolock-select"
            label={t('settings_autolock')}
            value={String(settings.autoLockMinutes)}
            onValue={(v) => void patch({ autoLockMinutes: Number(v) })}
            options={withCurrent(AUTOLOCK_MINUTES, settings.autoLockMinutes).map((m) => ({ value: String(m), label: <Minutes minutes={m} /> }))}
          />
          <SelectField
            testId="language-select"
            label={t('settings_language')}
            value={settings.language}
            onValue={(v) => void patch({ language: v as Language })}
            options={[
              { value: 'auto', label: t('settings_languageAuto') },
              ...LANGS.map((lang) => ({ value: lang, label: LANGUAGE_NAMES[lang] })),
            ]}
          />
        </Section>
      )}
      {node && (
        <Section title={t('settings_node')}>
          {node.connected ? (
            <>
              <dl className="details">
                <div>
                  <dt>{t('settings_nodeName')}</dt>
                  <dd data-testid="settings-node-name">
                    {node.alias || node.label || t('home_unnamedNode')}
                    {node.simulated && <span className="badge badge-sim">{t('common_simulated')}</span>}
                  </dd>
                </div>
                {node.network && (
                  <div>
                    <dt>{t('settings_nodeNetwork')}</dt>
                    <dd>{node.network}</dd>
                  </div>
                )}
                {node.restUrl && (
                  <div>
                    <dt>{t('settings_nodeAddress')}</dt>
                    <dd className="mono">{node.restUrl}</dd>
                  </div>
                )}
                <div>
                  <dt>{t('settings_nodeAssets')}</dt>
                  <dd data-testid="settings-tapd">{node.hasTapd ? t('settings_tapdConnected') : t('settings_tapdMissing')}</dd>
                </div>
              </dl>
              {!node.hasTapd && <AddTapd onAdded={setNode} />}
              <FormError error={disconnect.error} />
              <Button
                testId="disconnect-node"
                variant="danger"
                busy={disconnect.busy}
                onClick={async () => {
                  const next = await disconnect.run();
                  if (next) setNode(next);
                }}
              >
                {t('settings_disconnect')}
              </Button>
            </>
          ) : (
            <>
              <p className="muted">{t('settings_noNode')}</p>
              <Button testId="connect-node" variant="secondary" onClick={() => go('connect')}>
                {t('home_connectButton')}
              </Button>
            </>
          )}
        </Section>
      )}
      <Section title={t('settings_sites')}>
        <p className="muted">{t('settings_sitesText')}</p>
        <div className="row row-start">
          <Button testId="limits-button" variant="secondary" onClick={() => visit('limits')}>
            {t('limits_title')}
          </Button>
          <Button testId="activity-button" variant="secondary" onClick={() => visit('activity')}>
            {t('activity_title')}
          </Button>
        </div>
      </Section>
      <Section title={t('settings_security')}>
        <RevealSeed />
      </Section>
      {landing === 'home' && (
        <Button testId="open-options" variant="ghost" onClick={openOptionsPage}>
          {t('settings_openOptions')}
        </Button>
      )}
    </Shell>
  );
}

/** The configured value stays selectable even when it is not one of the offered choices. */
function withCurrent(choices: readonly number[], current: number): number[] {
  return choices.includes(current) ? [...choices] : [...choices, current].sort((a, b) => a - b);
}

function Minutes({ minutes }: { minutes: number }) {
  return <>{formatMinutes(minutes, useLocale())}</>;
}

/** Recovery words behind the password again; they leave memory when hidden or when the screen closes. */
function RevealSeed() {
  const t = useT();
  const [stage, setStage] = useState<'idle' | 'asking'>('idle');
  const [words, setWords] = useState<string[]>();
  const { busy, error, run } = useAction(revealMnemonic);
  const hide = () => {
    setWords(undefined);
    setStage('idle');
  };
  // The password form closes once the words show, and the typed password goes with it.
  const reveal = async (password: string) => {
    const revealed = await run(password);
    if (revealed) setWords(revealed);
  };
  if (words) {
    return (
      <>
        <WarningNote title={t('reveal_warning')} />
        <WordGrid words={words} testIdPrefix="revealed-word" />
        <Button testId="hide-seed" variant="secondary" autoFocus onClick={hide}>
          {t('reveal_hide')}
        </Button>
      </>
    );
  }
  if (stage === 'idle') {
    return (
      <>
        <p className="muted">{t('reveal_intro')}</p>
        <Button testId="reveal-seed" variant="secondary" onClick={() => setStage('asking')}>
          {t('reveal_button')}
        </Button>
      </>
    );
  }
  return (
    <PasswordForm testId="reveal-password" label={t('reveal_passwordLabel')} error={error} onPassword={(password) => void reveal(password)}>
      <div className="row">
        <Button testId="reveal-cancel" variant="ghost" onClick={hide}>
          {t('common_cancel')}
        </Button>
        <Button testId="reveal-submit" type="submit" busy={busy}>
          {t('reveal_submit')}
        </Button>
      </div>
    </PasswordForm>
  );
}

/**
 * tapd for a node connected without it (an lndconnect URI carries none): its REST address and
 * macaroon, typed (hex or base64) or read from the macaroon file; the worker checks tapd's getinfo
 * (same lnd) before keeping it.
 */
function AddTapd({ onAdded }: { onAdded: (status: NodeStatus) => void }) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const [url, setUrl] = useState('');
  const [macaroon, setMacaroon] = useState('');
  const add = useAction(() => call({ type: 'node.addTapd', tapdUrl: url.trim(), tapdMacaroon: macaroon.trim() }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const next = await add.run();
    if (next) onAdded(next);
  };
  // A macaroon file is binary: read as hex, the form the worker takes.
  const readFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    const bytes = new Uint8Array(await file.arrayBuffer());
    setMacaroon(Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(''));
  };
  if (!open) {
    return (
      <Button testId="add-tapd" variant="secondary" onClick={() => setOpen(true)}>
        {t('settings_addTapd')}
      </Button>
    );
  }
  return (
    <form className="stack" onSubmit={(e) => void submit(e)} noValidate data-testid="add-tapd-form">
      <p className="hint">{t('settings_addTapdIntro')}</p>
      <Field testId="tapd-url" label={t('settings_tapdUrl')} placeholder="https://127.0.0.1:8089" autoFocus {...verbatimText} value={url} onChange={(e) => setUrl(e.target.value)} />
      <Field testId="tapd-macaroon" label={t('settings_tapdMacaroon')} hint={t('settings_tapdMacaroonHint')} {...verbatimText} value={macaroon} onChange={(e) => setMacaroon(e.target.value)} />
      <div className="field">
        <label>
          {t('settings_tapdMacaroonFile')}
          <input type="file" data-testid="tapd-macaroon-file" accept=".macaroon,application/octet-stream" onChange={(e) => void readFile(e)} />
        </label>
      </div>
      <FormError error={add.error} testId="add-tapd-error" />
      <div className="row">
        <Button testId="add-tapd-cancel" variant="ghost" onClick={() => setOpen(false)}>
          {t('common_cancel')}
        </Button>
        <Button testId="add-tapd-submit" type="submit" busy={add.busy} disabled={url.trim() === '' || macaroon.trim() === ''}>
          {t('settings_addTapdSubmit')}
        </Button>
      </div>
    </form>
  );
}
