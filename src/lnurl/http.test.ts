/**
 * getJson's wire rules, the ones a page could otherwise turn into a scanner of the person's
 * network: no redirect followed, no answer used from a private address, nothing sent when
 * `beforeRequest` refuses.
 */
import { describe, expect, it } from 'vitest';
import { SatnavError } from '../errors.ts';
import { codeOf, rejectedWith } from '../testing/expect-code.ts';
import { getJson, type AddressWatch, type RemoteAddresses } from './http.ts';
import { fakeService } from './testing.ts';

const URL_ = 'https://pay.example/lnurlp/tips';
const OK_JSON = { json: { tag: 'payRequest' } };

/** A watcher that says the answer came from `address`, and records what it was asked. */
function addressesAt(address: string | undefined) {
  const log: string[] = [];
  const addresses: RemoteAddresses = {
    async watch(url) {
      log.push(`watch ${url}`);
      const watch: AddressWatch = {
        reached: async () => {
          log.push('reached');
          return address;
        },
        stop: () => log.push('stop'),
      };
      return watch;
    },
  };
  return { addresses, log };
}

describe('redirects: never followed', () => {
  it('a 302 into the LAN: refused, and the LAN never hears of it', async () => {
    const svc = fakeService({ [URL_]: { redirect: 'http://192.168.1.1/cgi-bin/reboot' }, 'http://192.168.1.1/cgi-bin/reboot': OK_JSON });
    const e = await rejectedWith(getJson(URL_, { fetch: svc.fetch }));
    expect([e.code, e.message]).toEqual(['LNURL_REDIRECT', 'lnurl: service answered with a redirect, which is not followed=pay.example']);
    expect(svc.calls.map((c) => c.url.host)).toEqual(['pay.example']);
  });

  it("a browser's opaque answer to a manual redirect: refused", async () => {
    expect(await codeOf(getJson(URL_, { fetch: fakeService({ [URL_]: { opaqueRedirect: true } }).fetch }))).toBe('LNURL_REDIRECT');
  });

  it('a fetch that followed anyway (redirected answer): refused', async () => {
    const followed = (async () => Object.defineProperty(Response.json({ tag: 'payRequest' }), 'redirected', { value: true })) as typeof fetch;
    expect(await codeOf(getJson(URL_, { fetch: followed }))).toBe('LNURL_REDIRECT');
  });
});

describe('the address the answer came from', () => {
  for (const address of ['192.168.1.1', '10.0.0.7', '127.0.0.1', '::1', 'fd00::5', '::ffff:169.254.169.254']) {
    it(`a public name answering from ${address}: LNURL_PRIVATE_ADDRESS, the body never read`, async () => {
      const { addresses, log } = addressesAt(address);
      const e = await rejectedWith(getJson(URL_, { fetch: fakeService({ [URL_]: OK_JSON }).fetch, addresses }));
      expect([e.code, e.message]).toEqual(['LNURL_PRIVATE_ADDRESS', `lnurl: service answered from a private address=pay.example at ${address}`]);
      expect(log).toEqual([`watch ${URL_}`, 'reached', 'stop']);
    });
  }

  it('an address the browser did not report: refused too (a check that can be skipped is no check)', async () => {
    const { addresses } = addressesAt(undefined);
    const e = await rejectedWith(getJson(URL_, { fetch: fakeService({ [URL_]: OK_JSON }).fetch, addresses }));
    expect([e.code, e.message]).toEqual(['LNURL_PRIVATE_ADDRESS', 'lnurl: the browser did not say where the answer came from=pay.example']);
  });

  it('a public address: the answer is read; the watch is stopped', async () => {
    const { addresses, log } = addressesAt('93.184.216.34');
    expect(await getJson(URL_, { fetch: fakeService({ [URL_]: OK_JSON }).fetch, addresses })).toEqual({ tag: 'payRequest' });
    expect(log).toEqual([`watch ${URL_}`, 'reached', 'stop']);
  });

  it('a request that fails: the watch is stopped all the same', async () => {
    const { addresses, log } = addressesAt('93.184.216.34');
    expect(await codeOf(getJson(URL_, { fetch: fakeService({}).fetch, addresses }))).toBe('LNURL_UNREACHABLE');
    expect(log).toEqual([`watch ${URL_}`, 'stop']);
  });

  it('a watch that never answers ends with the deadline', async () => {
    const addresses: RemoteAddresses = { watch: async () => ({ reached: () => new Promise(() => {}), stop: () => {} }) };
    expect(await codeOf(getJson(URL_, { fetch: fakeService({ [URL_]: OK_JSON }).fetch, addresses, timeoutMs: 20 }))).toBe('LNURL_TIMEOUT');
  });

  it('not watched on the devnet (private networks allowed) nor for an onion service (reached through a local proxy)', async () => {
    const { addresses, log } = addressesAt('127.0.0.1');
    const onion = 'http://abcdefgh.onion/lnurlp/tips';
    const svc = fakeService({ [URL_]: OK_JSON, [onion]: OK_JSON, 'http://127.0.0.1:8900/p': OK_JSON });
    await getJson(onion, { fetch: svc.fetch, addresses });
    await getJson('http://127.0.0.1:8900/p', { fetch: svc.fetch, addresses, allowInsecureLocalhost: true });
    expect(log).toEqual([]);
  });
});

describe('beforeRequest', () => {
  it('runs before every request; what it throws stops the request', async () => {
    const svc = fakeService({ [URL_]: OK_JSON });
    const locked = async () => {
      throw new SatnavError('VAULT_LOCKED', 'test: locked');
    };
    expect(await codeOf(getJson(URL_, { fetch: svc.fetch, beforeRequest: locked }))).toBe('VAULT_LOCKED');
    expect(svc.calls).toEqual([]);
  });
});
