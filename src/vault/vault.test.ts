import { base64 } from '@scure/base';
import { describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../storage/kv.ts';
import type { KdfChoice, KdfFloor } from './kdf.ts';
import { mnemonicToSeed } from './mnemonic.ts';
import { Vault } from './vault.ts';

// Counts the BIP39 stretches (still the real one).
const stretches = vi.hoisted(() => ({ n: 0 }));
vi.mock('./mnemonic.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('./mnemonic.ts')>();
  return { ...real, mnemonicToSeed: (m: string) => ((stretches.n += 1), real.mnemonicToSeed(m)) };
});
import type { VaultOptions } from './vault.ts';
import type { VaultRecord } from './vault-format.ts';

// Test-only: fast KDFs. Production keeps MIN_KDF as the floor.
const TEST_FLOOR: KdfFloor = { 'pbkdf2-sha256': { iterations: 1000 }, scrypt: { N: 2, r: 1, p: 1 } };
const FAST: KdfChoice = { name: 'pbkdf2-sha256', iterations: 1000 };
const MNEMONIC = 'legal winner thank year wave sausage worth useful legal winner thank yellow';
const OTHER_MNEMONIC = 'letter advice cage absurd amount doctor acoustic avoid letter advice cage above';
const PASSWORD = 'Tr0ub4dor&3 horse';
const MINUTE = 60_000;

/** A MemoryStore that keeps every JSON value ever written, to prove what never went in. */
class RecordingStore extends MemoryStore {
  readonly written: string[] = [];
  override async set(entries: Record<string, unknown>): Promise<void> {
    this.written.push(JSON.stringify(entries));
    await super.set(entries);
  }
}

function setup(over: Partial<VaultOptions> = {}) {
  const clock = { t: 1_700_000_000_000 };
  const stores = { local: new RecordingStore(), session: new RecordingStore() };
  const opts: VaultOptions = { ...stores, now: () => clock.t, kdf: FAST, kdfFloor: TEST_FLOOR, ...over };
  return { clock, ...stores, opts, vault: new Vault(opts), restart: (o: Partial<VaultOptions> = {}) => new Vault({ ...opts, ...o }) };
}

const code = (code: string) => expect.objectContaining({ code });

describe('create', () => {
  it('stores the record and leaves the vault unlocked', async () => {
    const { vault, local } = setup();
    expect(await vault.status()).toEqual({ initialized: false, unlocked: false, autoLockMinutes: 15 });
    await vault.create(MNEMONIC, PASSWORD);
    expect(await vault.status()).toEqual({ initialized: true, unlocked: true, autoLockMinutes: 15 });
    expect(await local.get<VaultRecord>('vault.record')).toMatchObject({ version: 1, kdf: FAST });
    expect(await vault.readSecrets()).toEqual({});
    expect(await vault.seed()).toEqual(await mnemonicToSeed(MNEMONIC));
  });

  it('normalises the mnemonic as typed', async () => {
    const { vault } = setup();
    await vault.create(`  ${MNEMONIC.toUpperCase().replaceAll(' ', '\n')} `, PASSWORD);
    expect(await vault.revealMnemonic(PASSWORD)).toBe(MNEMONIC);
  });

  it('VAULT_EXISTS for a second create; replace: true restores over it', async () => {
    const { vault } = setup();
    await vault.create(MNEMONIC, PASSWORD);
    await vault.updateSecrets(() => ({ macaroon: 'old' }));
    await expect(vault.create(OTHER_MNEMONIC, PASSWORD)).rejects.toThrow(code('VAULT_EXISTS'));
    await vault.create(OTHER_MNEMONIC, 'another password', { replace: true });
    expect(await vault.revealMnemonic('another password')).toBe(OTHER_MNEMONIC);
    expect(await vault.readSecrets()).toEqual({});
  });

  it('replace drops the old session first: a failure before the new one is written leaves it locked', async () => {
    const { vault, session } = setup();
    await vault.create(MNEMONIC, PASSWORD);
    const failingSet = vi.spyOn(session, 'set').mockRejectedValueOnce(new Error('storage quota'));
    await expect(vault.create(OTHER_MNEMONIC, PASSWORD, { replace: true })).rejects.toThrow('storage quota');
    failingSet.mockRestore();
    expect(await vault.status()).toMatchObject({ initialized: true, unlocked: false });
    await vault.unlock(PASSWORD);
    expect(await vault.revealMnemonic(PASSWORD)).toBe(OTHER_MNEMONIC);
  });

  it('refuses a bad mnemonic or a short password, and stores nothing', async () => {
    const { vault, local } = setup();
    await expect(vault.create(MNEMONIC.replace(/yellow$/, 'zoo'), PASSWORD)).rejects.toThrow(code('MNEMONIC_CHECKSUM'));
    await expect(vault.create(MNEMONIC, 'short')).rejects.toThrow(code('PASSWORD_TOO_SHORT'));
    expect(local.written).toEqual([]);
  });

  it('KDF_TOO_WEAK for a Vault configured below its floor', () => {
    expect(() => new Vault({ local: new MemoryStore(), session: new MemoryStore(), kdf: FAST })).toThrow(code('KDF_TOO_WEAK'));
  });
});

