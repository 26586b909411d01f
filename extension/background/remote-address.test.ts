import { describe, expect, it } from 'vitest';
import { getJson } from '../../src/lnurl/http.ts';
import { codeOf } from '../../src/testing/expect-code.ts';
import { remoteAddresses, type ResponseStartedDetails, type ResponseStartedEvent } from './remote-address.ts';

const SELF = 'chrome-extension://satnavid';
const URL_ = 'https://pay.example/lnurlp/tips';

/** chrome.webRequest.onResponseStarted, driven by the test. */
function fakeEvent() {
  const listeners = new Set<(d: ResponseStartedDetails) => void>();
  const filters: unknown[] = [];
  const event: ResponseStartedEvent = {
    addListener: (l, filter) => {
      listeners.add(l);
      filters.push(filter);
    },
    removeListener: (l) => listeners.delete(l),
  };
  const fire = (d: Partial<ResponseStartedDetails> & { ip?: string }) => {
    for (const l of [...listeners]) l({ url: URL_, tabId: -1, initiator: SELF, ...d });
  };
  return { event, fire, listeners, filters };
}

describe('remoteAddresses', () => {
  it("reports the worker's own response's address, reported before or after the answer was in", async () => {
    const { event, fire } = fakeEvent();
    const addresses = remoteAddresses(event, SELF);
    const before = await addresses.watch(URL_);
    fire({ ip: '93.184.216.34' });
    expect(await before.reached()).toBe('93.184.216.34');
    before.stop();
    const after = await addresses.watch(URL_);
    const reached = after.reached();
    fire({ ip: '10.0.0.7' });
    expect(await reached).toBe('10.0.0.7');
  });

  it("ignores other URLs, tabs' requests, other initiators (a page can't vouch for the wallet's request)", async () => {
    const { event, fire } = fakeEvent();
    const watch = await remoteAddresses(event, SELF, 20).watch(URL_);
    fire({ url: 'https://pay.example/other', ip: '93.184.216.34' });
    fire({ tabId: 7, ip: '93.184.216.34' });
    fire({ initiator: 'https://evil.example', ip: '93.184.216.34' });
    expect(await watch.reached()).toBeUndefined();
  });

  it('nothing reported in time, or a response without an address: unknown', async () => {
    const { event, fire } = fakeEvent();
    const addresses = remoteAddresses(event, SELF, 20);
    const silent = await addresses.watch(URL_);
    expect(await silent.reached()).toBeUndefined();
    silent.stop();
    const cached = await addresses.watch(URL_);
    fire({});
    expect(await cached.reached()).toBeUndefined();
  });

  it('two responses to one URL: the private one counts', async () => {
    const { event, fire } = fakeEvent();
    const watch = await remoteAddresses(event, SELF).watch(URL_);
    fire({ ip: '93.184.216.34' });
    fire({ ip: '192.168.1.1' });
    expect(await watch.reached()).toBe('192.168.1.1');
  });

  it('one request per URL at a time; the listener lives only while something is watched', async () => {
    const { event, listeners, filters } = fakeEvent();
    const addresses = remoteAddresses(event, SELF);
    const first = await addresses.watch(`${URL_}#frag`);
    let second = false;
    const next = addresses.watch(URL_).then((w) => ((second = true), w));
    const other = await addresses.watch('https://pay.example/other');
    await Promise.resolve();
    expect([second, listeners.size]).toEqual([false, 2]);
    first.stop();
    (await next).stop();
    other.stop();
    expect([second, listeners.size]).toEqual([true, 0]);
    expect(filters[0]).toEqual({ urls: ['http://*/*', 'https://*/*'], tabId: -1 });
  });

  it('with the core: a public name the browser saw answer from 192.168.1.1 is refused', async () => {
    const { event, fire } = fakeEvent();
    const fetch = (async () => {
      fire({ ip: '192.168.1.1' });
      return Response.json({ tag: 'payRequest' });
    }) as typeof globalThis.fetch;
    expect(await codeOf(getJson(URL_, { fetch, addresses: remoteAddresses(event, SELF) }))).toBe('LNURL_PRIVATE_ADDRESS');
  });
});
