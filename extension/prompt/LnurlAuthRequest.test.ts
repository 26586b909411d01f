/**
 * The login prompt as markup (react-dom/server): a login for another site than the asking page's
 * can't be approved until the person ticked that they meant it.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import type { ApprovalRequest } from '../../src/webln/approval.ts';
import { staticAnswer } from '../ui/render-testing.ts';
import { LnurlAuthRequest } from './LnurlAuthRequest.tsx';

vi.mock('webextension-polyfill', async () => (await import('../ui/render-testing.ts')).polyfillStub);
vi.mock('../ui/i18n.ts', async (original) => (await import('../ui/render-testing.ts')).englishI18n(await original()));

const answer = staticAnswer;
const KEY = '02'.padEnd(66, 'a');

function render(origin: string, domain: string): string {
  const request: Extract<ApprovalRequest, { kind: 'lnurlAuth' }> = { kind: 'lnurlAuth', origin, domain, action: 'login', linkingPubkey: KEY };
  return renderToStaticMarkup(createElement(LnurlAuthRequest, { request, answer }));
}

/** The opening tag of the element with `data-testid`, or undefined. */
const tag = (html: string, testId: string) => new RegExp(`<[a-z]+[^>]*data-testid="${testId}"[^>]*>`).exec(html)?.[0];

describe('LnurlAuthRequest', () => {
  it("another site's login: an unticked box saying so, and Log in disabled until it is ticked", () => {
    const html = render('https://evil.example', 'bank.example');
    expect(tag(html, 'prompt-lnurl-other-site')).toMatch(/type="checkbox"/);
    expect(tag(html, 'prompt-lnurl-other-site')).not.toMatch(/checked/);
    expect(html).toContain('This is for bank.example, not for the site you are on (evil.example). Go on only if you expected that.');
    expect(tag(html, 'prompt-approve')).toMatch(/disabled/);
  });

  it("the page's own host: no box, no warning, Log in enabled", () => {
    const html = render('https://bank.example', 'bank.example');
    expect([tag(html, 'prompt-lnurl-other-site'), tag(html, 'prompt-lnurl-elsewhere')]).toEqual([undefined, undefined]);
    expect(tag(html, 'prompt-approve')).not.toMatch(/disabled/);
  });

  it("another host of the page's own site: the warning line, no box, Log in enabled", () => {
    const html = render('https://www.bank.example', 'auth.bank.example');
    expect(tag(html, 'prompt-lnurl-other-site')).toBeUndefined();
    expect(html).toContain('This is for auth.bank.example, not for the site you are on (www.bank.example).');
    expect(tag(html, 'prompt-approve')).not.toMatch(/disabled/);
  });
});
