import { describe, expect, it } from 'vitest';
import { findOperation, validateRequest, validateResponse } from './openapi.ts';

const HASH_B64 = Buffer.alloc(32, 7).toString('base64');
const HASH_B64URL = Buffer.alloc(32, 0xfb).toString('base64url') + '=';
const HASH_HEX = Buffer.alloc(32, 7).toString('hex');

describe('routes', () => {
  it('finds templates with path parameters', () => {
    expect(findOperation('lnd', 'GET', `/v2/router/track/${HASH_B64URL}?no_inflight_updates=true`)).toEqual({
      operationId: 'Router_TrackPaymentV2',
      pathTemplate: '/v2/router/track/{payment_hash}',
      streaming: true,
    });
    expect(findOperation('lnd', 'GET', '/v1/getinfo')?.streaming).toBe(false);
    expect(findOperation('lnd', 'get', `/v1/invoice/${HASH_HEX}`)?.operationId).toBe('Lightning_LookupInvoice');
    expect(findOperation('tapd', 'GET', '/v1/taproot-assets/assets/balance?asset_id=true')?.operationId).toBe(
      'TaprootAssets_ListBalances',
    );
  });
  it('prefers the literal route over a parameterised one', () => {
    expect(findOperation('lnd', 'GET', '/v1/channels/backup/abc/1')?.pathTemplate).toBe(
      '/v1/channels/backup/{chan_point.funding_txid_str}/{chan_point.output_index}',
    );
    expect(findOperation('lnd', 'DELETE', '/v1/channels/abc/1')?.pathTemplate).toBe(
      '/v1/channels/{channel_point.funding_txid_str}/{channel_point.output_index}',
    );
  });
  it('rejects unknown routes and wrong methods', () => {
    expect(validateRequest('lnd', 'GET', '/v1/getinfoo', undefined)).toEqual(['lnd GET /v1/getinfoo: no such route']);
    expect(validateRequest('lnd', 'POST', '/v1/getinfo', {})).toHaveLength(1);
    expect(findOperation('tapd', 'GET', '/v1/getinfo')).toBeUndefined();
  });
});

describe('requests', () => {
  it('accepts a good payment request', () => {
    expect(
      validateRequest('lnd', 'POST', '/v2/router/send', {
        payment_request: 'lnbcrt1...',
        fee_limit_sat: '10',
        timeout_seconds: 60,
        no_inflight_updates: false,
      }),
    ).toEqual([]);
  });
  it('catches a renamed field', () => {
    const errs = validateRequest('lnd', 'POST', '/v2/router/send', { payment_request: 'x', fee_limit_sats: '10' });
    expect(errs).toEqual(['body: unknown property fee_limit_sats']);
  });
  it('catches an int64 sent as a JSON number', () => {
    const errs = validateRequest('lnd', 'POST', '/v1/invoices', { value: 1000, memo: 'x' });
    expect(errs.join()).toMatch(/body\/value: must be string/);
  });
  it('checks bytes: base64 on lnd bodies, hex on tapd bodies', () => {
    expect(validateRequest('lnd', 'POST', '/v2/invoices/cancel', { payment_hash: HASH_B64 })).toEqual([]);
    expect(validateRequest('lnd', 'POST', '/v2/invoices/cancel', { payment_hash: HASH_HEX + 'zz' })).toHaveLength(1);
    const tapInvoice = { asset_id: HASH_HEX, asset_amount: '100', invoice_request: { memo: 'x', value: '0' } };
    expect(validateRequest('tapd', 'POST', '/v1/taproot-assets/channels/invoice', tapInvoice)).toEqual([]);
    const b64 = { ...tapInvoice, asset_id: HASH_B64 };
    expect(validateRequest('tapd', 'POST', '/v1/taproot-assets/channels/invoice', b64)[0]).toMatch(/body\/asset_id/);
  });
  it('checks path and query parameters', () => {
    expect(validateRequest('lnd', 'GET', `/v2/router/track/${HASH_B64URL}`, undefined)).toEqual([]);
    expect(validateRequest('lnd', 'GET', '/v2/router/track/not*base64', undefined)[0]).toMatch(/payment_hash/);
    expect(validateRequest('lnd', 'GET', '/v1/payments?max_payments=5&include_incomplete=true', undefined)).toEqual([]);
    expect(validateRequest('lnd', 'GET', '/v1/payments?max_payments=-5', undefined)[0]).toMatch(/max_payments/);
    expect(validateRequest('lnd', 'GET', '/v1/payments?max_paymentz=5', undefined)).toEqual([
      'query parameter max_paymentz: unknown',
    ]);
    expect(validateRequest('lnd', 'GET', '/v1/newaddress?type=WITNESS_PUBKEY_HASH', undefined)).toEqual([]);
    expect(validateRequest('lnd', 'GET', '/v1/newaddress?type=P2PKH', undefined)).toHaveLength(1);
    // `+` in a query means space: base64 must be percent-encoded.
    const plus = Buffer.from([0xfb, 0xef, 0xbe]).toString('base64');
    expect(validateRequest('lnd', 'GET', `/v2/invoices/lookup?payment_hash=${plus}`, undefined)).toHaveLength(1);
    expect(validateRequest('lnd', 'GET', `/v2/invoices/lookup?payment_hash=${encodeURIComponent(plus)}`, undefined)).toEqual([]);
  });
  it('requires a body where the route takes one, and none elsewhere', () => {
    expect(validateRequest('lnd', 'POST', '/v1/signmessage', undefined)).toEqual(['body: missing']);
    expect(validateRequest('lnd', 'GET', '/v1/getinfo', { x: 1 })).toEqual(['body: this route takes no body']);
  });
});

