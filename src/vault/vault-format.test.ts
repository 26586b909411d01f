import { base64 } from '@scure/base';
import { describe, expect, it } from 'vitest';
import type { KdfChoice, KdfFloor } from './kdf.ts';
import {
  assertPassword,
  decryptWithKey,
  encryptVault,
  parseVaultRecord,
  reencryptWithKey,
  unlockVault,
  upgradeKdf,
} from './vault-format.ts';
import type { VaultRecord } from './vault-format.ts';

// Test-only: fast KDFs. Production keeps MIN_KDF as the floor.
const TEST_FLOOR: KdfFloor = { 'pbkdf2-sha256': { iterations: 1 }, scrypt: { N: 2, r: 1, p: 1 } };
const FAST: KdfChoice = { name: 'pbkdf2-sha256', iterations: 1000 };
const PASSWORD = 'correct horse battery';
const PAYLOAD = { mnemonic: 'abandon … about', secrets: { macaroon: 'ab01', nested: [1, true, null] } };

const seal = (payload: unknown = PAYLOAD, kdf: KdfChoice = FAST) => encryptVault(payload, PASSWORD, kdf, TEST_FLOOR);
const code = (code: string) => expect.objectContaining({ code });

/** Flip one bit of a base64 field. */
function flip(b64: string, at = 0): string {
  const bytes = base64.decode(b64);
  bytes[at] = bytes[at]! ^ 1;
  return base64.encode(bytes);
}

describe('encryptVault / unlockVault', () => {
  it('round trip: the payload comes back, with the same key', async () => {
    const { record, key } = await seal();
    const opened = await unlockVault(record, PASSWORD);
    expect(opened.payload).toEqual(PAYLOAD);
    expect(opened.key).toEqual(key);
    expect(record).toMatchObject({ version: 1, kdf: { ...FAST }, cipher: { name: 'aes-256-gcm' } });
    expect(JSON.stringify(record)).not.toContain('macaroon');
  });

  it('uses a fresh salt and IV every time', async () => {
    const [a, b] = await Promise.all([seal(), seal()]);
    expect(a.record.kdf.salt).not.toBe(b.record.kdf.salt);
    expect(a.record.cipher.iv).not.toBe(b.record.cipher.iv);
    expect(a.key).not.toEqual(b.key);
  });

  it('WRONG_PASSWORD for a wrong password', async () => {
    const { record } = await seal();
    await expect(unlockVault(record, 'correct horse batterz')).rejects.toThrow(code('WRONG_PASSWORD'));
  });

  it('VAULT_TAMPERED for a changed ciphertext byte (first and last, i.e. the tag)', async () => {
    const { record } = await seal();
    const n = base64.decode(record.ciphertext).length;
    for (const at of [0, n - 1]) {
      await expect(unlockVault({ ...record, ciphertext: flip(record.ciphertext, at) }, PASSWORD)).rejects.toThrow(code('VAULT_TAMPERED'));
    }
  });

  it('VAULT_TAMPERED for a changed IV', async () => {
    const { record } = await seal();
    const tampered = { ...record, cipher: { ...record.cipher, iv: flip(record.cipher.iv) } };
    await expect(unlockVault(tampered, PASSWORD)).rejects.toThrow(code('VAULT_TAMPERED'));
  });

  it('VAULT_TAMPERED for a header swapped under the ciphertext (same password, other record)', async () => {
    const [a, b] = await Promise.all([seal(), seal()]);
    const spliced = { ...a.record, kdf: b.record.kdf, verifier: b.record.verifier };
    await expect(unlockVault(spliced, PASSWORD)).rejects.toThrow(code('VAULT_TAMPERED'));
  });

  it('VAULT_TAMPERED when the header changes but the key is right (header is bound as AAD)', async () => {
    const { record, key } = await seal();
    const headers: VaultRecord[] = [
      { ...record, verifier: flip(record.verifier) },
      { ...record, kdf: { ...FAST, iterations: 1001, salt: record.kdf.salt } },
      { ...record, kdf: { ...record.kdf, salt: flip(record.kdf.salt) } },
    ];
    for (const tampered of headers) await expect(decryptWithKey(tampered, key)).rejects.toThrow(code('VAULT_TAMPERED'));
  });

  it('a changed kdf or verifier reads as WRONG_PASSWORD: the password check fails first', async () => {
    const { record } = await seal();
    await expect(unlockVault({ ...record, verifier: flip(record.verifier) }, PASSWORD)).rejects.toThrow(code('WRONG_PASSWORD'));
  });

  it('PAYLOAD_NOT_JSON for a payload JSON cannot hold', async () => {
    for (const payload of [undefined, () => 1, 1n]) {
      await expect(encryptVault(payload, PASSWORD, FAST, TEST_FLOOR)).rejects.toThrow(code('PAYLOAD_NOT_JSON'));
    }
  });

  it('KDF_TOO_WEAK below the production floor unless the caller lowers it', async () => {
    await expect(encryptVault(PAYLOAD, PASSWORD, FAST)).rejects.toThrow(code('KDF_TOO_WEAK'));
  });

  it('scrypt records round trip', async () => {
    const { record } = await seal(PAYLOAD, { name: 'scrypt', N: 2 ** 4, r: 1, p: 1 });
    expect((await unlockVault(record, PASSWORD)).payload).toEqual(PAYLOAD);
  });

  it('the real default KDF (PBKDF2-SHA256, 600,000 iterations) round trips', async () => {
    const { record } = await encryptVault(PAYLOAD, PASSWORD);
    expect(record.kdf).toMatchObject({ name: 'pbkdf2-sha256', iterations: 600_000 });
    expect((await unlockVault(record, PASSWORD)).payload).toEqual(PAYLOAD);
  });
});

