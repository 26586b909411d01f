export {
  CURRENT_KDF,
  MIN_KDF,
  needsUpgrade,
  type KdfChoice,
  type KdfFloor,
  type KdfParams,
} from './kdf.ts';
export { MNEMONIC_WORD_COUNTS, generateMnemonic, mnemonicToSeed, parseMnemonic, type MnemonicWordCount } from './mnemonic.ts';
export { UnlockThrottle } from './throttle.ts';
export { AUTO_LOCK_MINUTES, Vault, type VaultOptions, type VaultSecrets, type VaultStatus } from './vault.ts';
export {
  MIN_PASSWORD_LENGTH,
  assertPassword,
  decryptWithKey,
  encryptVault,
  parseVaultRecord,
  reencryptWithKey,
  unlockVault,
  upgradeKdf,
  type OpenedVault,
  type SealedVault,
  type VaultRecord,
} from './vault-format.ts';
