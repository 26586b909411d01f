import { describe, expect, it } from 'vitest';
import { encodeLnurl } from '../lnurl/index.ts';
import { bolt11Examples, WRONG_LENGTH_TITLE } from '../testing/bolt11-vectors.ts';
import { thrownCode } from '../testing/expect-code.ts';
import { classifyPaymentCode, MAX_PAYMENT_CODE_LENGTH, type PaymentCode } from './payment-code.ts';

const lud01 = {
  url: 'https://service.com/api?q=3fc3645b439ce8e7f2553a69e5267081d96dcd340693afabe04be7b0ccd178df',
  lnurl: 'LNURL1DP68GURN8GHJ7UM9WFMXJCM99E3K7MF0V9CXJ0M385EKVCENXC6R2C35XVUKXEFCV5MKVV34X5EKZD3EV56NYD3HXQURZEPEXEJXXEPNXSCRVWFNV9NXZCN9XQ6XYEFHVGCXXCMYXYMNSERXFQ5FNS',
};
const coffee = bolt11Examples.valid.find((v) => v.amount_msat === '250000000')!;
const upperCase = bolt11Examples.valid.find((v) => v.title === 'Same, but all upper case.')!;
const testnet = bolt11Examples.valid.find((v) => v.network === 'tb')!;

/** What the classifier says, reduced to what a caller switches on. */
function summary(code: PaymentCode): string {
  if (code.kind === 'invoice') return `invoice ${code.invoice.paymentHash}`;
  if (code.kind === 'address') return `address ${code.address} ${code.lnurl.url}`;
  return `lnurl ${code.lnurl.url} ${code.lnurl.expectedTag ?? '-'}`;
}

describe('classifyPaymentCode: what it is', () => {
  const cases: Array<[name: string, input: string, expected: string]> = [
    ['a BOLT11 invoice', coffee.invoice, `invoice ${coffee.payment_hash}`],
    ['an invoice after lightning:', `lightning:${coffee.invoice}`, `invoice ${coffee.payment_hash}`],
    ['an invoice after LIGHTNING:// with spaces around', `  LIGHTNING://${coffee.invoice}\n`, `invoice ${coffee.payment_hash}`],
    ['an upper-case invoice (QR codes)', upperCase.invoice, `invoice ${upperCase.payment_hash}`],
    ['a testnet invoice (the network is the payer’s check)', testnet.invoice, `invoice ${testnet.payment_hash}`],
    ['a bech32 LNURL (LUD-01)', lud01.lnurl, `lnurl ${lud01.url} -`],
    ['a lower-case bech32 LNURL after lightning:', `lightning:${lud01.lnurl.toLowerCase()}`, `lnurl ${lud01.url} -`],
    ['lnurlp:// (LUD-17)', 'lnurlp://shop.example/pay/1', 'lnurl https://shop.example/pay/1 payRequest'],
    ['lnurlw:// (LUD-17)', 'lnurlw://shop.example/w?k1=ab', 'lnurl https://shop.example/w?k1=ab withdrawRequest'],
    ['lnurlc:// (LUD-17)', 'lnurlc://shop.example/c', 'lnurl https://shop.example/c channelRequest'],
    ['keyauth:// (LUD-17)', 'keyauth://shop.example/a?tag=login&k1=00', 'lnurl https://shop.example/a?tag=login&k1=00 login'],
    ['a web link with lightning= (LUD-01 fallback)', `https://shop.example/x?lightning=${lud01.lnurl}`, `lnurl ${lud01.url} -`],
    ['a web link with a LUD-17 lightning=', 'https://shop.example/x?lightning=lnurlw://r.example/w', 'lnurl https://r.example/w withdrawRequest'],
    ['a plain-http web link: only its lightning= is contacted', 'http://shop.example/?lightning=lnurlp://pay.example/p', 'lnurl https://pay.example/p payRequest'],
    ['a lightning address', 'alice@shop.example', 'address alice@shop.example https://shop.example/.well-known/lnurlp/alice'],
    ['a lightning address after lightning:, capitals', 'lightning:Alice@Shop.Example', 'address alice@shop.example https://shop.example/.well-known/lnurlp/alice'],
    ['an onion lightning address', 'bob@examplennnnnnnn.onion', 'address bob@examplennnnnnnn.onion http://examplennnnnnnn.onion/.well-known/lnurlp/bob'],
    ['a BIP21 URI with an invoice (unified QR)', `bitcoin:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4?amount=0.0025&lightning=${coffee.invoice}`, `invoice ${coffee.payment_hash}`],
    ['a BIP21 URI with an LNURL', `BITCOIN:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4?lightning=${lud01.lnurl}`, `lnurl ${lud01.url} -`],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => expect(summary(classifyPaymentCode(input))).toBe(expected));
  }

  it('the invoice it returns is the decoded one', () => {
    const code = classifyPaymentCode(coffee.invoice);
    expect(code.kind === 'invoice' && code.invoice.amountMsat).toBe(250_000_000n);
  });

  it('a loopback service only with allowInsecureLocalhost (the devnet), then over http', () => {
    expect(thrownCode(() => classifyPaymentCode('alice@127.0.0.1:8080'))).toBe('LNURL_INVALID');
    expect(summary(classifyPaymentCode('alice@127.0.0.1:8080', { allowInsecureLocalhost: true }))).toBe(
      'address alice@127.0.0.1:8080 http://127.0.0.1:8080/.well-known/lnurlp/alice',
    );
    expect(summary(classifyPaymentCode(encodeLnurl('http://localhost:9/p'), { allowInsecureLocalhost: true }))).toBe('lnurl http://localhost:9/p -');
  });
});