describe('parseVaultRecord', () => {
  it('accepts what encryptVault writes, after a JSON round trip', async () => {
    const { record } = await seal();
    expect(parseVaultRecord(JSON.parse(JSON.stringify(record)))).toEqual(record);
  });

  const mutations: [string, (r: VaultRecord) => unknown, string][] = [
    ['not an object', () => 'vault', 'VAULT_CORRUPT'],
    ['null', () => null, 'VAULT_CORRUPT'],
    ['missing ciphertext', ({ ciphertext: _, ...r }) => r, 'VAULT_CORRUPT'],
    ['extra field', (r) => ({ ...r, password: 'x' }), 'VAULT_CORRUPT'],
    ['version 2', (r) => ({ ...r, version: 2 }), 'VAULT_CORRUPT'],
    ['version as string', (r) => ({ ...r, version: '1' }), 'VAULT_CORRUPT'],
    ['verifier too short', (r) => ({ ...r, verifier: base64.encode(new Uint8Array(31)) }), 'VAULT_CORRUPT'],
    ['verifier not base64', (r) => ({ ...r, verifier: 'not base64!' }), 'VAULT_CORRUPT'],
    ['other cipher', (r) => ({ ...r, cipher: { ...r.cipher, name: 'aes-128-cbc' } }), 'VAULT_CORRUPT'],
    ['cipher extra field', (r) => ({ ...r, cipher: { ...r.cipher, tag: 'x' } }), 'VAULT_CORRUPT'],
    ['iv of 16 bytes', (r) => ({ ...r, cipher: { ...r.cipher, iv: base64.encode(new Uint8Array(16)) } }), 'VAULT_CORRUPT'],
    ['ciphertext shorter than a tag', (r) => ({ ...r, ciphertext: base64.encode(new Uint8Array(15)) }), 'VAULT_CORRUPT'],
    ['ciphertext a number', (r) => ({ ...r, ciphertext: 7 }), 'VAULT_CORRUPT'],
    ['absurd kdf iterations (DoS)', (r) => ({ ...r, kdf: { ...r.kdf, iterations: 2 ** 40 } }), 'KDF_PARAMS_INVALID'],
    ['scrypt asking for 1 GiB (DoS)', (r) => ({ ...r, kdf: { name: 'scrypt', N: 2 ** 20, r: 8, p: 1, salt: r.kdf.salt } }), 'KDF_PARAMS_INVALID'],
  ];
  for (const [why, mutate, expected] of mutations) {
    it(`${expected}: ${why}`, async () => {
      const { record } = await seal();
      expect(() => parseVaultRecord(mutate(record))).toThrow(code(expected));
      await expect(unlockVault(mutate(record), PASSWORD)).rejects.toThrow(code(expected));
    });
  }
});

