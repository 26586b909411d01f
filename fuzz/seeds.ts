/**
 * Valid inputs of every format, made once and deterministically (fixed keys,
 * fixed clock): the starting points the structured generators bend.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { base64, base64urlnopad } from '@scure/base';
import { encodeInvoice } from '../devnet/bolt11-encode.ts';
import { deriveKey } from '../devnet/keys.ts';
import { depositKeyFor, formatDepositCredential, signDeposit } from '../src/deposit/credential.ts';
import { depositLine } from '../src/deposit/test-fixtures.ts';
import { rootFromSeed } from '../src/keys/root.ts';
import { bytesToBase64, utf8Bytes } from '../src/l402/codec.ts';
import { decodeMacaroon } from '../src/l402/macaroon.ts';
import { l402Identifier, macaroonToBase64, mintMacaroon } from '../src/l402/macaroon-mint.ts';
import { paymentChargeAuthorization } from '../src/l402/payment.ts';
import { NOW, invoice, l402Line, macaroonFor, paymentLine, paymentParamsFor, sessionLine, x402Header, type TestInvoice } from '../src/l402/test-fixtures.ts';
import { encodeLnurl } from '../src/lnurl/decode.ts';
import { signedInvoice as lnurlInvoice } from '../src/lnurl/testing.ts';
import { bolt11Examples } from '../src/testing/bolt11-vectors.ts';

export { NOW };
export const ORIGIN = 'https://news.example';
export const SITE = 'https://shop.example';

/** Invoices the payers meet: small ones (they reach even a 5-sat cap), large, amountless, expired, other networks. */
export const INVOICES: TestInvoice[] = [
  ...[1, 3, 5, 40, 100, 999, 5_000, 20_000].map((amountSat) => invoice({ seed: `fuzz ${amountSat}`, amountSat })),
  invoice({ seed: 'fuzz any' }),
  invoice({ seed: 'fuzz msat', amountMsat: 1_500n }),
  invoice({ seed: 'fuzz expired', amountSat: 3, timestamp: NOW - 7_200 }),
  ...(['bc', 'tb', 'tbs'] as const).map((currency) => invoice({ seed: `fuzz ${currency}`, amountSat: 3, currency })),
];
export const BY_HASH = new Map(INVOICES.map((i) => [i.paymentHash, i]));

const payee = deriveKey('satnav-fuzz', 'payee');
/** Every field kind the writer knows, features and metadata included, and the spec's examples (route hints, fallbacks, high-S). */
const RICH = encodeInvoice(
  {
    currency: 'bcrt',
    amountMsat: 2_500_000n,
    timestamp: NOW - 60,
    fields: [
      { type: 'p', paymentHash: sha256(utf8ToBytes('rich')) },
      { type: 's', paymentSecret: sha256(utf8ToBytes('rich secret')) },
      { type: 'h', descriptionHash: sha256(utf8ToBytes('rich description')) },
      { type: 'n', payee: payee.pubkey },
      { type: 'm', metadata: utf8ToBytes('metadata') },
      { type: 'x', expirySeconds: 86_400 },
      { type: 'c', minFinalCltvExpiryDelta: 144 },
      { type: '9', features: [8, 14, 17, 48] },
    ],
  },
  payee.secret,
);
export const INVOICE_TEXTS: string[] = [
  ...INVOICES.map((i) => i.paymentRequest),
  RICH,
  ...bolt11Examples.valid.map((e) => e.invoice),
  ...bolt11Examples.invalid.map((e) => e.invoice),
];

// ---- LNURL -----------------------------------------------------------------------------

