import { useState, type FormEvent } from 'react';
import { Button, Field, FormError, Shell, verbatimText } from '../components.tsx';
import { formError } from '../error-text.ts';
import { CONFIRM_WORD_COUNT, pickPositions, wordMatches } from '../forms.ts';
import { useT } from '../i18n.ts';
import { go, type Draft } from '../route.ts';

/** Proof the words were written down: a few of them, asked back at random positions. */
export function ConfirmWords({ draft }: { draft: Draft }) {
  const t = useT();
  const words = draft.mnemonic.split(' ');
  const [positions] = useState(() => pickPositions(words.length, CONFIRM_WORD_COUNT));
  const [typed, setTyped] = useState(() => positions.map(() => ''));
  const [error, setError] = useState<unknown>(undefined);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const wrong = positions.find((position, k) => !wordMatches(words[position - 1]!, typed[k]!));
    if (wrong === undefined) return go('password');
    setError(formError('SEED_WORD_MISMATCH', { position: wrong }));
    e.currentTarget.querySelector<HTMLInputElement>(`[data-position="${wrong}"]`)?.select();
  };
  return (
    <Shell testId="confirm-screen" title={t('confirm_title')} onBack={() => go('create')}>
      <form className="stack" onSubmit={submit} noValidate>
        <p className="lead">{t('confirm_intro')}</p>
        {positions.map((position, k) => (
          <Field
            key={position}
            testId={`confirm-word-input-${k + 1}`}
            data-position={position}
            label={t('confirm_wordLabel', { position })}
            value={typed[k]}
            onChange={(e) => setTyped(typed.map((v, i) => (i === k ? e.target.value : v)))}
            autoFocus={k === 0}
            {...verbatimText}
            required
          />
        ))}
        <FormError error={error} />
        <Button testId="confirm-words" type="submit">
          {t('common_continue')}
        </Button>
      </form>
    </Shell>
  );
}
