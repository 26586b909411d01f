import { describe, expect, it } from 'vitest';
import { checkNewPassword, connectionFrom, nodeOrigin, passwordStrength, pickPositions, secureRandomInt, wordMatches } from './forms.ts';

describe('checkNewPassword', () => {
  it('accepts 8 characters that match', () => expect(checkNewPassword('abcdefgh', 'abcdefgh')).toBeUndefined());
  it('too short comes first (7 characters)', () => expect(checkNewPassword('abcdefg', 'other')?.code).toBe('PASSWORD_TOO_SHORT'));
  it('empty', () => expect(checkNewPassword('', '')?.code).toBe('PASSWORD_TOO_SHORT'));
  it('mismatch', () => expect(checkNewPassword('abcdefgh', 'abcdefgH')?.code).toBe('PASSWORD_MISMATCH'));
});

describe('passwordStrength', () => {
  const cases: [string, string][] = [
    ['', 'weak'],
    ['Ab1!', 'weak'],
    ['password', 'weak'],
    ['Password1', 'fair'],
    ['passwordpassword', 'fair'],
    ['Password123!', 'strong'],
    ['correct horse battery staple', 'strong'],
  ];
  for (const [pw, want] of cases) it(`${JSON.stringify(pw)} → ${want}`, () => expect(passwordStrength(pw)).toBe(want));
});

describe('pickPositions', () => {
  it('distinct, ascending, 1-based, within range', () => {
    for (let run = 0; run < 200; run++) {
      const picked = pickPositions(12, 3);
      expect(picked).toHaveLength(3);
      expect(new Set(picked).size).toBe(3);
      expect([...picked].sort((a, b) => a - b)).toEqual(picked);
      for (const p of picked) expect(p >= 1 && p <= 12).toBe(true);
    }
  });
  it('skips repeats from the random source', () => {
    const draws = [4, 4, 0, 4, 11];
    expect(pickPositions(12, 3, () => draws.shift()!)).toEqual([1, 5, 12]);
  });
  it('can ask for every word', () => expect(pickPositions(12, 12)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
  it('rejects impossible counts', () => {
    expect(() => pickPositions(12, 13)).toThrow(/forms: invalid count=13/);
    expect(() => pickPositions(12, -1)).toThrow(/forms: invalid count=-1/);
  });
  it('secureRandomInt covers its range', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(secureRandomInt(3));
    expect([...seen].sort()).toEqual([0, 1, 2]);
  });
});

describe('wordMatches', () => {
  it('ignores case and surrounding spaces', () => expect(wordMatches('abandon', '  Abandon ')).toBe(true));
  it('rejects another word', () => expect(wordMatches('abandon', 'ability')).toBe(false));
  it('rejects a prefix', () => expect(wordMatches('abandon', 'aban')).toBe(false));
});

describe('connectionFrom', () => {
  const empty = { restUrl: '', macaroon: '', tapdUrl: '', tapdMacaroon: '' };
  it('lndconnect link, trimmed', () => expect(connectionFrom('lndconnect', '  lndconnect://h:8080?macaroon=x \n', empty)).toEqual({ lndconnect: 'lndconnect://h:8080?macaroon=x' }));
  it('empty link', () => expect(connectionFrom('lndconnect', '  ', empty)).toBeUndefined());
  it('manual needs address and macaroon', () => {
    expect(connectionFrom('manual', '', { ...empty, restUrl: 'https://h:8080' })).toBeUndefined();
    expect(connectionFrom('manual', '', { ...empty, macaroon: 'ab' })).toBeUndefined();
  });
  it('manual leaves out empty optional fields', () => {
    expect(connectionFrom('manual', 'ignored', { ...empty, restUrl: ' https://h:8080 ', macaroon: 'ab' })).toEqual({ restUrl: 'https://h:8080', macaroon: 'ab' });
  });
  it('manual with tapd', () => {
    const fields = { restUrl: 'https://h:8080', macaroon: 'ab', tapdUrl: 'https://h:8089', tapdMacaroon: 'cd' };
    expect(connectionFrom('manual', '', fields)).toEqual(fields);
  });
});

describe('nodeOrigin', () => {
  it('from an lndconnect link', () => expect(nodeOrigin({ lndconnect: 'lndconnect://10.0.0.5:8080?cert=abc&macaroon=def' })).toBe('https://10.0.0.5:8080'));
  it('from an lndconnect link with an IPv6 host', () => expect(nodeOrigin({ lndconnect: 'lndconnect://[::1]:8080?macaroon=def' })).toBe('https://[::1]:8080'));
  it('from a REST address', () => expect(nodeOrigin({ restUrl: 'https://node.local:8080/v1/getinfo' })).toBe('https://node.local:8080'));
  it('nothing for malformed or foreign input', () => {
    expect(nodeOrigin({ lndconnect: 'not a link' })).toBeUndefined();
    expect(nodeOrigin({ lndconnect: 'https://h:1' })).toBeUndefined();
    expect(nodeOrigin({ restUrl: 'ftp://h' })).toBeUndefined();
    expect(nodeOrigin({})).toBeUndefined();
  });
});
