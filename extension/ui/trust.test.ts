/**
 * Accepting a self-signed node's certificate, as the screens read the worker's answer and show it
 * (static render): the fingerprint to compare or why there is none, the wait, the end of a wait.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { englishText } from './render-testing.ts';
import { TrustAgain, TrustCertificate, trustTarget } from './trust.tsx';

vi.mock('webextension-polyfill', async () => (await import('./render-testing.ts')).polyfillStub);
vi.mock('./i18n.ts', async (original) => (await import('./render-testing.ts')).englishI18n(await original()));

const FP = 'B4:18:29:8B:E4:D0:C0:E7:26:E3:46:ED:7C:8E:CA:7D:46:5A:5D:7C:B9:7F:CC:04:72:B0:A9:47:F0:36:AC:38';
const untrusted = (details: Record<string, unknown>) => ({ code: 'NODE_TLS_UNTRUSTED', message: 'node: certificate not accepted in the browser', details });

describe('trustTarget: what a refusal names', () => {
  it('the address to open, the fingerprint from the link, whether the last wait gave up', () => {
    expect(trustTarget(untrusted({ checkUrl: 'https://10.0.0.2:8080/v1/state', fingerprint: FP }))).toEqual({
      checkUrl: 'https://10.0.0.2:8080/v1/state',
      fingerprint: FP,
      gaveUp: false,
    });
    expect(trustTarget(untrusted({ checkUrl: 'https://10.0.0.2:8089/', gaveUp: true }))).toEqual({ checkUrl: 'https://10.0.0.2:8089/', gaveUp: true });
  });

  it('nothing for a refusal without an address (a call failing on the saved node), or another error', () => {
    expect(trustTarget(untrusted({ cause: 'net::ERR_CERT_AUTHORITY_INVALID' }))).toBeUndefined();
    expect(trustTarget({ code: 'NODE_UNREACHABLE', message: 'x', details: { checkUrl: 'https://x/' } })).toBeUndefined();
    expect(trustTarget(new Error('boom'))).toBeUndefined();
  });
});

describe('TrustCertificate', () => {
  const render = (props: Parameters<typeof TrustCertificate>[0]) => renderToStaticMarkup(createElement(TrustCertificate, props));

  it('with the link’s certificate: its fingerprint, how to compare it, what happens next, one button', () => {
    const html = render({ fingerprint: FP, busy: false, onOpen: () => undefined });
    expect(html).toContain(`data-testid="trust-fingerprint">${FP}<`);
    for (const key of ['trust_fingerprintFromLink', 'trust_compare', 'trust_steps', 'trust_open']) expect(html).toContain(englishText(key));
    expect(html).not.toContain('trust-waiting');
  });

  it('without one: says it can’t be checked here, and how to read the node’s', () => {
    const html = render({ fingerprint: undefined, busy: false, onOpen: () => undefined });
    expect(html).toContain(englishText('trust_noFingerprint'));
    expect(html).not.toContain('trust-fingerprint');
  });

  it('waiting, then given up', () => {
    expect(render({ fingerprint: FP, busy: true, onOpen: () => undefined })).toContain(englishText('trust_waiting'));
    const gaveUp = render({ fingerprint: FP, gaveUp: true, busy: false, onOpen: () => undefined });
    expect(gaveUp).toContain(englishText('trust_gaveUp'));
  });

  it('the saved node’s certificate refused now: said so, with the fingerprint accepted before', () => {
    const html = renderToStaticMarkup(createElement(TrustAgain, { fingerprint: FP, onTrusted: async () => undefined }));
    expect(html).toContain(englishText('trust_noLongerAccepted'));
    expect(html).toContain(englishText('trust_checkAgain'));
    expect(html).toContain(FP);
  });
});
