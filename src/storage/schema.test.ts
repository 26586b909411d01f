import { describe, expect, it } from 'vitest';
import { z } from '../base/zod.ts';
import { parseWith, upgrade, type Migration } from './schema.ts';

// A toy history: v1 stored `fee` in percent, v2 renamed it, v3 switched to ppm.
const migrations: Record<number, Migration> = {
  1: ({ feePercent, ...rest }) => ({ ...rest, feePct: feePercent }),
  2: ({ feePct, ...rest }) => ({ ...rest, feePpm: Number(feePct) * 10_000 }),
};

describe('upgrade', () => {
  it('runs every step from the stored version and stamps each version', () => {
    expect(upgrade({ schemaVersion: 1, feePercent: 2, keep: 'x' }, 3, migrations)).toEqual({
      ok: true,
      from: 1,
      record: { schemaVersion: 3, feePpm: 20_000, keep: 'x' },
    });
    expect(upgrade({ schemaVersion: 2, feePct: 1 }, 3, migrations)).toEqual({
      ok: true,
      from: 2,
      record: { schemaVersion: 3, feePpm: 10_000 },
    });
  });
  it('leaves a current record alone', () => {
    const record = { schemaVersion: 3, feePpm: 5 };
    expect(upgrade(record, 3, migrations)).toEqual({ ok: true, from: 3, record });
  });
  const bad: Array<[string, unknown, string]> = [
    ['a string', 'garbage', 'not an object'],
    ['null', null, 'not an object'],
    ['an array', [1], 'not an object'],
    ['no version', { feePpm: 1 }, 'schemaVersion=undefined'],
    ['version 0', { schemaVersion: 0 }, 'schemaVersion=0'],
    ['fractional version', { schemaVersion: 1.5 }, 'schemaVersion=1.5'],
    ['version as string', { schemaVersion: '3' }, 'schemaVersion=3'],
    ['a newer version', { schemaVersion: 4 }, 'schemaVersion=4 newer than 3'],
  ];
  for (const [name, raw, problem] of bad)
    it(`refuses ${name}`, () => expect(upgrade(raw, 3, migrations)).toEqual({ ok: false, problem }));
  it('refuses a gap in the migration chain', () => {
    expect(upgrade({ schemaVersion: 1 }, 3, { 2: migrations[2]! })).toEqual({
      ok: false,
      problem: 'no migration from schemaVersion=1',
    });
  });
  it('reports a migration that throws instead of throwing', () => {
    const throwing: Migration = () => { throw new Error('bad field'); };
    expect(upgrade({ schemaVersion: 2 }, 3, { 2: throwing })).toEqual({
      ok: false,
      problem: 'migration from schemaVersion=2 failed: bad field',
    });
  });
});

describe('parseWith', () => {
  const schema = z.strictObject({ a: z.object({ b: z.number() }), c: z.string() });
  const fail = (where: string) => new Error(`bad:${where}`);
  it('returns the parsed value', () => expect(parseWith(schema, { a: { b: 1 }, c: 'x' }, fail)).toEqual({ a: { b: 1 }, c: 'x' }));
  it('names every bad field path', () => expect(() => parseWith(schema, { a: { b: 'no' }, c: 1 }, fail)).toThrow('bad:a.b,c'));
  it('names the value itself when it is the wrong type', () => expect(() => parseWith(schema, 7, fail)).toThrow('bad:(value)'));
});
