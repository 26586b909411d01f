export { offersDeposit, parseDepositChallenge, type DepositChallenge } from './challenge.ts';
export {
  DEPOSIT_HASHING_PATH, DEPOSIT_KEY_RECORD, DEPOSIT_ROOT_PATH, DEPOSIT_TAG, depositDigest, depositKeyFor, depositMessage,
  formatDepositCredential, parseDepositCredential, signDeposit, verifyDepositCredential, verifyDepositSignature,
  type DepositAction, type DepositProof, type SignedDeposit, type VerifyContext,
} from './credential.ts';
export { admitDeposit, type DepositLimits } from './admit.ts';
export { currentDepositNonce, depositNonce, isFreshDepositNonce, nonceWindow, DEPOSIT_NONCE_TAG, NONCE_WINDOW_SECONDS } from './nonce.ts';
