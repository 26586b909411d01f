import { describe, expect, it } from 'vitest';
import { isPageMethod, type PageMethod } from '../base/page-methods.ts';
import { pageRequest, weblnParams } from './params.ts';

/**
 * What a page may send, per method. `good` rows give the input and what the service receives
 * (amounts as numbers, hex lowercased); `bad` rows name why the input must be refused.
 */
const NODE = '02' + 'c3'.repeat(32); // a point on the curve
const NOT_A_POINT = '02' + '00'.repeat(32); // x = 0 has no square root y² = 7
const HASH = 'ab'.repeat(32);
const INVOICE = 'lnbcrt10n1pjexample';
const MAX_SATS = 2_100_000_000_000_000;

interface Table {
  good: Array<[input: unknown, output?: unknown]>;
  bad: Array<[why: string, input: unknown]>;
}

const NO_PARAMS: Table = {
  good: [[undefined], [{}]],
  bad: [
    ['null', null],
    ['an extra key', { x: 1 }],
    ['a string', 'enable'],
    ['an array', []],
  ],
};

const PAY: Table = {
  good: [[{ paymentRequest: INVOICE }], [{ paymentRequest: 'x'.repeat(7099) }]],
  bad: [
    ['no params', undefined],
    ['an empty invoice', { paymentRequest: '' }],
    ['an invoice longer than any QR code', { paymentRequest: 'x'.repeat(7100) }],
    ['a number', { paymentRequest: 1 }],
    ['an extra key', { paymentRequest: INVOICE, amount: 1 }],
    ['the invoice bare', INVOICE],
  ],
};

const TABLES: Record<PageMethod, Table> = {
  enable: NO_PARAMS,
  isEnabled: NO_PARAMS,
  getInfo: NO_PARAMS,
  getBalance: NO_PARAMS,
  sendPayment: PAY,
  sendPaymentAsync: PAY,
  keysend: {
    good: [
      [{ destination: NODE, amount: 1 }],
      [{ destination: NODE.toUpperCase(), amount: '21' }, { destination: NODE, amount: 21 }],
      [{ destination: NODE, amount: MAX_SATS }],
      [{ destination: NODE, amount: '2100000000000000' }, { destination: NODE, amount: MAX_SATS }],
      [{ destination: NODE, amount: 5, customRecords: { '696969': 'hello', '7629169': '{"action":"boost"}' } }],
      [{ destination: NODE, amount: 5, customRecords: { '65536': '', '18446744073709551615': 'top of uint64' } }],
    ],
    bad: [
      ['a zero amount', { destination: NODE, amount: 0 }],
      ['a negative amount', { destination: NODE, amount: -1 }],
      ['a fractional amount', { destination: NODE, amount: 1.5 }],
      ['NaN', { destination: NODE, amount: Number.NaN }],
      ['Infinity', { destination: NODE, amount: Number.POSITIVE_INFINITY }],
      ['an amount above 21M BTC', { destination: NODE, amount: MAX_SATS + 1 }],
      ['a text amount above 21M BTC', { destination: NODE, amount: '2100000000000001' }],
      // 16 digits pass 2^53 and Number() would round them.
      ['a 16-digit text amount past 2^53', { destination: NODE, amount: '9999999999999999' }],
      ['a 17-digit text amount', { destination: NODE, amount: '10000000000000000' }],
      ['a decimal text amount', { destination: NODE, amount: '1.5' }],
      ['a signed text amount', { destination: NODE, amount: '+5' }],
      ['an empty text amount', { destination: NODE, amount: '' }],
      ['a destination of 32 bytes', { destination: HASH, amount: 1 }],
      ['an uncompressed-key prefix', { destination: '04' + NODE.slice(2), amount: 1 }],
      ['a destination off the curve', { destination: NOT_A_POINT, amount: 1 }],
      ['a non-hex destination', { destination: 'zz' + NODE.slice(2), amount: 1 }],
      ['no destination', { amount: 1 }],
      ['a record type below the custom range', { destination: NODE, amount: 1, customRecords: { '65535': 'x' } }],
      ['a record type past uint64', { destination: NODE, amount: 1, customRecords: { '18446744073709551616': 'x' } }],
      ['a record type that is not a number', { destination: NODE, amount: 1, customRecords: { abc: 'x' } }],
      ['a record value that is not a string', { destination: NODE, amount: 1, customRecords: { '696969': 1 } }],
      ['a record value over 4096 characters', { destination: NODE, amount: 1, customRecords: { '696969': 'x'.repeat(4097) } }],
      ['a __proto__ record type (zod would drop it silently)', { destination: NODE, amount: 1, customRecords: JSON.parse('{"__proto__":"x","65536":"y"}') as unknown }],
      ['17 records', { destination: NODE, amount: 1, customRecords: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [String(70_000 + i), 'x'])) }],
      ['an extra key', { destination: NODE, amount: 1, preimage: HASH }],
    ],
  },
  makeInvoice: {
    good: [
      [{}],
      [{ args: 0 }],
      [{ args: 100 }],
      [{ args: '100' }, { args: 100 }],
      [{ args: {} }],
      [{ args: { amount: '5', defaultMemo: 'tip' } }, { args: { amount: 5, defaultMemo: 'tip' } }],
      [{ args: { defaultAmount: 50, minimumAmount: 10, maximumAmount: 100 } }],
      // Order of min and max is the service's to judge (it answers BAD_REQUEST).
      [{ args: { minimumAmount: 100, maximumAmount: 10 } }],
    ],
    bad: [
      ['a negative amount', { args: -1 }],
      ['a fractional amount', { args: 0.5 }],
      ['a text amount with a unit', { args: '100 sat' }],
      ['an unknown key', { args: { amount: 1, currency: 'USD' } }],
      ['a memo over 639 characters', { args: { defaultMemo: 'x'.repeat(640) } }],
      ['a null args', { args: null }],
      ['args given bare', 100],
    ],
  },
  signMessage: {
    good: [[{ message: 'hello' }], [{ message: 'x'.repeat(65_536) }]],
    bad: [
      ['an empty message (the node refuses it)', { message: '' }],
      ['a message over 64 KiB', { message: 'x'.repeat(65_537) }],
      ['a number', { message: 1 }],
      ['no message', {}],
    ],
  },
  verifyMessage: {
    good: [[{ message: 'hello', signature: 'd'.repeat(104) }]],
    bad: [
      ['an empty signature', { message: 'hello', signature: '' }],
      ['a signature over 200 characters', { message: 'hello', signature: 'd'.repeat(201) }],
      ['an empty message', { message: '', signature: 'd'.repeat(104) }],
      ['no signature', { message: 'hello' }],
    ],
  },
  lookupInvoice: {
    good: [[{ paymentHash: HASH }], [{ paymentHash: HASH.toUpperCase() }, { paymentHash: HASH }], [{ paymentRequest: INVOICE }]],
    bad: [
      ['a short hash', { paymentHash: HASH.slice(2) }],
      ['a non-hex hash', { paymentHash: 'g'.repeat(64) }],
      ['both forms', { paymentHash: HASH, paymentRequest: INVOICE }],
      ['neither', {}],
    ],
  },
  lnurl: {
    good: [[{ lnurl: 'lnurl1dp68gurn8ghj7' }]],
    bad: [
      ['an empty lnurl', { lnurl: '' }],
      ['an lnurl over 2048 characters', { lnurl: 'x'.repeat(2049) }],
    ],
  },
  request: {
    good: [[{ method: 'getinfo' }], [{ method: 'decodepayreq', params: { pay_req: INVOICE } }], [{ method: 'x', params: [1, 'two', null] }]],
    bad: [
      ['an empty method', { method: '' }],
      ['a method over 64 characters', { method: 'x'.repeat(65) }],
      ['a method that is not a string', { method: 1 }],
      ['an extra key', { method: 'getinfo', id: 1 }],
    ],
  },
  paywall: {
    good: [[{ url: 'https://api.example/data.json' }], [{ url: 'http://127.0.0.1:8900/paywall/l402/data.json?x=1' }]],
    bad: [
      ['no params', undefined],
      ['a javascript: URL', { url: 'javascript:alert(1)' }],
      ['a relative URL', { url: '/data.json' }],
      ['a URL over 8 KB', { url: `https://a.example/${'x'.repeat(8192)}` }],
      ['an extra key', { url: 'https://a.example/', challenge: 'L402 …' }],
    ],
  },
};

