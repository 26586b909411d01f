/**
 * Checks HTTP traffic against the upstream swagger 2.0 definitions of lnd and tapd
 * (`contracts/` at the repository root). Both the wallet's connectors and the devnet's servers run
 * their traffic through it, so a field renamed or mistyped on either side fails a test.
 *
 * Swagger → JSON Schema, following grpc-gateway's JSON encoding (protojson):
 *
 * | swagger                         | JSON on the wire                                  |
 * | ------------------------------- | ------------------------------------------------- |
 * | string + format int64 / uint64  | string of decimal digits (64-bit ints are quoted) |
 * | integer (int32, or int64=uint32)| JSON integer                                      |
 * | string + format byte (lnd)      | standard base64, padded                           |
 * | string + format byte (tapd)     | hex (tapd's REST marshaler writes bytes as hex)   |
 * | string + enum                   | the enum value's name                             |
 * | object with properties          | no other properties (additionalProperties: false) |
 * | message-typed field ($ref)      | that message, or null (an unset message field)    |
 *
 * proto3 JSON may omit any field, so nothing is `required`. Path and query parameters are
 * parsed by grpc-gateway itself: bytes there are base64 (standard or URL-safe, padded).
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';

export type Api = 'lnd' | 'tapd';

const SPEC_FILES: Record<Api, readonly string[]> = {
  lnd: [
    'lnd/lnrpc/lightning.swagger.json',
    'lnd/lnrpc/invoicesrpc/invoices.swagger.json',
    'lnd/lnrpc/routerrpc/router.swagger.json',
    'lnd/lnrpc/signrpc/signer.swagger.json',
    'lnd/lnrpc/stateservice.swagger.json',
  ],
  tapd: [
    'tapd/taprpc/taprootassets.swagger.json',
    'tapd/taprpc/tapchannelrpc/tapchannel.swagger.json',
    'tapd/taprpc/rfqrpc/rfq.swagger.json',
  ],
};

const PATTERNS = {
  int64: '^-?[0-9]+$',
  uint64: '^[0-9]+$',
  base64: '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$',
  hex: '^(?:[0-9a-fA-F]{2})*$',
} as const;
const BASE64URL = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?$/;

// Swagger shapes we read (a subset of swagger 2.0).
interface SwaggerSchema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: string[];
  properties?: Record<string, SwaggerSchema>;
  additionalProperties?: SwaggerSchema | boolean;
  items?: SwaggerSchema;
  title?: string;
}
interface SwaggerParam {
  name: string;
  in: 'path' | 'query' | 'body';
  type?: string;
  format?: string;
  enum?: string[];
  items?: SwaggerParam;
  collectionFormat?: string;
  schema?: SwaggerSchema;
}
interface SwaggerOp {
  operationId: string;
  parameters?: SwaggerParam[];
  responses: Record<string, { schema?: SwaggerSchema }>;
}
interface SwaggerDoc {
  paths: Record<string, Record<string, SwaggerOp>>;
  definitions?: Record<string, SwaggerSchema>;
}

interface Route {
  method: string;
  template: string;
  segments: string[]; // literal segment, or '{name}'
  params: number;
  op: SwaggerOp;
  schemaId: string;
  validators: Map<string, ValidateFunction>; // 'body' | status key
}
interface ApiModel {
  ajv: Ajv;
  routes: Route[];
  bytes: keyof typeof PATTERNS;
}

/** The upstream swagger files, kept unchanged in the repository (see contracts/SOURCES.md). */
const CONTRACTS_DIR = new URL('../../contracts/', import.meta.url);

type JsonSchema = Record<string, unknown>;

