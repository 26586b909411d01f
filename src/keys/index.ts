export { IDENTITY_PATH, identityKeyFor, signMessage, verifyMessage, type VerifiedMessage } from './identity.ts';
export {
  LNURL_AUTH_HASHING_PATH,
  linkingKeyFor,
  linkingPathSuffix,
  lnurlAuthDomain,
  signK1,
  verifyK1,
  type LinkingPathSuffix,
} from './lnurl-auth.ts';
export { assertRoot, rootFromSeed } from './root.ts';
export { zbase32Decode, zbase32Encode } from './zbase32.ts';
