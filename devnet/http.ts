/**
 * A grpc-gateway look-alike on node:http and node:https: route table with path templates, macaroon check,
 * JSON bodies, newline-delimited JSON streams, gRPC status → HTTP status, optional contract
 * validation of every request and response, and the per-node faults (down, slow, malformed).
 *
 * Errors have grpc-gateway's shape `{"code": <gRPC code>, "message": …, "details": []}`; in a
 * stream they are a line `{"error": {…}}` (with the HTTP status of the code when nothing was
 * written yet), results are lines `{"result": …}`.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SimNode } from './node.ts';
import type { TlsIdentity } from './tls.ts';

export type Api = 'lnd' | 'tapd';
/** What a route needs: no macaroon, a read-only one, or an admin one. */
export type Perm = 'none' | 'read' | 'write';

export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** Overrides the status grpc-gateway derives from the code. */
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}

/** gRPC codes used here. */
export const Code = {
  Unknown: 2,
  InvalidArgument: 3,
  NotFound: 5,
  AlreadyExists: 6,
  Unimplemented: 12,
  Internal: 13,
} as const;

/** grpc-gateway's mapping of gRPC codes to HTTP statuses. */
const HTTP_STATUS: Readonly<Record<number, number>> = {
  0: 200, 1: 499, 2: 500, 3: 400, 4: 504, 5: 404, 6: 409, 7: 403, 8: 429,
  9: 400, 10: 409, 11: 400, 12: 501, 13: 500, 14: 503, 15: 500, 16: 401,
};

export const rpcStatus = (code: number, message: string) => ({ code, message, details: [] as unknown[] });

export interface RequestCtx {
  readonly node: SimNode;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: Readonly<Record<string, unknown>>;
  /** Aborted when the client goes away; streams end then. */
  readonly closed: AbortSignal;
}

export type Reply = { readonly json: unknown } | { readonly stream: AsyncIterable<unknown> };

export interface RouteDef {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly perm: Perm;
  /** Server-streaming: errors from the call (macaroon included) come as an `{"error": …}` line. */
  readonly stream?: boolean;
  readonly handle: (ctx: RequestCtx) => Reply | Promise<Reply>;
}

export interface ContractChecker {
  request(api: Api, method: string, path: string, body: unknown): string[];
  response(api: Api, method: string, path: string, status: number, body: unknown): string[];
}

export interface ApiServerOptions {
  readonly api: Api;
  readonly node: SimNode;
  readonly routes: readonly RouteDef[];
  readonly host: string;
  /** Plain HTTP: what tests and the wallet's devnet button use. */
  readonly port: number;
  /** HTTPS with the devnet certificate: what lnd and tapd serve, and lndconnect URIs point at. */
  readonly tlsPort: number;
  readonly tls: TlsIdentity;
  readonly contract?: ContractChecker;
  /** Shared list the contract violations are appended to. */
  readonly violations: string[];
}

export type Server = http.Server | https.Server;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

