import { describe, expect, it } from 'vitest';
import { weblnParams } from '../../src/webln/params.ts';
import { RELAYED_METHODS, relayOf } from '../content/relay.ts';

describe('bridge relay: known WebLN methods only, rebuilt from {method, params}', () => {
  it('relays exactly the methods the worker knows', () => {
    expect([...RELAYED_METHODS].sort()).toEqual(Object.keys(weblnParams).sort());
  });

  it('forwards a request as {method, params} and nothing else', () => {
    const r = relayOf({ id: 3, method: 'sendPayment', params: { paymentRequest: 'lnbc1' }, origin: 'https://shop.example', channel: 'satnav/ui' });
    expect(r).toEqual({ id: 3, forward: { method: 'sendPayment', params: { paymentRequest: 'lnbc1' } } });
    expect(relayOf({ id: 4, method: 'enable' })).toEqual({ id: 4, forward: { method: 'enable' } });
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
  ];
  for (const [why, data] of NOT_REQUESTS) it(`drops ${why}`, () => expect(relayOf(data)).toBeUndefined());
});
