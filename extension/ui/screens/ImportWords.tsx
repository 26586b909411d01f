import { useState, type FormEvent } from 'react';
import { parseMnemonic } from '../../../src/vault/mnemonic.ts';
import { Button, FormError, Shell, TextAreaField, WarningNote, verbatimText } from '../components.tsx';
import { useT } from '../i18n.ts';
import { endOnboarding, useRoute } from '../route.ts';

/** An existing recovery phrase, checked here word by word before the password step. */
export function ImportWords() {
  const t = useT();
  const restoring = useRoute((s) => s.restoring);
  const [text, setText] = useState(() => useRoute.getState().draft?.mnemonic ?? '');
  const [error, setError] = useState<unknown>(undefined);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    try {
      const mnemonic = parseMnemonic(text);
      useRoute.setState({ draft: { mnemonic, replace: restoring, origin: 'import' }, screen: 'password' });
    } catch (problem) {
      setError(problem);
    }
  };
  return (
    <Shell testId="import-screen" title={restoring ? t('import_restoreTitle') : t('import_title')} onBack={() => endOnboarding(restoring ? 'unlock' : 'welcome')}>
      <form className="stack" onSubmit={submit} noValidate>
        {restoring && (
          <WarningNote>
            <p>{t('import_replaceWarning')}</p>
          </WarningNote>
        )}
        <TextAreaField
          testId="import-mnemonic"
          label={t('import_label')}
          hint={t('import_hint')}
          rows={5}
          autoFocus
          {...verbatimText}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setError(undefined);
          }}
        />
        <FormError error={error} />
        <Button testId="import-submit" type="submit">
          {t('common_continue')}
        </Button>
      </form>
    </Shell>
  );
}
