/**
 * The questions a frame can ask besides a payment (connect, unlock, LNURL pay, withdraw and login,
 * signMessage): asked from inside another site's page, each says which page, as the payment prompt does.
 */
import { createElement, type FunctionComponent } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import type { ApprovalRequest } from '../../src/webln/approval.ts';
import { englishText, staticAnswer, tagOf } from '../ui/render-testing.ts';
import { EnableRequest } from './EnableRequest.tsx';
import type { Answer } from './frame.tsx';
import { LnurlAuthRequest } from './LnurlAuthRequest.tsx';
import { LnurlPayRequest } from './LnurlPayRequest.tsx';
import { LnurlWithdrawRequest } from './LnurlWithdrawRequest.tsx';
import { SignRequest } from './SignRequest.tsx';
import { UnlockRequest } from './UnlockRequest.tsx';

vi.mock('webextension-polyfill', async () => (await import('../ui/render-testing.ts')).polyfillStub);
vi.mock('../ui/i18n.ts', async (original) => (await import('../ui/render-testing.ts')).englishI18n(await original()));

const ADS = 'https://ads.example';
type Framed = Extract<ApprovalRequest, { kind: 'enable' | 'unlock' | 'lnurlPay' | 'lnurlWithdraw' | 'lnurlAuth' | 'signMessage' }>;

const prompts: Array<[request: Framed, prompt: FunctionComponent<{ request: never; answer: Answer }>, paying: boolean]> = [
  [{ kind: 'enable', origin: ADS }, EnableRequest, false],
  [{ kind: 'enable', origin: ADS, via: 'paywall' }, EnableRequest, false],
  [{ kind: 'unlock', origin: ADS }, UnlockRequest, false],
  [
    { kind: 'lnurlPay', origin: ADS, domain: 'ads.example', minSat: 1, maxSat: 1_000, description: 'Tip', commentAllowed: 0, budget: { remainingDailySat: 10_000 } },
    LnurlPayRequest,
    true,
  ],
  [{ kind: 'lnurlWithdraw', origin: ADS, domain: 'ads.example', minSat: 1, maxSat: 100, description: 'Reward' }, LnurlWithdrawRequest, false],
  [{ kind: 'lnurlAuth', origin: ADS, domain: 'ads.example', action: 'login', linkingPubkey: '02'.padEnd(66, 'a') }, LnurlAuthRequest, false],
  [{ kind: 'signMessage', origin: ADS, message: 'hello' }, SignRequest, false],
];

const render = (prompt: FunctionComponent<{ request: never; answer: Answer }>, request: Framed) =>
  renderToStaticMarkup(createElement(prompt, { request: request as never, answer: staticAnswer }));

describe('a frame inside another site’s page', () => {
  for (const [request, prompt, paying] of prompts) {
    const name = request.kind === 'enable' && request.via ? `enable via ${request.via}` : request.kind;
    it(`${name}: names that page’s host${paying ? ', in a payment’s words' : ''}`, () => {
      const html = render(prompt, { ...request, embeddedIn: 'https://news.example:8443' });
      expect(tagOf(html, 'prompt-embedded')).toContain('role="alert"');
      expect(html).toContain(englishText(paying ? 'prompt_embeddedIn' : 'prompt_embeddedInAsk', { host: 'news.example:8443' }));
    });
    it(`${name}: a page the browser didn’t name still gets the warning`, () => {
      expect(render(prompt, { ...request, embeddedIn: null })).toContain(englishText(paying ? 'prompt_embeddedUnknown' : 'prompt_embeddedUnknownAsk'));
    });
    it(`${name}: a top-level page gets none`, () => {
      expect(tagOf(render(prompt, request), 'prompt-embedded')).toBe('');
    });
  }
});
