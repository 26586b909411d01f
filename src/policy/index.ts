export {
  DEFAULT_GLOBAL,
  DEFAULT_SITE,
  POLICY_SCHEMA_VERSION,
  WEBLN_METHODS,
  feeLimitSat,
  globalPolicyPatch,
  isOrigin,
  migrateConfig,
  sitePolicyPatch,
  type GlobalPolicy,
  type GlobalPolicyPatch,
  type PolicyConfig,
  type SitePolicy,
  type SitePolicyPatch,
  type WeblnMethod,
} from './config.ts';
export {
  PolicyEngine,
  type DailyUsage,
  type Decision,
  type Evaluation,
  type PaymentRequest,
  type PolicyEngineOptions,
  type PolicyReason,
  type SiteView,
} from './engine.ts';
export { PERIODS, localDate, periodStart, systemTimeZoneOffset, type Period, type TimeZoneOffset } from './period.ts';
export { MAX_SATS, assertSats, isSats } from './sats.ts';
export { PAYMENT_KINDS, type PaymentKind, type Reservation } from './spend.ts';