describe('lock / unlock', () => {
  it('locked: secrets, seed and updates say VAULT_LOCKED', async () => {
    const { vault } = setup();
    await vault.create(MNEMONIC, PASSWORD);
    await vault.lock();
    expect((await vault.status()).unlocked).toBe(false);
    await expect(vault.readSecrets()).rejects.toThrow(code('VAULT_LOCKED'));
    await expect(vault.seed()).rejects.toThrow(code('VAULT_LOCKED'));
    await expect(vault.updateSecrets(() => ({}))).rejects.toThrow(code('VAULT_LOCKED'));
  });

  it('the seed is stretched once per unlock: a locked vault (by lock or by idling) forgets it, and the secrets', async () => {
    const { vault, clock } = setup();
    await vault.create(MNEMONIC, PASSWORD);
    await vault.updateSecrets(() => ({ node: { macaroon: 'ab' } }));
    const first = stretches.n;
    const seed = await vault.seed();
    seed.fill(0);
    expect(await vault.seed()).toEqual(await mnemonicToSeed(MNEMONIC));
    expect(stretches.n - first).toBe(2); // one by the vault, one by this test's comparison
    const secrets = await vault.readSecrets<{ node: { macaroon: string } }>();
    secrets.node.macaroon = 'changed by a caller';
    expect(await vault.readSecrets()).toEqual({ node: { macaroon: 'ab' } });
    await vault.lock();
    await expect(vault.seed()).rejects.toThrow(code('VAULT_LOCKED'));
    await vault.unlock(PASSWORD);
    await vault.seed();
    expect(stretches.n - first).toBe(3);
    clock.t += 15 * MINUTE;
    await expect(vault.readSecrets()).rejects.toThrow(code('VAULT_LOCKED'));
    await expect(vault.seed()).rejects.toThrow(code('VAULT_LOCKED'));
    await vault.unlock(PASSWORD);
    await vault.seed();
    expect(stretches.n - first).toBe(4);
  });

  it('WRONG_PASSWORD, then the right one unlocks', async () => {
    const { vault } = setup();
    await vault.create(MNEMONIC, PASSWORD);
    await vault.lock();
    await expect(vault.unlock('wrong password')).rejects.toThrow(code('WRONG_PASSWORD'));
    expect((await vault.status()).unlocked).toBe(false);
    await vault.unlock(PASSWORD);
    expect((await vault.status()).unlocked).toBe(true);
    expect(await vault.seed()).toEqual(await mnemonicToSeed(MNEMONIC));
  });

  it('VAULT_NOT_INITIALIZED before create', async () => {
    await expect(setup().vault.unlock(PASSWORD)).rejects.toThrow(code('VAULT_NOT_INITIALIZED'));
  });

  it('VAULT_TAMPERED / VAULT_CORRUPT for a damaged stored record', async () => {
    const { vault, local } = setup();
    await vault.create(MNEMONIC, PASSWORD);
    await vault.lock();
    const record = (await local.get<VaultRecord>('vault.record'))!;
    const bytes = base64.decode(record.ciphertext);
    bytes[3] = bytes[3]! ^ 0x80;
    await local.set({ 'vault.record': { ...record, ciphertext: base64.encode(bytes) } });
    await expect(vault.unlock(PASSWORD)).rejects.toThrow(code('VAULT_TAMPERED'));
    await local.set({ 'vault.record': { ...record, cipher: 'aes' } });
    await expect(vault.unlock(PASSWORD)).rejects.toThrow(code('VAULT_CORRUPT'));
  });

  it('the real default KDF: create and unlock', async () => {
    const local = new MemoryStore();
    const vault = new Vault({ local, session: new MemoryStore() });
    await vault.create(MNEMONIC, PASSWORD);
    await vault.lock();
    await vault.unlock(PASSWORD);
    expect(await vault.revealMnemonic(PASSWORD)).toBe(MNEMONIC);
    expect(await local.get<VaultRecord>('vault.record')).toMatchObject({ kdf: { name: 'pbkdf2-sha256', iterations: 600_000 } });
  });
});