export const LNURL_SERVICE = 'https://lnurl.example';
export const METADATA = JSON.stringify([
  ['text/plain', 'A coffee'],
  ['text/long-desc', 'A coffee,\nfreshly ground'],
  ['image/png;base64', 'iVBORw0KGgo='],
  ['text/identifier', 'alice@lnurl.example'],
]);
export const PAY_INVOICE = lnurlInvoice({ amountMsat: 21_000n, descriptionHashOf: METADATA });
export const LNURL_TEXTS: string[] = [
  encodeLnurl(`${LNURL_SERVICE}/pay/alice`),
  encodeLnurl(`${LNURL_SERVICE}/withdraw?k1=abc`).toUpperCase(),
  encodeLnurl(`${LNURL_SERVICE}/auth?tag=login&k1=${'ab'.repeat(32)}&action=login`),
  encodeLnurl('http://example3kxt4e7pqg3x7sqg7n2pzfpzijmcoaw5ogx4cpz5tuhfp4wqd.onion/pay'),
  `lightning:${encodeLnurl(`${LNURL_SERVICE}/pay/bob`)}`,
  'lnurlp://lnurl.example/pay/alice',
  'lnurlw://lnurl.example/withdraw?k1=1',
  `keyauth://lnurl.example/auth?tag=login&k1=${'cd'.repeat(32)}`,
  'lnurlc://lnurl.example/channel',
  'alice@lnurl.example',
  'Alice+Tips@Lnurl.Example:8443',
  `https://shop.example/checkout?lightning=${encodeLnurl(`${LNURL_SERVICE}/pay/carol`)}`,
  INVOICES[3]!.paymentRequest,
];
export const LOGIN_URLS = [`${LNURL_SERVICE}/auth?tag=login&k1=${'ab'.repeat(32)}`, `${LNURL_SERVICE}/auth?tag=login&k1=${'cd'.repeat(32)}&action=register&session=1`];
export const LNURL_ANSWERS: unknown[] = [
  { tag: 'payRequest', callback: `${LNURL_SERVICE}/pay/cb?x=1`, minSendable: 1_000, maxSendable: 100_000_000, metadata: METADATA, commentAllowed: 140 },
  { tag: 'withdrawRequest', callback: `${LNURL_SERVICE}/withdraw/cb`, k1: 'k1k1', defaultDescription: 'refund', minWithdrawable: 0, maxWithdrawable: 50_000 },
  { status: 'ERROR', reason: 'Not today' },
  { tag: 'channelRequest', uri: 'node@host:9735', callback: `${LNURL_SERVICE}/ch`, k1: 'k' },
];
export const PAY_ANSWERS: unknown[] = [
  { pr: PAY_INVOICE, routes: [] },
  { pr: PAY_INVOICE, routes: [], successAction: { tag: 'message', message: 'Thanks' }, verify: `${LNURL_SERVICE}/verify/1` },
  { pr: PAY_INVOICE, routes: [], successAction: { tag: 'url', description: 'Receipt', url: `${LNURL_SERVICE}/receipt` } },
  { pr: PAY_INVOICE, routes: [], successAction: { tag: 'aes', description: 'Code', ciphertext: base64.encode(new Uint8Array(32).fill(9)), iv: base64.encode(new Uint8Array(16).fill(1)) } },
];

// ---- 402 challenges --------------------------------------------------------------------

const withCaveats = (inv: TestInvoice, caveats: string[]) =>
  macaroonToBase64(mintMacaroon({ rootKey: 'fuzz root', identifier: l402Identifier(inv.paymentHash, '66'.repeat(32)), location: 'lsat', caveats }));
const [i1, i3, i5, i40, i100, , i5000] = INVOICES as [TestInvoice, TestInvoice, TestInvoice, TestInvoice, TestInvoice, TestInvoice, TestInvoice];
export const MACAROONS: string[] = [
  macaroonFor(i3.paymentHash),
  withCaveats(i100, ['services=demo:0,quotes:1', 'demo_capabilities=read,write', 'demo_valid_until=1900001000']),
  withCaveats(i5, ['expiration=1900000500000', 'expires_at=2030-03-17T12:00:00Z', 'note']),
  macaroonToBase64(mintMacaroon({ rootKey: 'k', identifier: l402Identifier(i1.paymentHash, '55'.repeat(32)), location: 'lsat', caveats: [] }), 'url'),
];
export const WWW_AUTHENTICATE: string[] = [
  l402Line(i3),
  l402Line(i5, { scheme: 'LSAT', param: 'token' }),
  l402Line(i100, { macaroon: MACAROONS[1] }),
  `${l402Line(i1)}, ${l402Line(i5000, { scheme: 'LSAT' })}`,
  `${l402Line(i40)}, version="0"`,
  paymentLine(i3, { amountSat: 3 }),
  paymentLine(i100),
  sessionLine(i5000),
  `Basic realm="x", ${paymentLine(i5, { amountSat: 5 })}`,
  `L402 macaroon="${MACAROONS[0]}", invoice="${INVOICES[10]!.paymentRequest}"`, // expired
  `L402 macaroon="${MACAROONS[2]}", invoice="${INVOICES[11]!.paymentRequest}"`, // mainnet
];
export const PAYMENT_REQUIRED: string[] = [
  x402Header([i3]),
  x402Header([i5, i100], { alby: true }),
  x402Header([i1], { network: 'bip122:000000000019d6689c085ae165831e93' }),
  bytesToBase64(utf8Bytes(JSON.stringify({ accepts: [{ scheme: 'exact', network: 'lightning:regtest', maxTimeoutSeconds: 60, extra: { invoice: i3.paymentRequest } }] }))),
];
export const X402_RESPONSES: string[] = [bytesToBase64(utf8Bytes(JSON.stringify({ success: true, transaction: i3.paymentHash, network: 'bip122:0f9188f13cb7b2c71f2a335e3a4fc328', payer: 'anonymous' })))];
export const PAYMENT_AUTHORIZATIONS: string[] = [paymentChargeAuthorization(paymentParamsFor(i3), i3.preimage), paymentChargeAuthorization(paymentParamsFor(i100), i100.preimage)];
export const PAYMENT_RECEIPTS: string[] = [
  base64urlnopad.encode(utf8Bytes(JSON.stringify({ status: 'success', method: 'lightning', timestamp: '2030-03-17T00:00:00Z', reference: i3.paymentHash }))),
];
export { paymentParamsFor };

