/** Tiny shape checks for JSON read back from storage; each caller throws its own error code. */

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The first key that is missing or unexpected, or undefined when `obj` has exactly `keys`. */
export function keyMismatch(obj: Record<string, unknown>, keys: readonly string[]): string | undefined {
  return Object.keys(obj).find((k) => !keys.includes(k)) ?? keys.find((k) => !Object.hasOwn(obj, k));
}