export async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export function setCors(res: http.ServerResponse): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Allow-Headers', 'Grpc-Metadata-macaroon, Content-Type');
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** grpc-gateway treats an empty body as an empty message; anything else must be a JSON object. */
export function parseJsonBody(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new RpcError(Code.InvalidArgument, `invalid JSON in request body: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new RpcError(Code.InvalidArgument, 'request body must be a JSON object');
  }
  return v as Record<string, unknown>;
}

function matchRoute(routes: readonly RouteDef[], pathname: string) {
  const segs = pathname.split('/').slice(1);
  const hits: Array<{ route: RouteDef; params: Record<string, string> }> = [];
  for (const route of routes) {
    const tpl = route.path.split('/').slice(1);
    if (tpl.length !== segs.length) continue;
    const params: Record<string, string> = {};
    const ok = tpl.every((t, i) => {
      const s = segs[i] ?? '';
      if (t.startsWith('{')) {
        if (s === '') return false;
        params[t.slice(1, -1)] = safeDecode(s);
        return true;
      }
      return t === s;
    });
    if (ok) hits.push({ route, params });
  }
  return hits;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Macaroon check (equality only): lnd takes admin or read-only, tapd its own macaroon. The errors
 * carry lnd's code (2, Unknown) and texts; lnd's proxy answers them with HTTP 500, the devnet with
 * 401 (no macaroon) and 403 (wrong or insufficient macaroon) so they are told apart at a glance.
 */
function authorize(api: Api, node: SimNode, perm: Perm, header: string | string[] | undefined): void {
  if (perm === 'none') return;
  const given = (Array.isArray(header) ? header[0] : header)?.trim().toLowerCase();
  if (!given) throw new RpcError(Code.Unknown, 'expected 1 macaroon, got 0', 401);
  const m = node.macaroons;
  const role = api === 'tapd' ? (given === m.tapd ? 'admin' : undefined) : given === m.admin ? 'admin' : given === m.readonly ? 'readonly' : undefined;
  if (!role) throw new RpcError(Code.Unknown, 'verification failed: signature mismatch after caveat verification', 403);
  if (perm === 'write' && role !== 'admin') throw new RpcError(Code.Unknown, 'permission denied', 403);
}

const errorStatus = (e: RpcError): number => e.httpStatus ?? HTTP_STATUS[e.code] ?? 500;

export interface ApiServers {
  readonly servers: readonly Server[];
  readonly port: number;
  readonly tlsPort: number;
}

/** One handler behind both servers, so faults and the malformed-reply alternation are shared. */
export async function startApiServer(o: ApiServerOptions): Promise<ApiServers> {
  let malformedCount = 0;
  const onRequest: http.RequestListener = (req, res) => {
    void handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, rpcStatus(Code.Internal, `devnet: ${(e as Error).message}`));
      else res.end();
    });
  };
  const plain = http.createServer(onRequest);
  const secure = https.createServer({ cert: o.tls.cert, key: o.tls.key }, onRequest);
  for (const server of [plain, secure]) {
    // Node's 5 s idle timeout races a client reusing the socket on a loaded machine ("cannot reach
    // node" in a test); the client (undici: 4 s, browsers longer) should be the one to close first.
    server.keepAliveTimeout = 65_000;
    server.on('connection', (socket) => {
      if (o.node.faults.down) socket.destroy();
    });
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (o.node.faults.down) return void req.socket.destroy();
    setCors(res);
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    if (o.node.faults.slowMs > 0) await sleep(o.node.faults.slowMs);
    if (o.node.faults.down) return void req.socket.destroy();

    const rawPath = req.url ?? '/';
    const url = new URL(rawPath, 'http://devnet.invalid');
    const method = req.method ?? 'GET';
    const hits = matchRoute(o.routes, url.pathname);
    const hit = hits.find((h) => h.route.method === method);
    const text = await readBody(req);
    if (!hit) {
      return hits.length > 0
        ? sendJson(res, 405, rpcStatus(Code.Unimplemented, 'Method Not Allowed'))
        : sendJson(res, 404, rpcStatus(Code.NotFound, 'Not Found'));
    }
    const fail = (e: unknown) => {
      if (!(e instanceof RpcError)) throw e;
      if (hit.route.stream) return sendJson(res, errorStatus(e), { error: rpcStatus(e.code, e.message) });
      sendChecked(res, method, rawPath, errorStatus(e), rpcStatus(e.code, e.message));
    };
    let body: Record<string, unknown>;
    try {
      // grpc-gateway decodes the body before the call: its errors are never stream lines.
      body = method === 'POST' ? parseJsonBody(text) : {};
    } catch (e) {
      if (e instanceof RpcError) return sendJson(res, errorStatus(e), rpcStatus(e.code, e.message));
      throw e;
    }
    const problems = o.contract?.request(o.api, method, rawPath, method === 'POST' ? body : undefined) ?? [];
    if (problems.length > 0) return violation(res, `${o.api} request ${method} ${rawPath}`, problems);

    const closed = new AbortController();
    res.on('close', () => closed.abort());
    let out: Reply;
    try {
      authorize(o.api, o.node, hit.route.perm, req.headers['grpc-metadata-macaroon']);
      out = await hit.route.handle({ node: o.node, params: hit.params, query: url.searchParams, body, closed: closed.signal });
    } catch (e) {
      return fail(e);
    }
    if ('json' in out) return sendChecked(res, method, rawPath, 200, out.json);
    return streamOut(res, method, rawPath, out.stream, closed.signal);
  }

  function violation(res: http.ServerResponse, where: string, problems: string[]): void {
    const text = `${where}: ${problems.join('; ')}`;
    o.violations.push(text);
    sendJson(res, 500, rpcStatus(Code.Internal, `devnet contract violation: ${text}`));
  }

  function sendChecked(res: http.ServerResponse, method: string, path: string, status: number, body: unknown): void {
    if (o.node.faults.malformed) return sendMalformed(res, body);
    const problems = o.contract?.response(o.api, method, path, status, body) ?? [];
    if (problems.length > 0) return violation(res, `${o.api} response ${method} ${path}`, problems);
    sendJson(res, status, body);
  }

  function sendMalformed(res: http.ServerResponse, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    // Alternate: JSON cut in half, then JSON of the wrong shape.
    res.end(malformedCount++ % 2 === 0 ? text.slice(0, Math.max(1, Math.floor(text.length / 2))) : JSON.stringify(scramble(body)));
  }

  async function streamOut(res: http.ServerResponse, method: string, path: string, lines: AsyncIterable<unknown>, closed: AbortSignal): Promise<void> {
    const write = (line: unknown) => res.write(`${JSON.stringify(line)}\n`);
    const start = (status: number) => {
      if (!res.headersSent) res.writeHead(status, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    };
    const it = lines[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await it.next();
        if (next.done || closed.aborted) break;
        const line = { result: next.value };
        if (o.node.faults.malformed) {
          start(200);
          res.write(`${JSON.stringify(scramble(line)).slice(0, 20)}\n`);
          break;
        }
        const problems = o.contract?.response(o.api, method, path, 200, line) ?? [];
        if (problems.length > 0) {
          const text = `${o.api} stream ${method} ${path}: ${problems.join('; ')}`;
          o.violations.push(text);
          start(500);
          write({ error: rpcStatus(Code.Internal, `devnet contract violation: ${text}`) });
          break;
        }
        start(200);
        write(line);
      }
    } catch (e) {
      if (!(e instanceof RpcError)) throw e;
      start(errorStatus(e));
      write({ error: rpcStatus(e.code, e.message) });
    } finally {
      await it.return?.();
      res.end();
    }
  }

  const servers: Server[] = [];
  try {
    const port = await listen(plain, o.host, o.port);
    servers.push(plain);
    const tlsPort = await listen(secure, o.host, o.tlsPort);
    servers.push(secure);
    return { servers, port, tlsPort };
  } catch (e) {
    await Promise.all(servers.map(close));
    throw e;
  }
}

/** Same keys, wrong types: strings become numbers, numbers strings, lists objects. */
function scramble(v: unknown): unknown {
  if (typeof v === 'string') return v.length;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'yes' : 0;
  if (Array.isArray(v)) return { items: v.length };
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scramble(x)]));
  return v;
}
