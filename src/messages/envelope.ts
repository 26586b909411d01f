import { isSatnavError } from '../errors.ts';

/** What crosses `runtime.sendMessage`: never a thrown Error, always one of these. */
export type ErrorInfo = { code: string; message: string; details?: Record<string, string | number | boolean> };
export type Envelope<T> = { ok: true; result: T } | { ok: false; error: ErrorInfo };

export function okEnvelope<T>(result: T): Envelope<T> {
  return { ok: true, result };
}

/** Known errors keep their code; anything else becomes INTERNAL without leaking internals. */
export function errorEnvelope(e: unknown): Envelope<never> {
  if (isSatnavError(e)) {
    return { ok: false, error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } };
  }
  return { ok: false, error: { code: 'INTERNAL', message: 'satnav: internal error' } };
}