// ---- deposits ------------------------------------------------------------------------------

export const DEPOSIT_LINES: string[] = [
  depositLine({}, invoice({ seed: 'dep fuzz', amountSat: 5000 })),
  depositLine({ amount: '3' }, i3),
  depositLine({ realm: 'a "quoted" realm', release: `${ORIGIN}/r?x=1`, status: `${ORIGIN}/s` }, invoice({ seed: 'dep fuzz 2', amountSat: 5000 })),
  `${l402Line(i3)}, ${depositLine({ amount: '5' }, i5)}`,
];
const ROOT = rootFromSeed(new Uint8Array(64).fill(3));
const depositKey = depositKeyFor(ROOT, ORIGIN);
export const DEPOSIT_CREDENTIALS: string[] = (['hold', 'release', 'status'] as const).map((action) =>
  formatDepositCredential(signDeposit(depositKey, { action, origin: ORIGIN, realm: 'articles', paymentHash: i3.paymentHash, nonce: '11'.repeat(32), timestamp: NOW })),
);
export { ROOT };

// ---- lndconnect --------------------------------------------------------------------------

const adminMacaroon = base64.decode(MACAROONS[0]!);
const certDer = Uint8Array.from([0x30, 0x82, 0x01, 0x0a, ...sha256(utf8ToBytes('cert'))]);
const b64url = (b: Uint8Array) => base64urlnopad.encode(b);
export const LNDCONNECT: string[] = [
  `lndconnect://node.example:10009?cert=${b64url(certDer)}&macaroon=${b64url(adminMacaroon)}`,
  `lndconnect://127.0.0.1?macaroon=${base64.encode(adminMacaroon)}`,
  `lndconnect://[2001:db8::1]:8080/?macaroon=${b64url(adminMacaroon)}`,
  `LNDCONNECT://Node.Example:443?macaroon=${b64url(adminMacaroon)}&cert=${base64.encode(certDer)}`,
];
export const REST_URLS = ['https://node.example:8080', 'http://localhost:8080', 'https://[::1]:8080/lnd/', 'http://192.168.1.5:8080'];
export const MACAROON_TEXTS = [bytesToHex(adminMacaroon), base64.encode(adminMacaroon), b64url(adminMacaroon)];

// ---- page messages --------------------------------------------------------------------------

const NODE_ID = deriveKey('satnav-fuzz', 'destination').pubkeyHex;
export const PAGE_MESSAGES: unknown[] = [
  { method: 'enable' },
  { method: 'isEnabled', params: {} },
  { method: 'getInfo' },
  { method: 'getBalance' },
  { method: 'sendPayment', params: { paymentRequest: i3.paymentRequest } },
  { method: 'sendPaymentAsync', params: { paymentRequest: i100.paymentRequest } },
  { method: 'keysend', params: { destination: NODE_ID, amount: 3, customRecords: { '696969': 'hello', '7629169': 'podcast' } } },
  { method: 'keysend', params: { destination: NODE_ID, amount: '5' } },
  { method: 'makeInvoice', params: { args: { amount: '100', defaultMemo: 'tip' } } },
  { method: 'makeInvoice', params: { args: 21 } },
  { method: 'signMessage', params: { message: 'hello' } },
  { method: 'verifyMessage', params: { message: 'hello', signature: 'd'.repeat(104) } },
  { method: 'lookupInvoice', params: { paymentHash: i3.paymentHash } },
  { method: 'lookupInvoice', params: { paymentRequest: i5.paymentRequest } },
  { method: 'lnurl', params: { lnurl: LNURL_TEXTS[0] } },
  { method: 'request', params: { method: 'getinfo', params: { a: [1, 2, { b: 'c' }] } } },
  { method: 'paywall', params: { url: 'https://shop.example/article/1' } },
];

/** Sanity: the macaroon seeds decode, so their mutations start from something valid. */
for (const m of MACAROONS) decodeMacaroon(m);
