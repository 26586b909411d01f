import { describe, expect, it } from 'vitest';
import { fakeDaemon, json, ndjson } from './fake-daemon.ts';

const HASH_HEX = '0a'.repeat(32);
const post = (f: typeof globalThis.fetch, path: string, body: unknown) =>
  f(`https://n.test${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });

describe('recordingFetch', () => {
  it('records a clean exchange without violations', async () => {
    const fake = fakeDaemon('lnd', { 'POST /v1/signmessage': () => json({ signature: 'abc' }) });
    const res = await post(fake.fetch, '/v1/signmessage', { msg: 'aGk=' });
    expect(await res.json()).toEqual({ signature: 'abc' }); // the caller still reads the body
    expect(fake.violations()).toEqual([]);
    expect(fake.exchanges[0]).toMatchObject({ api: 'lnd', method: 'POST', path: '/v1/signmessage', status: 200 });
  });

  it('flags a bad request and a bad response', async () => {
    const fake = fakeDaemon('lnd', { 'POST /v1/signmessage': () => json({ sig: 'abc' }) });
    await post(fake.fetch, '/v1/signmessage', { message: 'hi' });
    expect(fake.violations()).toEqual([
      'lnd POST /v1/signmessage: request: body: unknown property message',
      'lnd POST /v1/signmessage: response 200: unknown property sig',
    ]);
  });

  it('checks each stream line as the client reads it', async () => {
    const good = { payment_hash: HASH_HEX, status: 'IN_FLIGHT', value_msat: '1000' };
    const fake = fakeDaemon('lnd', {
      'POST /v2/router/send': () => ndjson([{ result: good }, { result: { ...good, value_msat: 1000 } }]),
    });
    const res = await post(fake.fetch, '/v2/router/send', { payment_request: 'lnbc1', fee_limit_sat: '1' });
    expect((await res.text()).split('\n').filter(Boolean)).toHaveLength(2);
    expect(fake.violations()).toEqual(['lnd POST /v2/router/send: line 2: response 200/result/value_msat: must be string']);
  });

  it('flags non-JSON answers and unknown routes', async () => {
    const fake = fakeDaemon('tapd', { 'GET /v1/taproot-assets/getinfo': () => new Response('<html>', { status: 502 }) });
    await fake.fetch('https://n.test/v1/taproot-assets/getinfo');
    await fake.fetch('https://n.test/v1/taproot-assets/nope');
    expect(fake.violations()).toEqual([
      'tapd GET /v1/taproot-assets/getinfo: response 502: not JSON: <html>',
      'tapd GET /v1/taproot-assets/nope: request: tapd GET /v1/taproot-assets/nope: no such route',
      'tapd GET /v1/taproot-assets/nope: tapd GET /v1/taproot-assets/nope: no such route',
    ]);
  });
});
