import { describe, expect, it } from 'vitest';
import { relayOf, toWorker, type Forward } from './relay.ts';

/** A worker that answers each message with the next of `answers`: an envelope, nothing, or a failure. */
function worker(...answers: Array<object | undefined | 'reject' | 'throw'>) {
  const sent: Forward[] = [];
  const send = (forward: Forward): Promise<unknown> => {
    sent.push(forward);
    const a = answers.shift();
    if (a === 'throw') throw new Error('Extension context invalidated.');
    return a === 'reject' ? Promise.reject(new Error('Could not establish connection')) : Promise.resolve(a);
  };
  return { send, sent };
}

describe('relayOf', () => {
  it('names the page’s arguments for the worker and keeps nothing else', () => {
    expect(relayOf({ id: 3, method: 'verifyMessage', args: ['sig', 'msg', 'extra'], origin: 'https://forged' })).toEqual({
      id: 3,
      forward: { method: 'verifyMessage', params: { signature: 'sig', message: 'msg' } },
    });
    expect(relayOf({ id: 4, method: 'getInfo' })).toEqual({ id: 4, forward: { method: 'getInfo' } });
  });

  it('answers an unknown method itself, naming the WebLN class, and drops what is no request', () => {
    expect(relayOf({ id: 5, method: 'exportKeys' })).toEqual({
      reply: { id: 5, ok: false, error: { code: 'UNSUPPORTED_METHOD', message: 'satnav: unknown method', name: 'UnsupportedMethodError' } },
    });
    for (const bad of [null, 'x', { id: 0, method: 'getInfo' }, { id: 1.5, method: 'getInfo' }, { id: 1, method: 'getInfo', args: 'no' }]) {
      expect(relayOf(bad)).toBeUndefined();
    }
  });
});

describe('toWorker', () => {
  const paywall: Forward = { method: 'paywall', params: { url: 'https://a.example/x' } };
  const payment: Forward = { method: 'sendPayment', params: { paymentRequest: 'lnbc1' } };

  it('hands the worker’s answer over, sent once', async () => {
    const w = worker({ ok: true, result: { retry: true } });
    expect(await toWorker(w.send, paywall)).toEqual({ ok: true, result: { retry: true } });
    expect(w.sent).toEqual([paywall]);
  });

  it('asks about a 402 once more when the worker is gone (rejected, thrown at once, or no answer), never a third time', async () => {
    for (const gone of ['reject', 'throw', undefined] as const) {
      const w = worker(gone, { ok: true, result: { retry: false } });
      expect(await toWorker(w.send, paywall)).toEqual({ ok: true, result: { retry: false } });
      expect(w.sent).toHaveLength(2);
    }
    const w = worker('reject', 'throw', { ok: true });
    expect(await toWorker(w.send, paywall)).toBeUndefined();
    expect(w.sent).toHaveLength(2);
  });

  it('never sends a payment twice: a worker gone is the page’s answer', async () => {
    const w = worker('reject', { ok: true, result: { preimage: 'p' } });
    expect(await toWorker(w.send, payment)).toBeUndefined();
    expect(w.sent).toEqual([payment]);
    expect(await toWorker(worker('throw').send, payment)).toBeUndefined();
  });
});
