/**
 * The vault service the extension worker calls: one encrypted record in `local`, and while
 * unlocked only the derived AES key and two timestamps in `session` — never the password,
 * never the mnemonic. Every method reads its state from the stores, so a worker restarted by
 * MV3 (a new Vault on the same stores) finds the vault exactly as locked or unlocked as it was.
 *
 * | store   | key                   | value                                              |
 * | ------- | --------------------- | -------------------------------------------------- |
 * | local   | vault.record          | VaultRecord (vault-format.ts)                      |
 * | local   | vault.autoLockMinutes | integer 1..1440                                    |
 * | local   | vault.unlockThrottle  | throttle.ts state                                  |
 * | session | vault.session         | { key: hex(32 bytes), unlockedAt, lastActivityAt } |
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { isSatnavError, moduleErrors } from '../errors.ts';
import type { KeyValueStore } from '../storage/kv.ts';
import { lockFor } from '../storage/mutex.ts';
import type { Mutex } from '../storage/mutex.ts';
import { isPlainObject, keyMismatch } from './json-shape.ts';
import { CURRENT_KDF, MIN_KDF, assertKdfStrong, needsUpgrade } from './kdf.ts';
import type { KdfChoice, KdfFloor } from './kdf.ts';
import { mnemonicToSeed, parseMnemonic } from './mnemonic.ts';
import { UnlockThrottle } from './throttle.ts';
import { assertPassword, decryptWithKey, encryptVault, parseVaultRecord, reencryptWithKey, unlockVault } from './vault-format.ts';
import type { OpenedVault, VaultRecord } from './vault-format.ts';

const err = moduleErrors('vault');

// Fractions down to 3 s exist for tests (the UI offers whole minutes).
export const AUTO_LOCK_MINUTES = { min: 0.05, max: 1440, default: 15 } as const;

export type VaultOptions = {
  local: KeyValueStore;
  session: KeyValueStore;
  now?: () => number;
  /** KDF for new vaults and for upgrading weaker ones on unlock. */
  kdf?: KdfChoice;
  /** Minimum KDF strength. Lowered only by tests, to keep them fast. */
  kdfFloor?: KdfFloor;
};
export type VaultStatus = { initialized: boolean; unlocked: boolean; autoLockMinutes: number };
/** Extra secrets kept beside the mnemonic, e.g. node macaroons. */
export type VaultSecrets = Record<string, unknown>;
/** What the record encrypts. */
type VaultPayload = { mnemonic: string; secrets: VaultSecrets };
type Session = { key: string; unlockedAt: number; lastActivityAt: number };

const LOCAL = { record: 'vault.record', autoLockMinutes: 'vault.autoLockMinutes' } as const;
const SESSION = 'vault.session';
const SESSION_FIELDS = ['key', 'unlockedAt', 'lastActivityAt'] as const;
const KEY_HEX = /^[0-9a-f]{64}$/;

export class Vault {
  private readonly local: KeyValueStore;
  private readonly session: KeyValueStore;
  private readonly now: () => number;
  private readonly kdf: KdfChoice;
  private readonly kdfFloor: KdfFloor;
  private readonly throttle: UnlockThrottle;
  // Methods that write run one at a time (shared by every Vault on the same store), so a lock
  // cannot land in the middle of an unlock or a touch, and two secret updates cannot overwrite
  // each other.
  private readonly mutex: Mutex;
  /**
   * What the unlocked record last decrypted to (and the seed stretched from its
   * mnemonic), under the session key it was opened with: a node call or a
   * deposit key needs no AES-GCM and no BIP39 stretch each time. Only in this
   * worker's memory; forgotten as soon as the vault is found locked.
   */
  /** The stored record as last read and checked, with the store's revision of it then. */
  private kept: { revision: string; record: VaultRecord } | undefined;
  private opened: { key: string; iv: string; ciphertext: string; payload: VaultPayload; seed?: Uint8Array } | undefined;

  constructor(opts: VaultOptions) {
    this.local = opts.local;
    this.session = opts.session;
    this.now = opts.now ?? (() => Date.now());
    this.kdf = opts.kdf ?? CURRENT_KDF;
    this.kdfFloor = opts.kdfFloor ?? MIN_KDF;
    assertKdfStrong(this.kdf, this.kdfFloor);
    this.throttle = new UnlockThrottle(this.local, this.now);
    this.mutex = lockFor(this.local, 'vault');
  }

