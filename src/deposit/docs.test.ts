import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { depositLine } from './test-fixtures.ts';
import data from './vectors.json' with { type: 'json' };

const doc = readFileSync(new URL('../../docs/deposit-wall.md', import.meta.url), 'utf8');

describe('docs/deposit-wall.md worked example', () => {
  it('shows the challenge the fixtures build', () => expect(doc).toContain(`WWW-Authenticate: ${depositLine()}`));
  it('shows the hold credential of vector 0', () => expect(doc).toContain(`Authorization: ${data.vectors[0]!.authorization}`));
  it('shows the release credential of vector 1', () => expect(doc).toContain(`Authorization: ${data.vectors[1]!.authorization}`));
  it('shows the signed message of vector 0', () => expect(doc).toContain(data.vectors[0]!.message));
});
