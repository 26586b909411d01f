import { useState } from 'react';
import { generateMnemonic } from '../../../src/vault/mnemonic.ts';
import { Button, Segmented, Shell, WarningNote, WordGrid } from '../components.tsx';
import { useT } from '../i18n.ts';
import { endOnboarding, useRoute } from '../route.ts';

type Length = '12' | '24';

/** A new recovery phrase, shown once. Coming back from the confirm step shows the same words. */
export function CreateWords() {
  const t = useT();
  const [mnemonic, setMnemonic] = useState(() => useRoute.getState().draft?.mnemonic ?? generateMnemonic(12));
  const words = mnemonic.split(' ');
  const length: Length = words.length === 24 ? '24' : '12';
  const next = () => useRoute.setState({ draft: { mnemonic, replace: false, origin: 'create' }, screen: 'confirm' });
  return (
    <Shell
      testId="create-screen"
      title={t('create_title')}
      onBack={() => endOnboarding('welcome')}
      footer={
        <Button testId="words-written" onClick={next}>
          {t('create_written')}
        </Button>
      }
    >
      <Segmented<Length>
        label={t('create_length')}
        value={length}
        choices={[
          { value: '12', label: t('create_words12'), testId: 'words-12' },
          { value: '24', label: t('create_words24'), testId: 'words-24' },
        ]}
        onChange={(value) => value !== length && setMnemonic(generateMnemonic(value === '24' ? 24 : 12))}
      />
      <WarningNote title={t('create_warningTitle')}>
        <ul>
          <li>{t('create_warningWrite')}</li>
          <li>{t('create_warningNeverShare')}</li>
          <li>{t('create_warningOnce')}</li>
        </ul>
      </WarningNote>
      <WordGrid words={words} testIdPrefix="mnemonic-word" />
    </Shell>
  );
}
