import type { z } from '../base/zod.ts';

/**
 * Versioned records in the store. Every stored record carries `schemaVersion`;
 * a reader brings an older record forward one version at a time and refuses a
 * newer one (written by a later Satnav) instead of guessing at its meaning.
 */
export type StoredRecord = Record<string, unknown>;

/** Turns a record of version v into one of version v + 1. */
export type Migration = (record: StoredRecord) => StoredRecord;

export type Upgrade =
  | { ok: true; record: StoredRecord; from: number }
  | { ok: false; problem: string };

export function isRecord(x: unknown): x is StoredRecord {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Brings `raw` to `version` through `migrations[v]` (v → v + 1). Never throws:
 * stored data is outside our control, so every problem comes back as a value.
 */
export function upgrade(raw: unknown, version: number, migrations: Readonly<Record<number, Migration>> = {}): Upgrade {
  if (!isRecord(raw)) return { ok: false, problem: 'not an object' };
  const from = raw.schemaVersion;
  if (typeof from !== 'number' || !Number.isSafeInteger(from) || from < 1)
    return { ok: false, problem: `schemaVersion=${String(from)}` };
  if (from > version) return { ok: false, problem: `schemaVersion=${from} newer than ${version}` };
  let record = raw;
  for (let v = from; v < version; v++) {
    const step = migrations[v];
    if (!step) return { ok: false, problem: `no migration from schemaVersion=${v}` };
    try {
      // The runner stamps the version so a migration cannot forget to.
      record = { ...step(record), schemaVersion: v + 1 };
    } catch (e) {
      return { ok: false, problem: `migration from schemaVersion=${v} failed: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  return { ok: true, record, from };
}

/**
 * Parses untrusted input with a zod schema; on failure `fail` gets the paths of
 * the bad fields ("a.b,c", or "(value)" for the whole thing) to build the error.
 */
export function parseWith<T>(schema: z.ZodMiniType<T>, value: unknown, fail: (where: string) => Error): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw fail(parsed.error.issues.map((i) => i.path.map(String).join('.') || '(value)').join(','));
}