  /** Locked also means "idle past the auto-lock time", even before the alarm has called lockIfIdle. */
  async status(): Promise<VaultStatus> {
    const [initialized, autoLockMinutes] = await Promise.all([this.hasRecord(), this.autoLockMinutes()]);
    const session = await this.activeSession(autoLockMinutes);
    return { initialized, unlocked: session !== undefined, autoLockMinutes };
  }

  /**
   * Encrypt `mnemonic` under `password` and leave the vault unlocked. VAULT_EXISTS when a vault
   * is already there, unless `replace` (restore from the mnemonic after a forgotten password).
   */
  create(mnemonic: string, password: string, opts: { replace?: boolean } = {}): Promise<void> {
    return this.mutex.run(async () => {
      const payload: VaultPayload = { mnemonic: parseMnemonic(mnemonic), secrets: {} };
      assertPassword(password);
      if (!opts.replace && (await this.local.get(LOCAL.record)) !== undefined) throw err('VAULT_EXISTS', 'vault already exists');
      const { record, key } = await encryptVault(payload, password, this.kdf, this.kdfFloor);
      // The old session key must never meet the new record.
      this.opened = undefined;
      await this.session.remove([SESSION]);
      await this.local.set({ [LOCAL.record]: record });
      await this.throttle.recordSuccess();
      await this.startSession(key);
    });
  }

  /** Throttled; re-seals under `kdf` when the record's KDF is below the floor. */
  unlock(password: string): Promise<void> {
    return this.mutex.run(async () => {
      const record = await this.record();
      const opened = await this.checkPassword(record, password);
      let key = opened.key;
      if (needsUpgrade(record.kdf, this.kdfFloor)) {
        const upgraded = await encryptVault(opened.payload, password, this.kdf, this.kdfFloor);
        await this.local.set({ [LOCAL.record]: upgraded.record });
        key = upgraded.key;
      }
      await this.startSession(key);
    });
  }

  lock(): Promise<void> {
    this.opened = undefined;
    return this.mutex.run(() => this.session.remove([SESSION]));
  }

  /** Record user activity; does nothing when locked (it never revives an expired session). */
  touch(): Promise<void> {
    return this.mutex.run(async () => {
      const session = await this.activeSession(await this.autoLockMinutes());
      if (session !== undefined) await this.session.set({ [SESSION]: { ...session, lastActivityAt: this.now() } });
    });
  }

  /** Lock when idle for the auto-lock time; true when this call locked. The worker runs it from an alarm. */
  lockIfIdle(): Promise<boolean> {
    return this.mutex.run(async () => {
      if ((await this.session.get(SESSION)) === undefined) return false;
      if ((await this.activeSession(await this.autoLockMinutes())) !== undefined) return false;
      this.opened = undefined;
      await this.session.remove([SESSION]);
      return true;
    });
  }

  async setAutoLockMinutes(minutes: number): Promise<void> {
    if (!isAutoLockMinutes(minutes)) throw err('AUTO_LOCK_INVALID', 'auto-lock minutes must be 0.05..1440, got', minutes);
    await this.local.set({ [LOCAL.autoLockMinutes]: minutes });
  }

  /** The mnemonic, for backup. Asks for the password even when unlocked; throttled like unlock. */
  revealMnemonic(password: string): Promise<string> {
    return this.mutex.run(async () => {
      const { payload } = await this.checkPassword(await this.record(), password);
      return parsePayload(payload).mnemonic;
    });
  }

  /** VAULT_LOCKED when locked. The caller checks the shape of what it stored. */
  async readSecrets<T extends VaultSecrets = VaultSecrets>(): Promise<T> {
    return structuredClone((await this.decrypted()).secrets) as T;
  }

  /** One slot of the extra secrets, a copy of it alone (a payment reads the node's, not every 402 credential). */
  async readSecret<T = unknown>(slot: string): Promise<T | undefined> {
    const value = (await this.decrypted()).secrets[slot];
    return value === undefined ? undefined : (structuredClone(value) as T);
  }

  /** Replace the extra secrets with `fn(current)`, re-encrypted under the session key. VAULT_LOCKED when locked. */
  updateSecrets(fn: (secrets: VaultSecrets) => VaultSecrets | Promise<VaultSecrets>): Promise<void> {
    return this.mutex.run(async () => {
      const key = await this.sessionKey();
      const record = await this.record();
      const payload = parsePayload(await decryptWithKey(record, key));
      const next: VaultPayload = { mnemonic: payload.mnemonic, secrets: await fn(payload.secrets) };
      await this.local.set({ [LOCAL.record]: await reencryptWithKey(record, key, next) });
    });
  }

