import { describe, expect, it } from 'vitest';
import { withNetErrors, type ErrorOccurredDetails, type ErrorOccurredEvent } from './net-errors.ts';

const OWN = 'chrome-extension://satnavsatnavsatnavsatnavsatnavsa';
const URL_ = 'https://192.168.1.20:8080/v1/getinfo';

/** webRequest.onErrorOccurred: listeners with their filters; `report` is the browser telling one. */
function reports() {
  const listeners = new Map<(d: ErrorOccurredDetails) => void, { urls: string[]; tabId?: number }>();
  const event: ErrorOccurredEvent = {
    addListener: (l, filter) => void listeners.set(l, filter),
    removeListener: (l) => void listeners.delete(l),
  };
  const report = (d: Partial<ErrorOccurredDetails> = {}) => {
    for (const l of listeners.keys()) l({ url: URL_, error: 'net::ERR_CERT_AUTHORITY_INVALID', tabId: -1, initiator: OWN, ...d });
  };
  return { event, report, listeners };
}

const failed = () => new TypeError('Failed to fetch');
const causeOf = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(TypeError);
  return (e as { cause?: { code?: string } }).cause?.code;
};

describe('withNetErrors: the browser’s reason for a failed node call', () => {
  it('a report heard while the call ran becomes the TypeError’s cause', async () => {
    const r = reports();
    const f = withNetErrors(async () => {
      r.report();
      throw failed();
    }, r.event, OWN);
    expect(await causeOf(f(URL_))).toBe('net::ERR_CERT_AUTHORITY_INVALID');
  });

  it('a report that comes just after the rejection is waited for', async () => {
    const r = reports();
    const f = withNetErrors(async () => {
      setTimeout(() => r.report({ error: 'net::ERR_CONNECTION_REFUSED' }), 20);
      throw failed();
    }, r.event, OWN);
    expect(await causeOf(f(URL_))).toBe('net::ERR_CONNECTION_REFUSED');
  });

  it('no report within the grace: the bare TypeError', async () => {
    const r = reports();
    const started = Date.now();
    const f = withNetErrors(async () => Promise.reject(failed()), r.event, OWN, 50);
    expect(await causeOf(f(URL_))).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('reports of other requests are not taken: another URL, a tab’s request, another initiator', async () => {
    const r = reports();
    const f = withNetErrors(async () => {
      r.report({ url: 'https://192.168.1.20:8080/v1/state' });
      r.report({ tabId: 7 });
      r.report({ initiator: 'https://evil.example' });
      throw failed();
    }, r.event, OWN, 30);
    expect(await causeOf(f(URL_))).toBeUndefined();
  });

  it('listens only to the extension’s own requests, with one listener, and only while calls run (and their linger)', async () => {
    const r = reports();
    let during: Array<{ urls: string[]; tabId?: number }> = [];
    let release!: () => void;
    const slow = new Promise<void>((res) => (release = res));
    const f = withNetErrors(async (input) => {
      during = [...r.listeners.values()];
      if (String(input).endsWith('slow')) await slow;
      return new Response('{}');
    }, r.event, OWN, 10, 30);
    const first = f(`${URL_}?slow`);
    expect((await f(URL_)).status).toBe(200);
    expect(during).toEqual([{ urls: ['http://*/*', 'https://*/*'], tabId: -1 }]);
    await new Promise((res) => setTimeout(res, 60));
    // A call still runs: the listener stays past the linger.
    expect(r.listeners.size).toBe(1);
    release();
    await first;
    await f(URL_);
    expect(r.listeners.size).toBe(1);
    await new Promise((res) => setTimeout(res, 60));
    expect(r.listeners.size).toBe(0);
    // A failed call lets go of it the same way.
    const failing = withNetErrors(async () => Promise.reject(failed()), r.event, OWN, 10, 30);
    await causeOf(failing(URL_));
    expect(r.listeners.size).toBe(1);
    await new Promise((res) => setTimeout(res, 60));
    expect(r.listeners.size).toBe(0);
  });

  it('two calls to one URL at once are both told the reason', async () => {
    const r = reports();
    let n = 0;
    const f = withNetErrors(async () => {
      if (++n === 2) r.report({ error: 'net::ERR_CERT_DATE_INVALID' });
      await new Promise((res) => setTimeout(res, 5));
      throw failed();
    }, r.event, OWN, 50, 10);
    expect(await Promise.all([causeOf(f(URL_)), causeOf(f(URL_))])).toEqual(['net::ERR_CERT_DATE_INVALID', 'net::ERR_CERT_DATE_INVALID']);
  });

  it('an abort is passed on as it is, without waiting', async () => {
    const r = reports();
    const f = withNetErrors(async () => Promise.reject(new DOMException('aborted', 'AbortError')), r.event, OWN, 10_000);
    await expect(f(URL_)).rejects.toMatchObject({ name: 'AbortError' });
  });
});
