import { describe, expect, it } from 'vitest';
import { PageWalls, SentTimes, seen402, type HeadersReceivedDetails, type Seen402 } from './observations.ts';

const L402 = 'L402 macaroon="AgE=", invoice="lnbcrt1"';

function details(over: Partial<HeadersReceivedDetails> = {}): HeadersReceivedDetails {
  return {
    requestId: '1',
    url: 'https://api.example/data.json?x=1',
    method: 'GET',
    tabId: 7,
    frameId: 0,
    parentFrameId: -1,
    type: 'xmlhttprequest',
    timeStamp: 5_000,
    initiator: 'https://shop.example',
    statusCode: 402,
    responseHeaders: [
      { name: 'WWW-Authenticate', value: 'LSAT macaroon="AgE=", invoice="lnbcrt1"' },
      { name: 'www-authenticate', value: L402 },
      { name: 'Content-Type', value: 'text/plain' },
    ],
    ...over,
  };
}

describe('seen402: a 402 with a challenge, as the browser reported it', () => {
  it('keeps every WWW-Authenticate line apart, and PAYMENT-REQUIRED, whatever their case', () => {
    const s = seen402(details({ responseHeaders: [{ name: 'www-authenticate', value: L402 }, { name: 'Payment-Required', value: 'eyJ4' }, { name: 'PAYMENT-REQUIRED', value: 'second' }] }), 4_000);
    expect(s?.headers).toEqual({ wwwAuthenticate: [L402], paymentRequired: 'eyJ4' });
    expect(s).toMatchObject({ url: 'https://api.example/data.json?x=1', tabId: 7, frameId: 0, type: 'xmlhttprequest', initiator: 'https://shop.example', sentAt: 4_000, seenAt: 5_000 });
    expect(seen402(details(), 1)!.headers.wwwAuthenticate).toHaveLength(2);
  });

  it('unknown send time reads as 0 (before any credential applied: at worst a useless retry, never a second purchase)', () => {
    expect(seen402(details(), undefined)?.sentAt).toBe(0);
  });

  it('drops the fragment', () => {
    expect(seen402(details({ url: 'https://api.example/a#frag' }), 1)?.url).toBe('https://api.example/a');
  });

  const ignored: Array<[string, Partial<HeadersReceivedDetails>]> = [
    ['another status', { statusCode: 401 }],
    ['a 402 without any challenge', { responseHeaders: [{ name: 'content-type', value: 'text/plain' }] }],
    ['a request outside any tab (the worker’s own, a service worker’s)', { tabId: -1 }],
    ['a prerendered page', { documentLifecycle: 'prerender' }],
    ['a fenced frame', { frameType: 'fenced_frame' }],
    ['a non-web URL', { url: 'ftp://x.example/a' }],
  ];
  for (const [why, over] of ignored) it(`ignores ${why}`, () => expect(seen402(details(over), 1)).toBeUndefined());
});

describe('SentTimes', () => {
  it('remembers when each request left, the last hop of a redirect counting, and forgets it once taken', () => {
    const t = new SentTimes();
    t.sent('a', 1);
    t.sent('a', 2);
    expect(t.take('a')).toBe(2);
    expect(t.take('a')).toBeUndefined();
  });

  it('is bounded: the oldest requests are forgotten first', () => {
    const t = new SentTimes(3);
    for (const id of ['a', 'b', 'c', 'd']) t.sent(id, 1);
    expect(t.take('a')).toBeUndefined();
    expect(t.take('d')).toBe(1);
  });
});

function wall(over: Partial<Seen402> = {}): Seen402 {
  return { ...seen402(details(), 4_000)!, ...over };
}

describe('PageWalls: 402s of fetch/XHR waiting for the provider’s question', () => {
  it('hands each sighting out once, oldest first, only to its tab and the origin that made it', async () => {
    const clock = { ms: 5_000 };
    const walls = new PageWalls({ now: () => clock.ms });
    walls.add(wall({ sentAt: 1 }));
    walls.add(wall({ sentAt: 2 }));
    expect(await walls.take(8, 'https://shop.example', 'https://api.example/data.json?x=1', 0)).toBeUndefined();
    expect(await walls.take(7, 'https://evil.example', 'https://api.example/data.json?x=1', 0)).toBeUndefined();
    expect(await walls.take(7, 'https://shop.example', 'https://api.example/data.json?x=2', 0)).toBeUndefined();
    expect((await walls.take(7, 'https://shop.example', 'https://api.example/data.json?x=1#f', 0))?.sentAt).toBe(1);
    expect((await walls.take(7, 'https://shop.example', 'https://api.example/data.json?x=1', 0))?.sentAt).toBe(2);
    expect(await walls.take(7, 'https://shop.example', 'https://api.example/data.json?x=1', 0)).toBeUndefined();
  });

  it('waits for a report that comes after the question, up to the time given', async () => {
    const walls = new PageWalls();
    const asked = walls.take(7, 'https://shop.example', 'https://api.example/data.json?x=1', 1_000);
    setTimeout(() => walls.add(wall({ seenAt: Date.now() })), 20);
    expect(await asked).toBeDefined();
    const start = Date.now();
    expect(await walls.take(7, 'https://shop.example', 'https://api.example/none', 50)).toBeUndefined();
    expect(Date.now() - start).toBeGreaterThanOrEqual(45);
  });

  it('forgets sightings past their time, bounds their number, and tells each change for the next worker life', async () => {
    const clock = { ms: 5_000 };
    const changes: number[] = [];
    const walls = new PageWalls({ now: () => clock.ms, max: 2, ttlMs: 1_000, onChange: (l) => changes.push(l.length) });
    for (const sentAt of [1, 2, 3]) walls.add(wall({ sentAt }));
    expect(changes).toEqual([1, 2, 2]);
    expect((await walls.take(7, 'https://shop.example', 'https://api.example/data.json?x=1', 0))?.sentAt).toBe(2);
    clock.ms = 6_001;
    expect(await walls.take(7, 'https://shop.example', 'https://api.example/data.json?x=1', 0)).toBeUndefined();
  });

  it('offers again what an earlier worker life kept', async () => {
    const walls = new PageWalls({ now: () => 5_000 });
    walls.restore([wall({ sentAt: 9 })]);
    expect((await walls.take(7, 'https://shop.example', 'https://api.example/data.json?x=1', 0))?.sentAt).toBe(9);
  });
});