describe('decryptWithKey / reencryptWithKey', () => {
  it('updates the payload under the same key with a fresh IV, password still opens it', async () => {
    const { record, key } = await seal();
    const next = await reencryptWithKey(record, key, { ...PAYLOAD, secrets: { a: 1 } });
    expect(next.cipher.iv).not.toBe(record.cipher.iv);
    expect({ kdf: next.kdf, verifier: next.verifier }).toEqual({ kdf: record.kdf, verifier: record.verifier });
    expect(await decryptWithKey(next, key)).toEqual({ ...PAYLOAD, secrets: { a: 1 } });
    expect((await unlockVault(next, PASSWORD)).payload).toEqual({ ...PAYLOAD, secrets: { a: 1 } });
    const again = await reencryptWithKey(next, key, PAYLOAD);
    expect(again.cipher.iv).not.toBe(next.cipher.iv);
  });

  it('refuses to seal with a key that does not open the record (it would lose the vault)', async () => {
    const [a, b] = await Promise.all([seal(), seal()]);
    await expect(reencryptWithKey(a.record, b.key, PAYLOAD)).rejects.toThrow(code('VAULT_TAMPERED'));
    await expect(decryptWithKey(a.record, b.key)).rejects.toThrow(code('VAULT_TAMPERED'));
  });
});

describe('upgradeKdf', () => {
  it('re-seals under stronger params, same payload, same password', async () => {
    const { record } = await seal();
    const target: KdfChoice = { name: 'pbkdf2-sha256', iterations: 2000 };
    const upgraded = await upgradeKdf(record, PASSWORD, target, TEST_FLOOR);
    expect(upgraded.record.kdf).toMatchObject(target);
    expect(upgraded.record.kdf.salt).not.toBe(record.kdf.salt);
    const opened = await unlockVault(upgraded.record, PASSWORD);
    expect(opened.payload).toEqual(PAYLOAD);
    expect(opened.key).toEqual(upgraded.key);
  });

  it('needs the right password', async () => {
    const { record } = await seal();
    await expect(upgradeKdf(record, 'nope nope nope', FAST, TEST_FLOOR)).rejects.toThrow(code('WRONG_PASSWORD'));
  });

  it('defaults to the production KDF', async () => {
    const { record } = await seal();
    expect((await upgradeKdf(record, PASSWORD)).record.kdf).toMatchObject({ name: 'pbkdf2-sha256', iterations: 600_000 });
  });
});

describe('assertPassword', () => {
  it('accepts 8 characters', () => expect(() => assertPassword('12345678')).not.toThrow());
  it('counts characters, not UTF-16 units: 8 emoji pass', () => expect(() => assertPassword('🔑'.repeat(8))).not.toThrow());
  const short = ['', '1234567', '🔑'.repeat(7), 'e\u0301'.repeat(4) /* 8 code units, 4 characters after NFKC */];
  for (const pw of short) {
    it(`PASSWORD_TOO_SHORT: ${JSON.stringify(pw)}`, () => expect(() => assertPassword(pw)).toThrow(code('PASSWORD_TOO_SHORT')));
  }
});
