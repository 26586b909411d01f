import type { ErrorCode } from './error-codes.ts';

/**
 * One error type for the whole wallet core. `code` is stable (the UI switches
 * on it, translations key off it, and error-codes.ts says what a page learns of
 * it); `message` reads "<module>: <problem>=<value>" so a log line says where and what.
 */
export class SatnavError extends Error {
  override readonly name = 'SatnavError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, string | number | boolean>,
  ) {
    super(message);
  }
}

export function isSatnavError(e: unknown): e is SatnavError {
  return e instanceof SatnavError;
}

/** Factory bound to one module so every error names where it came from. */
export function moduleErrors(module: string) {
  return (code: ErrorCode, problem: string, value?: unknown, details?: Record<string, string | number | boolean>) =>
    new SatnavError(code, value === undefined ? `${module}: ${problem}` : `${module}: ${problem}=${show(value)}`, details);
}

function show(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
