import { z } from '../base/zod.ts';
import { isOrigin, type Origin } from '../base/origin.ts';
import { satsSchema } from '../base/sats.ts';
import { moduleErrors } from '../errors.ts';

/**
 * What Satnav bought at 402 walls: the headers that open them, and the
 * purchases still under way. Kept with the wallet's other secrets (encrypted
 * with the vault key), because an L402 header is a bearer credential: whoever
 * holds it is served.
 *
 * | record     | when                                   | becomes                        |
 * | ---------- | -------------------------------------- | ------------------------------ |
 * | pending    | written before the invoice is paid     | a credential once the node gives the preimage (also after a restart), dropped if the payment failed |
 * | credential | the retry header, scoped to one origin | dropped when expired, revoked by the person, refused by the server, or (one-shot schemes) used |
 *
 * A credential is only ever sent to its own `origin`: the server that issued
 * the challenge. `paths` are where it has been applied (the browser can't know
 * which of a server's paths a token covers, so each path learns it on its
 * first 402 and is then served without paying again).
 */
const err = moduleErrors('paywall');

/** Bounded: a page cannot grow the encrypted vault without limit. */
export const MAX_CREDENTIALS = 200;
export const MAX_PATHS = 64;

const origin = z.string().check(z.refine(isOrigin, 'expected an origin'));
const hex32 = z.string().check(z.regex(/^[0-9a-f]{64}$/));
const path = z.string().check(z.startsWith('/'), z.maxLength(2048));

const credentialSchema = z.strictObject({
  id: z.string().check(z.minLength(1), z.maxLength(64)),
  origin,
  paths: z.array(path).check(z.maxLength(MAX_PATHS)),
  services: z.array(z.string().check(z.maxLength(128))).check(z.maxLength(32)),
  scheme: z.enum(['l402', 'payment', 'x402']),
  header: z.strictObject({ name: z.string().check(z.minLength(1), z.maxLength(64)), value: z.string().check(z.minLength(1), z.maxLength(16_384)) }),
  paymentHash: hex32,
  amountSat: satsSchema,
  /** The site whose budget paid. */
  paidBy: origin,
  createdAt: z.int().check(z.minimum(0)),
  /** Unix seconds; null: until the server refuses it. */
  expiresAt: z.nullable(z.int().check(z.minimum(0))),
  /** L402 tokens serve many requests; a Payment charge or an x402 proof serves one. */
  reusable: z.boolean(),
});
export type Credential = z.infer<typeof credentialSchema>;

const pendingSchema = z.strictObject({
  paymentHash: hex32,
  origin,
  path,
  paidBy: origin,
  /** The challenge as the server sent it, to rebuild the credential after a restart. */
  headers: z.strictObject({
    wwwAuthenticate: z.array(z.string().check(z.maxLength(65_536))).check(z.maxLength(8)),
    paymentRequired: z.nullable(z.string().check(z.maxLength(65_536))),
  }),
  createdAt: z.int().check(z.minimum(0)),
});
export type PendingPurchase = z.infer<typeof pendingSchema>;

const boxSchema = z.strictObject({ credentials: z.array(credentialSchema), pending: z.array(pendingSchema) });
type Box = z.infer<typeof boxSchema>;

/** Where the records live: the vault's encrypted secrets in the extension, a plain object in tests. */
export interface SecretSlot {
  read(): Promise<unknown>;
  /** Read-modify-write under the slot's own lock. */
  update(fn: (current: unknown) => unknown): Promise<void>;
}

export class CredentialStore {
  constructor(
    private readonly slot: SecretSlot,
    private readonly now: () => number = Date.now,
  ) {}

  /** Valid credentials, newest first. */
  async list(): Promise<Credential[]> {
    return live((await this.box()).credentials, this.now()).toSorted((a, b) => b.createdAt - a.createdAt);
  }

  /** A reusable credential of `origin` for exactly these L402 services. */
  async findReusable(originOf: Origin, services: readonly string[]): Promise<Credential | undefined> {
    const key = servicesKey(services);
    return (await this.list()).find((c) => c.reusable && c.origin === originOf && servicesKey(c.services) === key);
  }

