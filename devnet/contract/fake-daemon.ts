/**
 * Test support: a fake daemon answering from recorded fixtures, behind the contract-checking
 * fetch, so the fixtures themselves are held to the upstream REST definitions.
 */
import type { Api } from './openapi.ts';
import { recordingFetch, type RecordingFetch } from './recording-fetch.ts';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}
export type Handler = (req: FakeRequest) => Response | Promise<Response>;

export const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });
export const ndjson = (lines: unknown[]) => new Response(lines.map((l) => `${JSON.stringify(l)}\n`).join(''), { status: 200 });
export const rpcError = (status: number, code: number, message: string) => json({ code, message, details: [] }, status);

/** Routes are "METHOD /path" (no query); a path ending in '/*' matches one more segment. */
export function fakeDaemon(api: Api, routes: Record<string, Handler>): RecordingFetch & { requests: FakeRequest[] } {
  const requests: FakeRequest[] = [];
  const inner: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    const req = { method, path: url.pathname, query: url.searchParams, body };
    requests.push(req);
    const exact = routes[`${method} ${url.pathname}`];
    const wildcard = routes[`${method} ${url.pathname.replace(/\/[^/]*$/, '/*')}`];
    const handler = exact ?? wildcard;
    return handler ? handler(req) : rpcError(404, 5, `no fixture for ${method} ${url.pathname}`);
  };
  return { ...recordingFetch(api, inner), requests };
}