  /** BIP39 seed of the stored mnemonic, no passphrase. VAULT_LOCKED when locked. */
  async seed(): Promise<Uint8Array> {
    const payload = await this.decrypted();
    const opened = this.opened;
    if (opened?.payload.mnemonic === payload.mnemonic) return (opened.seed ??= await mnemonicToSeed(payload.mnemonic)).slice();
    return mnemonicToSeed(payload.mnemonic);
  }

  /** The decrypted payload, shared: only copies of it leave this class. */
  private async decrypted(): Promise<VaultPayload> {
    let key: Uint8Array;
    try {
      key = await this.sessionKey();
    } catch (e) {
      this.opened = undefined;
      throw e;
    }
    const record = await this.record();
    const hex = bytesToHex(key);
    const o = this.opened;
    if (o?.key === hex && o.iv === record.cipher.iv && o.ciphertext === record.ciphertext) return o.payload;
    const payload = parsePayload(await decryptWithKey(record, key));
    this.opened = { key: hex, iv: record.cipher.iv, ciphertext: record.ciphertext, payload };
    return payload;
  }

  private async checkPassword(record: VaultRecord, password: string): Promise<OpenedVault> {
    await this.throttle.check();
    try {
      const opened = await unlockVault(record, password);
      await this.throttle.recordSuccess();
      return opened;
    } catch (e) {
      if (isSatnavError(e) && e.code === 'WRONG_PASSWORD') await this.throttle.recordFailure();
      throw e;
    }
  }

  /** Whether a record is stored (checked or not): asked before every payment, so not read again while kept. */
  private async hasRecord(): Promise<boolean> {
    const revision = this.local.revision?.([LOCAL.record]);
    if (revision !== undefined && this.kept?.revision === revision) return true;
    return (await this.local.get(LOCAL.record)) !== undefined;
  }

  /** Read and checked once per change of the stored record (every payment asks for the vault's secrets). */
  private async record(): Promise<VaultRecord> {
    // Taken before reading: a write landing meanwhile makes the kept record stale at once, never the other way.
    const revision = this.local.revision?.([LOCAL.record]);
    if (revision !== undefined && this.kept?.revision === revision) return this.kept.record;
    const raw = await this.local.get(LOCAL.record);
    if (raw === undefined) throw err('VAULT_NOT_INITIALIZED', 'no vault');
    const record = parseVaultRecord(raw);
    Object.freeze(record.cipher);
    if (revision !== undefined) this.kept = { revision, record: Object.freeze(record) };
    return record;
  }

  private async startSession(key: Uint8Array): Promise<void> {
    const at = this.now();
    const session: Session = { key: bytesToHex(key), unlockedAt: at, lastActivityAt: at };
    await this.session.set({ [SESSION]: session });
  }

  private async sessionKey(): Promise<Uint8Array> {
    const session = await this.activeSession(await this.autoLockMinutes());
    if (session === undefined) throw err('VAULT_LOCKED', 'vault is locked');
    return hexToBytes(session.key);
  }

  /** The session if there is one, well formed and not idle past the auto-lock time. */
  private async activeSession(autoLockMinutes: number): Promise<Session | undefined> {
    const raw = await this.session.get(SESSION);
    if (!isPlainObject(raw) || keyMismatch(raw, SESSION_FIELDS) !== undefined) return undefined;
    const { key, unlockedAt, lastActivityAt } = raw;
    if (typeof key !== 'string' || !KEY_HEX.test(key)) return undefined;
    if (typeof unlockedAt !== 'number' || typeof lastActivityAt !== 'number') return undefined;
    if (this.now() - lastActivityAt >= autoLockMinutes * 60_000) return undefined;
    return { key, unlockedAt, lastActivityAt };
  }

  private async autoLockMinutes(): Promise<number> {
    const stored = await this.local.get(LOCAL.autoLockMinutes);
    return isAutoLockMinutes(stored) ? stored : AUTO_LOCK_MINUTES.default;
  }
}

function isAutoLockMinutes(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= AUTO_LOCK_MINUTES.min && v <= AUTO_LOCK_MINUTES.max;
}

function parsePayload(raw: unknown): VaultPayload {
  if (!isPlainObject(raw) || typeof raw['mnemonic'] !== 'string' || !isPlainObject(raw['secrets'])) {
    throw err('VAULT_CORRUPT', 'payload shape');
  }
  return { mnemonic: raw['mnemonic'], secrets: raw['secrets'] };
}
