import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, relayReply, relayRequest } from './fetch-relay.ts';

const request = {
  type: 'fetch',
  url: 'https://192.168.1.20:8080/v2/router/send',
  method: 'POST',
  headers: [
    ['grpc-metadata-macaroon', '0201036c6e64'],
    ['content-type', 'application/json'],
  ],
  body: '{"payment_request":"lnbc1…"}',
  redirect: 'manual',
};

describe('relay request: what the document agrees to fetch', () => {
  it('takes a node call: https URL, the node client’s methods, plain headers, a JSON body', () => {
    expect(relayRequest.parse(request)).toEqual(request);
    const { body: _none, ...get } = request;
    expect(relayRequest.safeParse({ ...get, method: 'GET' }).success).toBe(true);
  });

  const BAD: Array<[string, Record<string, unknown>]> = [
    ['plain http (no certificate to honour)', { url: 'http://192.168.1.20:8080/v1/state' }],
    ['another scheme', { url: 'chrome-extension://abc/x' }],
    ['not a URL', { url: 'node:8080' }],
    ['a method the node client never uses', { method: 'PUT' }],
    ['a header value with a line break', { headers: [['x', 'a\r\nSet-Cookie: y']] }],
    ['a header name that is not a token', { headers: [['bad name', 'v']] }],
    ['too many headers', { headers: Array.from({ length: 65 }, (_, i) => [`h${i}`, 'v']) }],
    ['a body over 1 MiB', { body: 'x'.repeat(1024 * 1024 + 1) }],
    ['credentials or other fetch options', { credentials: 'include' }],
    ['an unknown redirect mode', { redirect: 'maybe' }],
    ['another message type', { type: 'open' }],
  ];
  for (const [why, change] of BAD) it(`refuses ${why}`, () => expect(relayRequest.safeParse({ ...request, ...change }).success).toBe(false));
});

describe('relay reply: what the worker accepts back', () => {
  const GOOD = [
    { type: 'head', status: 200, statusText: 'OK', headers: [['content-type', 'application/json']] },
    { type: 'head', status: 503, statusText: '', headers: [] },
    { type: 'opaque-redirect' },
    { type: 'chunk', data: Buffer.alloc(CHUNK_BYTES, 1).toString('base64') },
    { type: 'chunk', data: '' },
    { type: 'end' },
    { type: 'fail', name: 'TypeError', message: 'Failed to fetch' },
    { type: 'fail', name: 'AbortError', message: 'aborted' },
  ];
  for (const m of GOOD) it(`takes ${JSON.stringify(m).slice(0, 60)}`, () => expect(relayReply.parse(m)).toEqual(m));

  const BAD: Array<[string, unknown]> = [
    ['a status no Response can have', { type: 'head', status: 0, statusText: '', headers: [] }],
    ['a status out of range', { type: 'head', status: 600, statusText: '', headers: [] }],
    ['a chunk over CHUNK_BYTES', { type: 'chunk', data: Buffer.alloc(CHUNK_BYTES + 3, 1).toString('base64') }],
    ['a chunk that is not base64', { type: 'chunk', data: 'not base64!' }],
    ['bytes as a number array (what a Uint8Array becomes in JSON)', { type: 'chunk', data: { 0: 1, 1: 2 } }],
    ['another error name', { type: 'fail', name: 'SecurityError', message: 'x' }],
    ['extra fields', { type: 'end', more: true }],
    ['no type', { status: 200 }],
  ];
  for (const [why, m] of BAD) it(`refuses ${why}`, () => expect(relayReply.safeParse(m).success).toBe(false));
});