describe('classifyPaymentCode: refusals', () => {
  const damaged = bolt11Examples.invalid.find((v) => v.title === 'Bech32 checksum is invalid.')!;
  const unknownFeature = bolt11Examples.invalid.find((v) => v.title.includes('unknown feature'))!;
  const noSecret = bolt11Examples.invalid.find((v) => v.title.includes('Missing required `s`'))!;
  const wrongLength = bolt11Examples.valid.find((v) => v.title === WRONG_LENGTH_TITLE)!;
  const cases: Array<[name: string, input: string, code: string]> = [
    ['empty', '', 'PAYMENT_CODE_UNKNOWN'],
    ['only spaces', '  \n\t ', 'PAYMENT_CODE_UNKNOWN'],
    ['only lightning:', 'lightning:', 'PAYMENT_CODE_UNKNOWN'],
    ['too long', `lnbc1${'q'.repeat(MAX_PAYMENT_CODE_LENGTH)}`, 'PAYMENT_CODE_UNKNOWN'],
    ['a word', 'hello', 'PAYMENT_CODE_UNKNOWN'],
    ['a node id (keysend is not a payment code)', '03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad', 'PAYMENT_CODE_UNKNOWN'],
    ['a payment hash', coffee.payment_hash, 'PAYMENT_CODE_UNKNOWN'],
    ['a P2WPKH address', 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', 'PAYMENT_CODE_ONCHAIN'],
    ['an upper-case P2WPKH address', 'BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4', 'PAYMENT_CODE_ONCHAIN'],
    ['a P2TR address (bech32m)', 'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0', 'PAYMENT_CODE_ONCHAIN'],
    ['a testnet segwit address', 'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx', 'PAYMENT_CODE_ONCHAIN'],
    ['a P2PKH address', '1RustyRX2oai4EYYDpQGWvEL62BBGqN9T', 'PAYMENT_CODE_ONCHAIN'],
    ['a P2SH address', '3EktnHQD7RiAE6uzMj2ZifT9YgRrkSgzQX', 'PAYMENT_CODE_ONCHAIN'],
    ['a testnet P2PKH address', 'mk2QpYatsKicvFVuTAQLBryyccRXMUaGHP', 'PAYMENT_CODE_ONCHAIN'],
    ['an on-chain address after lightning:', 'lightning:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', 'PAYMENT_CODE_ONCHAIN'],
    ['a bitcoin: URI', 'bitcoin:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4?amount=0.01', 'PAYMENT_CODE_ONCHAIN'],
    ['a bitcoin: URI with an empty lightning=', 'bitcoin:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4?lightning=', 'PAYMENT_CODE_ONCHAIN'],
    ['a bitcoin: URI inside a bitcoin: URI', 'bitcoin:x?lightning=bitcoin:y', 'PAYMENT_CODE_UNKNOWN'],
    ['a bitcoin: URI with rubbish in lightning=', 'bitcoin:bc1q?lightning=hello', 'PAYMENT_CODE_UNKNOWN'],
    ['a base58 string with a bad checksum', '1RustyRX2oai4EYYDpQGWvEL62BBGqN9U', 'PAYMENT_CODE_UNKNOWN'],
    ['a bech32 string of another prefix', 'ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kgmn4n9', 'PAYMENT_CODE_UNKNOWN'],
    ['a BOLT12 offer', 'lno1pg257enxv4ezqcneype82um50ynhxgrwdajx283qfwdpl28qqmc78ymlvhmxcsywdk5wrjnj36jryg488qwlrnzyjczs', 'PAYMENT_CODE_OFFER'],
    ['a BOLT12 offer after lightning:', 'lightning:LNO1PG257ENXV4EZQCNEYPE82UM50YNHXGRWDAJX283QFW', 'PAYMENT_CODE_OFFER'],
    ['a damaged invoice', damaged.invoice, 'INVOICE_INVALID'],
    ['an invoice with an unknown required feature', unknownFeature.invoice, 'INVOICE_INVALID'],
    ['an invoice without a payment secret', noSecret.invoice, 'INVOICE_INVALID'],
    ['an invoice with fields of the wrong length', wrongLength.invoice, 'INVOICE_INVALID'],
    ['an invoice cut short', coffee.invoice.slice(0, 60), 'INVOICE_INVALID'],
    ['an invoice in mixed case', coffee.invoice.slice(0, 10).toUpperCase() + coffee.invoice.slice(10), 'INVOICE_INVALID'],
    ['a damaged bech32 LNURL', `${lud01.lnurl.slice(0, -1)}Q`, 'LNURL_INVALID'],
    ['a mixed-case LNURL', `lnurl1${lud01.lnurl.slice(6)}`, 'LNURL_INVALID'],
    ['an LNURL of a plain-http service', encodeLnurl('http://shop.example/p'), 'LNURL_INVALID'],
    ['an LNURL into a private network', encodeLnurl('https://192.168.1.1/p'), 'LNURL_INVALID'],
    ['an LUD-17 link without a host', 'lnurlp:///pay', 'LNURL_INVALID'],
    ['an LUD-17 link with a user name', 'lnurlw://shop.example@evil.example/w', 'LNURL_INVALID'],
    ['an unknown lnurl scheme', 'lnurlx://shop.example/p', 'PAYMENT_CODE_UNKNOWN'],
    ['a web link without lightning=', 'https://shop.example/pay', 'LNURL_INVALID'],
    ['a web link whose lightning= is no LNURL', 'https://shop.example/?lightning=hello', 'LNURL_INVALID'],
    ['an address with a space', 'ali ce@shop.example', 'LNURL_INVALID'],
    ['an address with no name', '@shop.example', 'LNURL_INVALID'],
    ['an address with no domain', 'alice@', 'LNURL_INVALID'],
    ['an address with a space in the domain', 'alice@shop example', 'LNURL_INVALID'],
    ['an address on a loopback host outside the devnet', 'alice@localhost', 'LNURL_INVALID'],
    ['an e-mail style address with a path', 'alice@shop.example/x', 'PAYMENT_CODE_UNKNOWN'],
    ['a mailto: link', 'mailto:alice@shop.example', 'LNURL_INVALID'],
  ];
  for (const [name, input, code] of cases) {
    it(`${name} → ${code}`, () => expect(thrownCode(() => classifyPaymentCode(input))).toBe(code));
  }

  it('says what the input was in the message, cut short', () => {
    expect(() => classifyPaymentCode('bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4')).toThrow(
      'payment-code: on-chain payments are not supported=bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4',
    );
  });

  it('non-text input is refused, not thrown on', () => {
    expect(thrownCode(() => classifyPaymentCode(42 as unknown as string))).toBe('PAYMENT_CODE_UNKNOWN');
  });
});