describe('secrets', () => {
  it('updateSecrets re-encrypts without the password; the change survives lock and unlock', async () => {
    const { vault, local } = setup();
    await vault.create(MNEMONIC, PASSWORD);
    const before = await local.get<VaultRecord>('vault.record');
    await vault.updateSecrets((s) => ({ ...s, 'node:home': { macaroon: '0201036c6e64' } }));
    await vault.updateSecrets(async (s) => ({ ...s, l402: ['token'] }));
    const after = await local.get<VaultRecord>('vault.record');
    expect(after!.cipher.iv).not.toBe(before!.cipher.iv);
    expect(JSON.stringify(after)).not.toContain('0201036c6e64');
    await vault.lock();
    await vault.unlock(PASSWORD);
    expect(await vault.readSecrets()).toEqual({ 'node:home': { macaroon: '0201036c6e64' }, l402: ['token'] });
  });

  it('concurrent updates do not lose each other', async () => {
    const { vault } = setup();
    await vault.create(MNEMONIC, PASSWORD);
    await Promise.all(
      Array.from({ length: 5 }, (_, i) => vault.updateSecrets((s) => ({ ...s, [`k${i}`]: i }))),
    );
    expect(await vault.readSecrets()).toEqual({ k0: 0, k1: 1, k2: 2, k3: 3, k4: 4 });
  });

  it('the stored record is read and checked once between writes; a write by another life is seen at once', async () => {
    const { vault, local, restart } = setup();
    await vault.create(MNEMONIC, PASSWORD);
    await vault.unlock(PASSWORD);
    await vault.readSecrets();
    const get = vi.spyOn(local, 'get');
    await vault.readSecrets();
    await vault.readSecrets();
    expect(get.mock.calls.filter(([key]) => key === 'vault.record')).toHaveLength(0);
    await restart().updateSecrets((s) => ({ ...s, other: 'life' }));
    get.mockClear();
    expect(await vault.readSecrets()).toEqual({ other: 'life' });
    expect(get.mock.calls.filter(([key]) => key === 'vault.record')).toHaveLength(1);
  });

  it('readSecret: a copy of one slot; undefined for a slot never stored; VAULT_LOCKED when locked', async () => {
    const { vault } = setup();
    await vault.create(MNEMONIC, PASSWORD);
    await vault.updateSecrets((s) => ({ ...s, node: { macaroon: 'ab' }, other: [1] }));
    const node = await vault.readSecret<{ macaroon: string }>('node');
    expect(node).toEqual({ macaroon: 'ab' });
    node!.macaroon = 'changed';
    expect(await vault.readSecret('node')).toEqual({ macaroon: 'ab' });
    expect(await vault.readSecret('missing')).toBeUndefined();
    await vault.lock();
    await expect(vault.readSecret('node')).rejects.toThrow(code('VAULT_LOCKED'));
  });

  it('a failing update leaves the record as it was', async () => {
    const { vault, local } = setup();
    await vault.create(MNEMONIC, PASSWORD);
    const before = await local.get('vault.record');
    await expect(vault.updateSecrets(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await local.get('vault.record')).toEqual(before);
  });
});

describe('revealMnemonic', () => {
  it('needs the right password, even when unlocked', async () => {
    const { vault } = setup();
    await vault.create(MNEMONIC, PASSWORD);
    await expect(vault.revealMnemonic('not the password')).rejects.toThrow(code('WRONG_PASSWORD'));
    expect(await vault.revealMnemonic(PASSWORD)).toBe(MNEMONIC);
  });

  it('does not unlock a locked vault', async () => {
    const { vault } = setup();
    await vault.create(MNEMONIC, PASSWORD);
    await vault.lock();
    expect(await vault.revealMnemonic(PASSWORD)).toBe(MNEMONIC);
    expect((await vault.status()).unlocked).toBe(false);
  });

  it('is throttled like unlock, sharing the same counter', async () => {
    const { vault } = setup();
    await vault.create(MNEMONIC, PASSWORD);
    for (let i = 0; i < 3; i++) await expect(vault.revealMnemonic('guess')).rejects.toThrow(code('WRONG_PASSWORD'));
    await expect(vault.revealMnemonic(PASSWORD)).rejects.toThrow(code('UNLOCK_THROTTLED'));
    await expect(vault.unlock(PASSWORD)).rejects.toThrow(code('UNLOCK_THROTTLED'));
  });
});

describe('throttling', () => {
  it('after 3 wrong passwords even the right one waits; the wait survives a restart', async () => {
    const { vault, clock, restart } = setup();
    await vault.create(MNEMONIC, PASSWORD);
    await vault.lock();
    for (let i = 0; i < 3; i++) await expect(vault.unlock(`guess ${i}`)).rejects.toThrow(code('WRONG_PASSWORD'));
    await expect(vault.unlock(PASSWORD)).rejects.toMatchObject({ code: 'UNLOCK_THROTTLED', details: { retryAfterMs: 1_000 } });
    clock.t += 1_000;
    await expect(vault.unlock('guess 4')).rejects.toThrow(code('WRONG_PASSWORD'));
    clock.t += 1_500;
    await expect(restart().unlock(PASSWORD)).rejects.toMatchObject({ code: 'UNLOCK_THROTTLED', details: { retryAfterMs: 500 } });
    clock.t += 500;
    await restart().unlock(PASSWORD);
    expect((await vault.status()).unlocked).toBe(true);
    // success cleared the count: three fresh free attempts
    await vault.lock();
    for (let i = 0; i < 3; i++) await expect(vault.unlock('again')).rejects.toThrow(code('WRONG_PASSWORD'));
  });

  it('a tampered record is not counted as a wrong password', async () => {
    const { vault, local } = setup();
    await vault.create(MNEMONIC, PASSWORD);
    const record = (await local.get<VaultRecord>('vault.record'))!;
    await local.set({ 'vault.record': { ...record, cipher: { ...record.cipher, iv: base64.encode(new Uint8Array(12)) } } });
    for (let i = 0; i < 4; i++) await expect(vault.unlock(PASSWORD)).rejects.toThrow(code('VAULT_TAMPERED'));
  });
});

describe('auto-lock', () => {
  it('lockIfIdle locks once idle for the auto-lock time (default 15 min); touch postpones it', async () => {
    const { vault, clock } = setup();
    await vault.create(MNEMONIC, PASSWORD);
    clock.t += 10 * MINUTE;
    expect(await vault.lockIfIdle()).toBe(false);
    await vault.touch();
    clock.t += 15 * MINUTE - 1;
    expect(await vault.lockIfIdle()).toBe(false);
    clock.t += 1;
    expect(await vault.lockIfIdle()).toBe(true);
    expect((await vault.status()).unlocked).toBe(false);
    expect(await vault.lockIfIdle()).toBe(false); // already locked
  });

  it('an idle vault counts as locked before the alarm runs, and touch cannot revive it', async () => {
    const { vault, clock } = setup();
    await vault.create(MNEMONIC, PASSWORD);
    clock.t += 15 * MINUTE;
    expect((await vault.status()).unlocked).toBe(false);
    await expect(vault.readSecrets()).rejects.toThrow(code('VAULT_LOCKED'));
    await vault.touch();
    expect((await vault.status()).unlocked).toBe(false);
    expect(await vault.lockIfIdle()).toBe(true);
  });

  it('setAutoLockMinutes persists and applies; refuses values outside 0.05..1440', async () => {
    const { vault, clock, restart } = setup();
    await vault.create(MNEMONIC, PASSWORD);
    await vault.setAutoLockMinutes(1);
    expect((await restart().status()).autoLockMinutes).toBe(1);
    clock.t += MINUTE;
    expect(await vault.lockIfIdle()).toBe(true);
    await vault.setAutoLockMinutes(1440);
    for (const bad of [0, 0.01, 1441, Number.NaN, Number.POSITIVE_INFINITY, -5]) {
      await expect(vault.setAutoLockMinutes(bad)).rejects.toThrow(code('AUTO_LOCK_INVALID'));
    }
    expect((await vault.status()).autoLockMinutes).toBe(1440);
  });
});

describe('restart (a new Vault on the same stores)', () => {
  it('keeps an unlocked session unlocked', async () => {
    const { vault, restart } = setup();
    await vault.create(MNEMONIC, PASSWORD);
    await vault.updateSecrets(() => ({ a: 1 }));
    const after = restart();
    expect(await after.status()).toEqual({ initialized: true, unlocked: true, autoLockMinutes: 15 });
    expect(await after.readSecrets()).toEqual({ a: 1 });
  });

  it('keeps a locked vault locked', async () => {
    const { vault, restart } = setup();
    await vault.create(MNEMONIC, PASSWORD);
    await vault.lock();
    const after = restart();
    expect(await after.status()).toEqual({ initialized: true, unlocked: false, autoLockMinutes: 15 });
    await expect(after.readSecrets()).rejects.toThrow(code('VAULT_LOCKED'));
  });

  it('a browser restart (session store emptied) is locked', async () => {
    const { vault, restart } = setup();
    await vault.create(MNEMONIC, PASSWORD);
    const after = restart({ session: new MemoryStore() });
    expect((await after.status()).unlocked).toBe(false);
  });
});

describe('KDF upgrade on unlock', () => {
  it('a record below the floor is re-sealed under the configured KDF; payload and password kept', async () => {
    const { vault, local, restart } = setup();
    await vault.create(MNEMONIC, PASSWORD);
    await vault.updateSecrets(() => ({ macaroon: 'm1' }));
    await vault.lock();
    const old = (await local.get<VaultRecord>('vault.record'))!;

    const raised: KdfChoice = { name: 'pbkdf2-sha256', iterations: 2000 };
    const stronger = restart({ kdf: raised, kdfFloor: { ...TEST_FLOOR, 'pbkdf2-sha256': { iterations: 2000 } } });
    await stronger.unlock(PASSWORD);
    const upgraded = (await local.get<VaultRecord>('vault.record'))!;
    expect(upgraded.kdf).toMatchObject(raised);
    expect(upgraded.kdf.salt).not.toBe(old.kdf.salt);
    expect(await stronger.readSecrets()).toEqual({ macaroon: 'm1' }); // the session holds the new key
    expect(await stronger.revealMnemonic(PASSWORD)).toBe(MNEMONIC);

    // a record already at the floor is left alone
    await stronger.lock();
    await stronger.unlock(PASSWORD);
    expect(await local.get('vault.record')).toEqual(upgraded);
  });

  it('a record at the floor is not rewritten by unlock', async () => {
    const { vault, local } = setup();
    await vault.create(MNEMONIC, PASSWORD);
    await vault.lock();
    const before = await local.get('vault.record');
    await vault.unlock(PASSWORD);
    expect(await local.get('vault.record')).toEqual(before);
  });
});

describe('the session store', () => {
  it('never holds the password or the mnemonic, only the key and timestamps', async () => {
    const { vault, session, local, clock } = setup();
    await vault.create(MNEMONIC, PASSWORD);
    await vault.touch();
    await vault.updateSecrets(() => ({ macaroon: 'feedface' }));
    await vault.lock();
    await vault.unlock(PASSWORD);
    await vault.seed();
    await vault.revealMnemonic(PASSWORD);
    clock.t += MINUTE;
    await vault.touch();

    expect(session.written.length).toBeGreaterThan(0);
    const everything = [...session.written, ...local.written].join('\n');
    for (const secret of [PASSWORD, MNEMONIC, ...MNEMONIC.split(' ').filter((w) => w.length > 4), 'feedface']) {
      expect(everything).not.toContain(secret);
    }
    const current = await session.get<Record<string, unknown>>('vault.session');
    expect(Object.keys(current!).sort()).toEqual(['key', 'lastActivityAt', 'unlockedAt']);
    expect(current!['key']).toMatch(/^[0-9a-f]{64}$/);
  });
});
