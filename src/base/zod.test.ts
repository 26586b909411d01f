import { describe, expect, it } from 'vitest';
import { z } from './zod.ts';

describe('zod', () => {
  // Mini alone answers "Invalid input" to everything; the worker's error details quote these.
  it('gives English messages, as classic zod did', () => {
    const issues = (v: unknown) => z.strictObject({ n: z.int().check(z.maximum(9)) }).safeParse(v).error?.issues.map((i) => i.message);
    expect(issues({ n: 10 })).toEqual(['Too big: expected number to be <=9']);
    expect(issues({ n: 'x', m: 1 })).toEqual(['Invalid input: expected number, received string', 'Unrecognized key: "m"']);
  });
});
