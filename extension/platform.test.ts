import { describe, expect, it, vi } from 'vitest';

/** The two browsers as the adapter sees them: Chrome's and Firefox's answers to the same questions. */
const api = vi.hoisted(() => ({ permissions: [] as string[] }));
vi.mock('webextension-polyfill', () => ({
  default: { runtime: { getManifest: () => ({ permissions: api.permissions }) } },
}));

const { faviconUrl, inChromeTerms } = await import('./platform.ts');

describe('inChromeTerms', () => {
  const base = { requestId: '1', url: 'https://api.example/data', tabId: 3, frameId: 0, type: 'xmlhttprequest' };

  it('leaves Chrome details as they are', () => {
    const chrome = { ...base, initiator: 'https://shop.example', responseHeaders: [{ name: 'WWW-Authenticate', value: 'L402 a' }, { name: 'WWW-Authenticate', value: 'LSAT b' }] };
    expect(inChromeTerms(chrome)).toEqual(chrome);
    const typed = { ...base, type: 'main_frame' };
    expect(inChromeTerms(typed)).toEqual(typed);
  });

  it("takes Firefox's requesting document URL as the initiator origin", () => {
    expect(inChromeTerms({ ...base, originUrl: 'https://shop.example/a/page.html?q=1', documentUrl: 'https://shop.example/a/page.html?q=1' }).initiator).toBe('https://shop.example');
    expect(inChromeTerms({ ...base, originUrl: 'http://127.0.0.1:8080/x' }).initiator).toBe('http://127.0.0.1:8080');
  });

  it('gives no initiator where Firefox names no requesting document (a sandboxed frame) or no URL', () => {
    expect(inChromeTerms(base)).not.toHaveProperty('initiator');
    expect(inChromeTerms({ ...base, originUrl: 'not a url' })).not.toHaveProperty('initiator');
  });

  it('an initiator Chrome gave wins over any originUrl', () => {
    expect(inChromeTerms({ ...base, initiator: 'null', originUrl: 'https://shop.example/' }).initiator).toBe('null');
  });

  it("splits a header Firefox joined with newlines back into Chrome's one entry per line", () => {
    const firefox = { ...base, statusCode: 402, responseHeaders: [{ name: 'www-authenticate', value: 'LSAT macaroon="a", invoice="b"\nL402 macaroon="a", invoice="b"' }, { name: 'content-type', value: 'text/html' }, { name: 'x-empty' }] };
    expect(inChromeTerms(firefox).responseHeaders).toEqual([
      { name: 'www-authenticate', value: 'LSAT macaroon="a", invoice="b"' },
      { name: 'www-authenticate', value: 'L402 macaroon="a", invoice="b"' },
      { name: 'content-type', value: 'text/html' },
      { name: 'x-empty' },
    ]);
  });
});

describe('faviconUrl', () => {
  it("Chrome's favicon cache, with the favicon permission", () => {
    api.permissions = ['storage', 'favicon'];
    expect(faviconUrl('https://shop.example')).toBe('/_favicon/?pageUrl=https%3A%2F%2Fshop.example&size=32');
  });

  it("none without it (Firefox's manifest): the prompt shows no icon rather than a broken one", () => {
    api.permissions = ['storage'];
    expect(faviconUrl('https://shop.example')).toBeUndefined();
  });
});
