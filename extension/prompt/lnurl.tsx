/** What the three LNURL questions share: the service they are about, what it wrote, and an amount within its range. */
import { useState, type ReactNode } from 'react';
import { SatsField } from '../ui/components.tsx';
import { formatSats } from '../ui/format.ts';
import { checkRangedAmount, type RangedAmount } from '../ui/forms.ts';
import { useLocale, useT, type Translate } from '../ui/i18n.ts';
import { WarningIcon } from '../ui/icons.tsx';
import { isSameHost, originParts } from '../ui/origin.ts';

/** The asking site's host when the service is another host (which the person should know), else undefined. */
export function elsewhereThan(origin: string, domain: string): string | undefined {
  return isSameHost(origin, domain) ? undefined : originParts(origin).host;
}

/**
 * The LNURL service, under the asking site: it gets the money, pays it, or logs
 * the person in. `elsewhere` says it is not the site they are on; `tone` how much that matters;
 * `confirm`, when given, stands in for the warning line: a box the person must tick to go on.
 */
export function ServiceCard(props: {
  label: string;
  domain: string;
  address?: string;
  image?: string;
  elsewhere?: string;
  tone: 'warning' | 'info';
  confirm?: ReactNode;
}) {
  // The metadata's image is meant as a data: URL (LUD-06); anything else would make the window fetch.
  const image = props.image?.startsWith('data:image/') ? props.image : undefined;
  return (
    <div className="site-card service-card" data-elsewhere={props.elsewhere !== undefined} data-tone={props.tone}>
      <span className="site-card-label">{props.label}</span>
      <div className="site-card-name">
        {image && <img className="service-image" src={image} alt="" width={40} height={40} data-testid="prompt-lnurl-image" />}
        <div className="service-name">
          <span className="origin origin-big" data-testid="prompt-lnurl-domain" title={props.domain}>
            <span className="origin-host">{props.domain}</span>
          </span>
          {props.address && (
            <span className="service-address" data-testid="prompt-lnurl-address">
              {props.address}
            </span>
          )}
        </div>
      </div>
      {props.elsewhere !== undefined &&
        (props.confirm ?? (
          <p className="site-card-warning" data-testid="prompt-lnurl-elsewhere">
            <WarningIcon />
            {props.elsewhere}
          </p>
        ))}
    </div>
  );
}

/** What the service wrote about itself or the payment: quoted, never mistaken for Satnav's words. */
export function ServiceNote({ text, long }: { text: string; long?: string }) {
  const t = useT();
  return (
    <>
      {text && (
        <figure className="site-note">
          <figcaption>{t('prompt_lnurlDescription')}</figcaption>
          <blockquote data-testid="prompt-lnurl-description">{text}</blockquote>
        </figure>
      )}
      {long && (
        <details className="more" data-testid="prompt-lnurl-long-description">
          <summary>{t('prompt_lnurlMore')}</summary>
          <p className="long-text" tabIndex={0}>
            {long}
          </p>
        </details>
      )}
    </>
  );
}

export interface RangedAmountState {
  minSat: number;
  maxSat: number;
  text: string;
  setText: (text: string) => void;
  check: RangedAmount;
}

/** The amount as typed, starting at `initialSat`, and whether the service accepts it. */
export function useRangedAmount(minSat: number, maxSat: number, initialSat: number): RangedAmountState {
  const [text, setText] = useState(String(initialSat));
  return { minSat, maxSat, text, setText, check: checkRangedAmount(text, minSat, maxSat) };
}

/** The amount field with the service's range under it; read-only when the service allows one amount only. */
export function RangedAmountField({ amount }: { amount: RangedAmountState }) {
  const t = useT();
  const locale = useLocale();
  const { minSat, maxSat, check } = amount;
  const fixed = minSat === maxSat;
  const problem = check.ok ? undefined : problemText(check.problem, minSat, maxSat, t, locale);
  return (
    <SatsField
      testId="prompt-lnurl-amount"
      label={t('prompt_amount')}
      value={amount.text}
      readOnly={fixed}
      aria-invalid={problem !== undefined}
      onChange={(e) => amount.setText(e.target.value)}
      hint={
        <>
          <span data-testid="prompt-lnurl-range" data-min-sat={minSat} data-max-sat={maxSat} data-fixed={fixed}>
            {fixed ? t('prompt_lnurlFixed') : t('prompt_lnurlRange', { min: formatSats(minSat, locale), max: formatSats(maxSat, locale) })}
          </span>
          {problem && (
            <span className="field-error" role="alert" data-testid="prompt-lnurl-amount-error">
              {problem}
            </span>
          )}
        </>
      }
    />
  );
}

function problemText(problem: Extract<RangedAmount, { ok: false }>['problem'], minSat: number, maxSat: number, t: Translate, locale: string): string {
  switch (problem) {
    case 'not_whole':
      return t('prompt_lnurlAmountInvalid');
    case 'below_min':
      return t('prompt_lnurlAmountBelow', { min: formatSats(minSat, locale) });
    case 'above_max':
      return t('prompt_lnurlAmountAbove', { max: formatSats(maxSat, locale) });
  }
}
