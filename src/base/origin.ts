import { moduleErrors } from '../errors.ts';

/**
 * An origin as the browser reports it for a sender: `scheme://host[:port]`,
 * nothing more. Every origin in the wallet comes from the browser, never from
 * page data; this type only says the string has the right shape.
 */
export type Origin = string;

const err = moduleErrors('origin');

export function isOrigin(origin: unknown): origin is Origin {
  if (typeof origin !== 'string' || origin.length === 0 || origin.length > 2048) return false;
  try {
    const u = new URL(origin);
    return `${u.protocol}//${u.host}` === origin;
  } catch {
    return false;
  }
}

export function assertOrigin(origin: unknown, name = 'origin'): asserts origin is Origin {
  if (!isOrigin(origin)) throw err('INVALID_ORIGIN', `invalid ${name}`, origin);
}

/**
 * Where a page request came from, as the browser reported it. `topOrigin` is
 * the tab's top-level origin when the asking frame is embedded in a page of
 * another origin (or `null` when the browser didn't say: treated as foreign).
 */
export interface PageContext {
  origin: Origin;
  topOrigin?: Origin | null;
  tabId?: number;
}

/** The top-level origin a subframe request is embedded in, when it differs from the frame's own. */
export function embeddedIn(ctx: PageContext): Origin | null | undefined {
  if (ctx.topOrigin === undefined || ctx.topOrigin === ctx.origin) return undefined;
  return ctx.topOrigin;
}

/** `embeddedIn` as a field of what the request asks for: left out for a top-level or same-origin frame. */
export function embedding(ctx: PageContext): { embeddedIn?: Origin | null } {
  const top = embeddedIn(ctx);
  return top === undefined ? {} : { embeddedIn: top };
}