describe('responses', () => {
  const payment = {
    payment_hash: HASH_HEX,
    value_sat: '1000',
    value_msat: '1000000',
    payment_preimage: HASH_HEX,
    status: 'SUCCEEDED',
    fee_sat: '1',
    fee_msat: '1000',
    creation_time_ns: '1700000000000000000',
    htlcs: [],
    payment_index: '3',
    failure_reason: 'FAILURE_REASON_NONE',
  };
  it('accepts a good stream line', () => {
    expect(validateResponse('lnd', 'POST', '/v2/router/send', 200, { result: payment })).toEqual([]);
    expect(validateResponse('lnd', 'POST', '/v2/router/send', 200, { error: { code: 2, message: 'x', details: [] } })).toEqual([]);
  });
  it('catches a wrong enum', () => {
    const errs = validateResponse('lnd', 'POST', '/v2/router/send', 200, { result: { ...payment, status: 'DONE' } });
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/^response 200\/result\/status: must be equal to one of the allowed values/);
  });
  it('catches a wrong type in a stream line', () => {
    const errs = validateResponse('lnd', 'GET', `/v2/router/track/${HASH_B64URL}`, 200, {
      result: { ...payment, htlcs: {} },
    });
    expect(errs).toEqual(['response 200/result/htlcs: must be array']);
    expect(validateResponse('lnd', 'POST', '/v2/router/send', 200, { result: payment, extra: 1 })).toEqual([
      'response 200: unknown property extra',
    ]);
  });
  it('validates errors against the default (rpcStatus) schema', () => {
    expect(validateResponse('lnd', 'GET', '/v1/getinfo', 500, { code: 2, message: 'wallet locked', details: [] })).toEqual([]);
    expect(validateResponse('lnd', 'GET', '/v1/getinfo', 401, { error: 'nope' })).toEqual([
      'response 401: unknown property error',
    ]);
  });
  it('accepts null for an unset message field, not for scalars', () => {
    const invoice = { memo: 'x', r_hash: HASH_B64, state: 'OPEN', htlcs: [], blinded_path_config: null };
    const lookup = `/v2/invoices/lookup?payment_hash=${encodeURIComponent(HASH_B64)}`;
    expect(validateResponse('lnd', 'GET', lookup, 200, invoice)).toEqual([]);
    expect(validateResponse('lnd', 'GET', lookup, 200, { ...invoice, memo: null })).toEqual(['response 200/memo: must be string']);
    expect(validateResponse('lnd', 'GET', lookup, 200, { ...invoice, state: null })).toHaveLength(2); // type + enum
    expect(validateRequest('lnd', 'POST', '/v1/signmessage', null)).toEqual(['body: missing']);
  });
  it('keeps maps open and messages closed', () => {
    const ok = { asset_balances: { [HASH_HEX]: { asset_genesis: { name: 'USD', asset_id: HASH_HEX }, balance: '5' } } };
    expect(validateResponse('tapd', 'GET', '/v1/taproot-assets/assets/balance?asset_id=true', 200, ok)).toEqual([]);
    const bad = { asset_balances: { [HASH_HEX]: { balance: 5 } } };
    expect(validateResponse('tapd', 'GET', '/v1/taproot-assets/assets/balance?asset_id=true', 200, bad)).toHaveLength(1);
    expect(validateResponse('lnd', 'POST', '/v2/invoices/settle', 200, {})).toEqual([]);
    expect(validateResponse('lnd', 'POST', '/v2/invoices/settle', 200, { ok: true })).toHaveLength(1);
  });
});
