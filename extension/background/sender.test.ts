import type { Runtime } from 'webextension-polyfill';
import { describe, expect, it, vi } from 'vitest';

const ID = 'satnavsatnavsatnavsatnavsatnavsa';
vi.mock('webextension-polyfill', () => ({
  default: {
    runtime: {
      id: 'satnavsatnavsatnavsatnavsatnavsa',
      getURL: (p: string) => `chrome-extension://satnavsatnavsatnavsatnavsatnavsa/${p}`,
    },
  },
}));
const { isExtensionPage, isOwnWorker, pageOrigin } = await import('./sender.ts');

const tab = { index: 0, highlighted: false, active: true, pinned: false, incognito: false } as Runtime.MessageSender['tab'];
const frame = (over: Partial<Runtime.MessageSender> & { origin?: string }): Runtime.MessageSender => ({ id: ID, tab, frameId: 0, ...over });

describe('pageOrigin: only the origin the browser reports for the frame', () => {
  const GOOD: Array<[why: string, sender: Runtime.MessageSender, origin: string]> = [
    ['a top-level https page', frame({ url: 'https://shop.example/pay', origin: 'https://shop.example' }), 'https://shop.example'],
    ['an http page (the local demo)', frame({ url: 'http://127.0.0.1:8080/', origin: 'http://127.0.0.1:8080' }), 'http://127.0.0.1:8080'],
    // Same origin as its parent, which can script it anyway: inheriting gives it nothing new.
    ['an about:blank child of an enabled page', frame({ url: 'about:blank', origin: 'https://shop.example', frameId: 7 }), 'https://shop.example'],
    ['an about:srcdoc child of an enabled page', frame({ url: 'about:srcdoc', origin: 'https://shop.example', frameId: 7 }), 'https://shop.example'],
    ['a cross-origin iframe speaks for itself', frame({ url: 'https://ads.example/x', origin: 'https://ads.example', frameId: 3 }), 'https://ads.example'],
  ];
  for (const [why, sender, origin] of GOOD) it(`${why} → ${origin}`, () => expect(pageOrigin(sender)).toBe(origin));

  const BAD: Array<[why: string, sender: Runtime.MessageSender]> = [
    ['a sandboxed frame showing the enabled site (opaque origin)', frame({ url: 'https://shop.example/pay', origin: 'null' })],
    ['a sandboxed srcdoc child', frame({ url: 'about:srcdoc', origin: 'null' })],
    ['a data: frame', frame({ url: 'data:text/html,<script>1</script>', origin: 'null' })],
    ['a file: page', frame({ url: 'file:///home/me/pay.html', origin: 'file://' })],
    ['no sender.origin: the URL alone is not trusted', frame({ url: 'https://shop.example/' })],
    ['a non-string origin', frame({ url: 'https://shop.example/', origin: 42 as unknown as string })],
    ['an origin with a path', frame({ url: 'https://shop.example/', origin: 'https://shop.example/pay' })],
    ['an origin with user info', frame({ url: 'https://shop.example/', origin: 'https://shop.example@evil.example' })],
    ['another extension’s page', frame({ url: 'chrome-extension://otherotherotherotherotherotherot/p.html', origin: 'chrome-extension://otherotherotherotherotherotherot' })],
    ['Satnav’s own page in a tab', frame({ url: `chrome-extension://${ID}/extension/popup/index.html`, origin: `chrome-extension://${ID}` })],
    ['a sender from another extension', frame({ id: 'otherotherotherotherotherotherot', url: 'https://shop.example/', origin: 'https://shop.example' })],
    ['no tab (an extension page, not a content script)', { id: ID, url: 'https://shop.example/', origin: 'https://shop.example' } as Runtime.MessageSender],
  ];
  for (const [why, sender] of BAD) it(`refuses ${why}`, () => expect(pageOrigin(sender)).toBeUndefined());
});

describe('isExtensionPage: Satnav’s own pages only', () => {
  it('accepts the popup and the prompt', () => {
    expect(isExtensionPage({ id: ID, url: `chrome-extension://${ID}/extension/popup/index.html` })).toBe(true);
    expect(isExtensionPage({ id: ID, url: `chrome-extension://${ID}/extension/prompt/index.html?id=x`, tab })).toBe(true);
  });
  const BAD: Array<[why: string, sender: Runtime.MessageSender]> = [
    ['a content script in a web page', frame({ url: 'https://shop.example/', origin: 'https://shop.example' })],
    ['a web page whose path names the extension', frame({ url: `https://evil.example/chrome-extension://${ID}/` })],
    ['another extension', { id: 'otherotherotherotherotherotherot', url: 'chrome-extension://otherotherotherotherotherotherot/x.html' }],
    ['another extension claiming our id in its URL', { id: 'otherotherotherotherotherotherot', url: `chrome-extension://${ID}/x.html` }],
    ['no URL', { id: ID }],
    ['an unparsable URL', { id: ID, url: 'not a url' }],
  ];
  for (const [why, sender] of BAD) it(`refuses ${why}`, () => expect(isExtensionPage(sender)).toBe(false));
});

describe('isOwnWorker: the offscreen document answers the service worker only', () => {
  const WORKER = `chrome-extension://${ID}/service-worker-loader.js`;
  it('accepts the worker as Chrome reports it (its script’s URL, no tab, frame or document)', () => {
    expect(isOwnWorker({ id: ID, url: WORKER })).toBe(true);
  });
  const BAD: Array<[why: string, sender: Runtime.MessageSender]> = [
    ['a content script in a web page', frame({ url: 'https://shop.example/', origin: 'https://shop.example', documentId: 'D1' } as Partial<Runtime.MessageSender>)],
    ['a content script in a frame whose URL is the worker’s script', frame({ url: WORKER, origin: `chrome-extension://${ID}` })],
    ['Satnav’s popup', { id: ID, url: `chrome-extension://${ID}/extension/popup/index.html`, frameId: 0, documentId: 'D2' } as Runtime.MessageSender],
    ['an extension page that names the worker’s URL but has a document', { id: ID, url: WORKER, documentId: 'D3' } as Runtime.MessageSender],
    ['an extension frame without a document id (frame 0)', { id: ID, url: `chrome-extension://${ID}/extension/popup/index.html`, frameId: 0 }],
    ['a sender with a web URL and no frame', { id: ID, url: 'https://shop.example/' }],
    ['the worker’s script opened in a tab', { id: ID, url: WORKER, tab, frameId: 0 }],
    ['another extension’s worker', { id: 'otherotherotherotherotherotherot', url: 'chrome-extension://otherotherotherotherotherotherot/service-worker-loader.js' }],
    ['another extension claiming our worker’s URL', { id: 'otherotherotherotherotherotherot', url: WORKER }],
    ['no URL', { id: ID }],
  ];
  for (const [why, sender] of BAD) it(`refuses ${why}`, () => expect(isOwnWorker(sender)).toBe(false));
});