  /** The credential already applied to this URL's path, if any. */
  async forUrl(url: URL): Promise<Credential | undefined> {
    return (await this.list()).find((c) => c.origin === url.origin && c.paths.includes(url.pathname));
  }

  async get(id: string): Promise<Credential | undefined> {
    return (await this.list()).find((c) => c.id === id);
  }

  /** Stores `c`, replacing any credential for the same origin and services; drops its pending purchase. */
  async put(c: Credential): Promise<void> {
    const valid = credentialSchema.parse(c);
    await this.change((box) => {
      const key = servicesKey(valid.services);
      const others = live(box.credentials, this.now()).filter((x) => x.id !== valid.id && !(x.reusable && valid.reusable && x.origin === valid.origin && servicesKey(x.services) === key));
      // Paths move to the newest credential: one path, one header.
      for (const o of others) if (o.origin === valid.origin) o.paths = o.paths.filter((p) => !valid.paths.includes(p));
      box.credentials = [valid, ...others].slice(0, MAX_CREDENTIALS);
      box.pending = box.pending.filter((p) => p.paymentHash !== valid.paymentHash);
    });
  }

  /** Applies a credential to one more path of its origin (no-op when already there). */
  async addPath(id: string, pathname: string): Promise<Credential> {
    let out: Credential | undefined;
    await this.change((box) => {
      const c = box.credentials.find((x) => x.id === id);
      if (!c) throw err('CREDENTIAL_UNKNOWN', 'no credential', id);
      for (const o of box.credentials) if (o.origin === c.origin && o.id !== id) o.paths = o.paths.filter((p) => p !== pathname);
      if (!c.paths.includes(pathname)) c.paths = [pathname, ...c.paths].slice(0, MAX_PATHS);
      out = { ...c };
    });
    return out!;
  }

  async remove(id: string): Promise<boolean> {
    let found = false;
    await this.change((box) => {
      found = box.credentials.some((c) => c.id === id);
      box.credentials = box.credentials.filter((c) => c.id !== id);
    });
    return found;
  }

  /** Every credential a site's budget paid for (the person revoking a site). */
  async removePaidBy(site: Origin): Promise<number> {
    let n = 0;
    await this.change((box) => {
      const keep = box.credentials.filter((c) => c.paidBy !== site);
      n = box.credentials.length - keep.length;
      box.credentials = keep;
    });
    return n;
  }

  async addPending(p: PendingPurchase): Promise<void> {
    const valid = pendingSchema.parse(p);
    await this.change((box) => {
      box.pending = [valid, ...box.pending.filter((x) => x.paymentHash !== valid.paymentHash)].slice(0, MAX_CREDENTIALS);
    });
  }

  async pending(): Promise<PendingPurchase[]> {
    return (await this.box()).pending;
  }

  async dropPending(paymentHash: string): Promise<void> {
    await this.change((box) => {
      box.pending = box.pending.filter((p) => p.paymentHash !== paymentHash);
    });
  }

  private async box(): Promise<Box> {
    return readBox(await this.slot.read());
  }

  private async change(fn: (box: Box) => void): Promise<void> {
    await this.slot.update((current) => {
      const box = readBox(current);
      box.credentials = live(box.credentials, this.now());
      fn(box);
      return box;
    });
  }
}

/** Unreadable records are dropped one by one: a damaged credential costs a new payment, never a crash. */
function readBox(raw: unknown): Box {
  const whole = boxSchema.safeParse(raw);
  if (whole.success) return structuredClone(whole.data);
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as { credentials?: unknown; pending?: unknown };
  const each = <T>(list: unknown, schema: z.ZodMiniType<T>): T[] =>
    (Array.isArray(list) ? list : []).flatMap((x) => {
      const p = schema.safeParse(x);
      return p.success ? [p.data] : [];
    });
  return { credentials: each(r.credentials, credentialSchema), pending: each(r.pending, pendingSchema) };
}

function live(list: Credential[], nowMs: number): Credential[] {
  const now = Math.floor(nowMs / 1000);
  return list.filter((c) => c.expiresAt === null || c.expiresAt > now);
}

function servicesKey(services: readonly string[]): string {
  return services.toSorted().join(',');
}