/** One swagger schema → JSON Schema; refs point into the file's own schema id. */
function convert(s: SwaggerSchema, fileId: string, bytes: keyof typeof PATTERNS): JsonSchema {
  // A $ref's siblings (grpc-gateway adds `type: object`) carry nothing: the ref decides.
  if (s.$ref) return { $ref: s.$ref.replace(/^#/, `${fileId}#`) };
  const out: JsonSchema = {};
  if (s.type === 'string') {
    out.type = 'string';
    if (s.format === 'int64') out.pattern = PATTERNS.int64;
    else if (s.format === 'uint64') out.pattern = PATTERNS.uint64;
    else if (s.format === 'byte') out.pattern = PATTERNS[bytes];
    if (s.enum) out.enum = s.enum;
  } else if (s.type === 'integer' || s.type === 'number' || s.type === 'boolean') {
    out.type = s.type;
  } else if (s.type === 'array') {
    out.type = 'array';
    if (s.items) out.items = convert(s.items, fileId, bytes);
  } else if (s.type === 'object' || s.properties || s.additionalProperties !== undefined) {
    out.type = 'object';
    const props: Record<string, JsonSchema> = {};
    for (const [k, v] of Object.entries(s.properties ?? {})) props[k] = convert(v, fileId, bytes);
    if (s.properties) out.properties = props;
    const ap = s.additionalProperties;
    // Maps (and protobuf Any) declare additionalProperties; every message is closed.
    out.additionalProperties = ap === undefined ? false : typeof ap === 'boolean' ? ap : convert(ap, fileId, bytes);
  }
  return out;
}

const models = new Map<Api, ApiModel>();

function model(api: Api): ApiModel {
  const cached = models.get(api);
  if (cached) return cached;
  const bytes = api === 'tapd' ? 'hex' : 'base64';
  const ajv = new Ajv({ allErrors: true, strict: true });
  const routes: Route[] = [];
  for (const file of SPEC_FILES[api]) {
    const doc = JSON.parse(readFileSync(new URL(file, CONTRACTS_DIR), 'utf8')) as SwaggerDoc;
    const fileId = `https://contracts.satnav.invalid/${file}`;
    const definitions: Record<string, JsonSchema> = {};
    for (const [name, s] of Object.entries(doc.definitions ?? {})) {
      const def = convert(s, fileId, bytes);
      // protojson with EmitUnpopulated (lnd, tapd) writes an unset message field as null.
      if (def.type === 'object') def.type = ['object', 'null'];
      definitions[name] = def;
    }
    ajv.addSchema({ $id: fileId, definitions });
    for (const [template, ops] of Object.entries(doc.paths)) {
      const segments = template.split('/').slice(1);
      const params = segments.filter(isParam).length;
      for (const [method, op] of Object.entries(ops)) {
        routes.push({ method: method.toUpperCase(), template, segments, params, op, schemaId: fileId, validators: new Map() });
      }
    }
  }
  const m: ApiModel = { ajv, routes, bytes };
  models.set(api, m);
  return m;
}

const isParam = (seg: string) => seg.startsWith('{') && seg.endsWith('}');

function splitPath(path: string): { segments: string[]; query: URLSearchParams } {
  const q = path.indexOf('?');
  const pathname = q < 0 ? path : path.slice(0, q);
  return { segments: pathname.split('/').slice(1), query: new URLSearchParams(q < 0 ? '' : path.slice(q + 1)) };
}

function match(api: Api, method: string, path: string): { route: Route; pathParams: Map<string, string>; query: URLSearchParams } | undefined {
  const { segments, query } = splitPath(path);
  let best: Route | undefined;
  for (const r of model(api).routes) {
    if (r.method !== method.toUpperCase() || r.segments.length !== segments.length) continue;
    const ok = r.segments.every((t, i) => (isParam(t) ? segments[i] !== '' : t === segments[i]));
    if (ok && (!best || r.params < best.params)) best = r;
  }
  if (!best) return undefined;
  const pathParams = new Map<string, string>();
  best.segments.forEach((t, i) => {
    if (isParam(t)) pathParams.set(t.slice(1, -1), safeDecode(segments[i] ?? ''));
  });
  return { route: best, pathParams, query };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function isErrorLine(body: unknown): body is { error: unknown } {
  return typeof body === 'object' && body !== null && Object.keys(body).length === 1 && 'error' in body;
}

/** The operation serving `method path`; `streaming` when its 200 answer is an NDJSON stream. */
export function findOperation(
  api: Api,
  method: string,
  path: string,
): { operationId: string; pathTemplate: string; streaming: boolean } | undefined {
  const m = match(api, method, path);
  if (!m) return undefined;
  return { operationId: m.route.op.operationId, pathTemplate: m.route.template, streaming: isStreaming(m.route) };
}

function isStreaming(route: { op: { responses: Record<string, { schema?: { title?: string } } | undefined> } }): boolean {
  return (route.op.responses['200']?.schema?.title ?? '').startsWith('Stream result of');
}

/** A path or query value, as grpc-gateway parses it from text. */
function checkParamValue(p: SwaggerParam, value: string): string | undefined {
  const bad = `${p.in} parameter ${p.name}=${JSON.stringify(value)}`;
  if (p.enum) return p.enum.includes(value) ? undefined : `${bad}: not one of ${p.enum.join('|')}`;
  switch (p.type) {
    case 'integer':
      return /^-?[0-9]+$/.test(value) ? undefined : `${bad}: not an integer`;
    case 'number':
      return value.trim() !== '' && Number.isFinite(Number(value)) ? undefined : `${bad}: not a number`;
    case 'boolean':
      return /^(true|false|1|0)$/.test(value) ? undefined : `${bad}: not a boolean`;
    case 'string':
      if (p.format === 'int64' || p.format === 'uint64') {
        return new RegExp(PATTERNS[p.format]).test(value) ? undefined : `${bad}: not ${p.format} digits`;
      }
      if (p.format === 'byte') {
        return new RegExp(PATTERNS.base64).test(value) || BASE64URL.test(value) ? undefined : `${bad}: not base64`;
      }
      return undefined;
    default:
      return `${bad}: unsupported parameter type ${String(p.type)}`;
  }
}

function validator(m: ApiModel, route: Route, key: string, schema: SwaggerSchema): ValidateFunction {
  let v = route.validators.get(key);
  if (!v) {
    v = m.ajv.compile(convert(schema, route.schemaId, m.bytes));
    route.validators.set(key, v);
  }
  return v;
}

function schemaErrors(v: ValidateFunction, value: unknown, where: string): string[] {
  if (v(value)) return [];
  return (v.errors ?? []).map((e) => {
    const at = `${where}${e.instancePath}`;
    if (e.keyword === 'additionalProperties') return `${at}: unknown property ${String(e.params.additionalProperty)}`;
    if (e.keyword === 'enum') return `${at}: ${e.message} (${(e.params.allowedValues as string[]).join('|')})`;
    return `${at}: ${e.message ?? e.keyword}`;
  });
}

export function validateRequest(api: Api, method: string, path: string, body: unknown): string[] {
  const m = match(api, method, path);
  if (!m) return [`${api} ${method.toUpperCase()} ${path}: no such route`];
  const errors: string[] = [];
  const params = m.route.op.parameters ?? [];
  for (const [name, value] of m.pathParams) {
    const p = params.find((x) => x.in === 'path' && x.name === name);
    const e = p ? checkParamValue(p, value) : `path parameter ${name}: not declared`;
    if (e) errors.push(e);
  }
  for (const name of new Set(m.query.keys())) {
    const p = params.find((x) => x.in === 'query' && x.name === name);
    if (!p) {
      errors.push(`query parameter ${name}: unknown`);
      continue;
    }
    const values = m.query.getAll(name);
    if (p.type === 'array') {
      for (const v of values) {
        const e = p.items && checkParamValue({ ...p.items, name, in: 'query' }, v);
        if (e) errors.push(e);
      }
    } else if (values.length > 1) {
      errors.push(`query parameter ${name}: repeated`);
    } else {
      const e = checkParamValue(p, values[0] ?? '');
      if (e) errors.push(e);
    }
  }
  const bodyParam = params.find((x) => x.in === 'body');
  if (!bodyParam?.schema) {
    if (body !== undefined && body !== null) errors.push('body: this route takes no body');
  } else if (body === undefined || body === null) {
    errors.push('body: missing');
  } else {
    errors.push(...schemaErrors(validator(model(api), m.route, 'body', bodyParam.schema), body, 'body'));
  }
  return errors;
}

export function validateResponse(api: Api, method: string, path: string, status: number, body: unknown): string[] {
  const m = match(api, method, path);
  if (!m) return [`${api} ${method.toUpperCase()} ${path}: no such route`];
  const key = status === 200 ? '200' : 'default';
  const schema = m.route.op.responses[key]?.schema;
  if (!schema) return [`response ${status}: no schema for ${key}`];
  // grpc-gateway: a stream failing before its first message answers with the error's HTTP
  // status and one `{"error": status}` line instead of a bare status.
  const streamError = key === 'default' && isStreaming(m.route) && isErrorLine(body);
  return schemaErrors(validator(model(api), m.route, key, schema), streamError ? body.error : body, `response ${status}`);
}