describe('weblnParams', () => {
  for (const [method, table] of Object.entries(TABLES) as Array<[PageMethod, Table]>) {
    describe(method, () => {
      for (const [input, output] of table.good) {
        it(`accepts ${JSON.stringify(input)?.slice(0, 80)}`, () => {
          const r = weblnParams[method].safeParse(input);
          expect(r.success).toBe(true);
          expect(r.data).toEqual(output ?? input);
        });
      }
      for (const [why, input] of table.bad) {
        it(`refuses ${why}`, () => {
          expect(weblnParams[method].safeParse(input).success).toBe(false);
        });
      }
    });
  }

  it('has a table for every method', () => {
    expect(Object.keys(TABLES).sort()).toEqual(Object.keys(weblnParams).sort());
  });
});

describe('isPageMethod', () => {
  for (const m of Object.keys(weblnParams)) it(`knows ${m}`, () => expect(isPageMethod(m)).toBe(true));
  for (const m of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'SENDPAYMENT', 'sendpayment', '', 'on', 'off', 1, null, undefined, {}]) {
    it(`refuses ${JSON.stringify(m) ?? String(m)}`, () => expect(isPageMethod(m)).toBe(false));
  }
});

describe('pageRequest', () => {
  const GOOD: unknown[] = [{ method: 'enable' }, { method: 'sendPayment', params: { paymentRequest: INVOICE } }, { method: 'anything', params: null }];
  const BAD: Array<[why: string, input: unknown]> = [
    ['no method', { params: {} }],
    ['a method over 64 characters', { method: 'x'.repeat(65) }],
    ['an extra key', { method: 'enable', origin: 'https://evil.example' }],
    ['not an object', 'enable'],
    ['null', null],
  ];
  for (const input of GOOD) it(`accepts ${JSON.stringify(input)}`, () => expect(pageRequest.safeParse(input).success).toBe(true));
  for (const [why, input] of BAD) it(`refuses ${why}`, () => expect(pageRequest.safeParse(input).success).toBe(false));
});
