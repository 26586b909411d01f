import { describe, expect, it } from 'vitest';
import { weblnParams } from '../../src/webln/params.ts';
import { RELAYED_METHODS, relayOf } from '../content/relay.ts';

describe('bridge relay: known WebLN methods only, rebuilt from the method and its arguments', () => {
  it('relays exactly the methods the worker knows', () => {
    expect([...RELAYED_METHODS].sort()).toEqual(Object.keys(weblnParams).sort());
  });

  it('forwards a request as {method, params} and nothing else', () => {
    const r = relayOf({ id: 3, method: 'sendPayment', args: ['lnbc1'], params: { paymentRequest: 'x' }, origin: 'https://shop.example', channel: 'satnav/ui' });
    expect(r).toEqual({ id: 3, forward: { method: 'sendPayment', params: { paymentRequest: 'lnbc1' } } });
    expect(relayOf({ id: 4, method: 'enable' })).toEqual({ id: 4, forward: { method: 'enable' } });
    expect(relayOf({ id: 5, method: 'getInfo', args: [{ ignored: true }] })).toEqual({ id: 5, forward: { method: 'getInfo' } });
  });

  it('names the arguments as the worker reads them (webln/params.ts), in order; an object argument is the params', () => {
    const forward = (method: string, args: unknown[]) => (relayOf({ id: 1, method, args }) as { forward: unknown }).forward;
    expect(forward('verifyMessage', ['sig', 'msg'])).toEqual({ method: 'verifyMessage', params: { signature: 'sig', message: 'msg' } });
    expect(forward('request', ['getinfo'])).toEqual({ method: 'request', params: { method: 'getinfo', params: undefined } });
    expect(forward('makeInvoice', [21])).toEqual({ method: 'makeInvoice', params: { args: 21 } });
    expect(forward('keysend', [{ destination: 'd', amount: 1 }])).toEqual({ method: 'keysend', params: { destination: 'd', amount: 1 } });
    expect(forward('paywall', ['https://a.example/x'])).toEqual({ method: 'paywall', params: { url: 'https://a.example/x' } });
    for (const method of RELAYED_METHODS) {
      const { params } = forward(method, ['a', 'b']) as { params?: unknown };
      const parsed = weblnParams[method as keyof typeof weblnParams].safeParse(params);
      // Strings where the worker wants them, an object where it wants one: anything else is the schema's doing, not a key the worker doesn't know.
      expect(parsed.success || !JSON.stringify(parsed.error?.issues).includes('unrecognized_keys')).toBe(true);
    }
  });

  for (const method of ['vault.reveal', 'approval.decide', 'node.connect', '__proto__', 'constructor', 'toString', 'SENDPAYMENT', 'on', '']) {
    it(`answers ${JSON.stringify(method)} itself with UnsupportedMethodError`, () => {
      expect(relayOf({ id: 9, method, params: {} })).toEqual({
        reply: { id: 9, ok: false, error: { code: 'UNSUPPORTED_METHOD', message: 'satnav: unknown method', name: 'UnsupportedMethodError' } },
      });
    });
  }

  const NOT_REQUESTS: Array<[why: string, data: unknown]> = [
    ['null', null],
    ['a string', 'enable'],
    ['id 0 (the event id)', { id: 0, method: 'enable' }],
    ['a negative id', { id: -1, method: 'enable' }],
    ['a fractional id', { id: 1.5, method: 'enable' }],
    ['a string id', { id: '1', method: 'enable' }],
    ['a method that is not a string', { id: 1, method: ['enable'] }],
    ['a method over 64 characters', { id: 1, method: 'x'.repeat(65) }],
    ['arguments that are not a list', { id: 1, method: 'sendPayment', args: { paymentRequest: 'lnbc1' } }],
  ];
  for (const [why, data] of NOT_REQUESTS) it(`drops ${why}`, () => expect(relayOf(data)).toBeUndefined());
});
