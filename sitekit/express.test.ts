import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DepositWall } from './deposit-wall.ts';
import { expressDepositWall, toRequest, type Middleware, type NodeRequestLike } from './express.ts';

/** A stand-in wall: the adapter's job is moving requests and responses, not deciding. */
const seen: Request[] = [];
const wall = {
  terms: { origin: 'https://news.example' },
  async handle(r: Request) {
    seen.push(r);
    if (new URL(r.url).pathname === '/boom') throw new Error('node on fire');
    return new URL(r.url).pathname === '/deposit/status' ? Response.json({ state: 'held' }, { headers: { 'Deposit-Nonce': 'n1' } }) : null;
  },
  async guard(r: Request) {
    seen.push(r);
    if (r.headers.get('authorization') === 'Deposit ok') return { ok: true as const, paymentHash: 'ab'.repeat(32), headers: new Headers({ 'Deposit-Nonce': 'n2' }) };
    return { ok: false as const, response: new Response('pay a deposit', { status: 402, headers: { 'WWW-Authenticate': 'Deposit realm="x"' } }) };
  },
} as unknown as DepositWall;

const { endpoints, guard } = expressDepositWall(wall);
/** What app.use(endpoints); app.get('/members/…', guard, handler) does, on bare node:http. */
function chain(req: IncomingMessage & NodeRequestLike, res: ServerResponse, steps: Middleware[], last: () => void) {
  const run = (i: number) => (err?: unknown) => {
    if (err) return void res.writeHead(500).end(`error: ${(err as Error).message}`);
    const step = steps[i];
    return step ? step(req, res, run(i + 1)) : last();
  };
  run(0)();
}

let server: Server;
let url = '';
beforeAll(async () => {
  server = createServer((req: IncomingMessage & NodeRequestLike, res) => {
    if (req.url?.startsWith('/sub/')) req.originalUrl = req.url.replace('/sub', '/members');
    chain(req, res, [endpoints, guard], () => res.writeHead(200, { 'content-type': 'text/plain' }).end(`article for ${req.deposit?.paymentHash}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('expressDepositWall on node:http', () => {
  it('endpoints answer the status path with the wall’s response, headers included', async () => {
    const r = await fetch(`${url}/deposit/status`);
    expect([r.status, r.headers.get('deposit-nonce'), await r.json()]).toEqual([200, 'n1', { state: 'held' }]);
  });
  it('guard sends the 402 as the wall made it', async () => {
    const r = await fetch(`${url}/members/article`);
    expect([r.status, r.headers.get('www-authenticate'), await r.text()]).toEqual([402, 'Deposit realm="x"', 'pay a deposit']);
  });
  it('guard lets a held deposit through with its headers and req.deposit', async () => {
    const r = await fetch(`${url}/members/article`, { headers: { authorization: 'Deposit ok' } });
    expect([r.status, r.headers.get('deposit-nonce'), await r.text()]).toEqual([200, 'n2', `article for ${'ab'.repeat(32)}`]);
  });
  it('the wall sees the URL on its own origin, the full path under a mount, method and headers', async () => {
    seen.length = 0;
    await fetch(`${url}/sub/x?y=1`, { headers: { authorization: 'Deposit ok', 'x-a': 'b' } });
    expect(seen.map((r) => r.url)).toEqual(['https://news.example/members/x?y=1', 'https://news.example/members/x?y=1']);
    expect(seen[1]!.headers.get('x-a')).toBe('b');
  });
  it('a wall error goes to next(err)', async () => {
    const r = await fetch(`${url}/boom`);
    expect([r.status, await r.text()]).toEqual([500, 'error: node on fire']);
  });
  it('toRequest keeps repeated headers', () => {
    const r = toRequest({ method: 'POST', url: '/deposit/release', headers: { 'x-many': ['a', 'b'], skip: undefined } }, 'https://news.example');
    expect([r.method, r.url, r.headers.get('x-many')]).toEqual(['POST', 'https://news.example/deposit/release', 'a, b']);
  });
});
