export {
  MAX_MICRO_USD,
  amountIn,
  amountSchema,
  microUsdToSat,
  satToMicroUsd,
  unitOf,
  valueOf,
  type Amount,
  type Unit,
  type UsdRate,
} from './amount.ts';
export {
  DEFAULT_GLOBAL,
  DEFAULT_SITE,
  MAX_SLIPPAGE_PPM,
  PAY_IN,
  POLICY_SCHEMA_VERSION,
  feeLimitSat,
  globalPolicyPatch,
  migrateConfig,
  sitePolicyPatch,
  type GlobalPolicy,
  type GlobalPolicyPatch,
  type PayIn,
  type PolicyConfig,
  type SitePolicy,
  type SitePolicyPatch,
} from './config.ts';
export {
  PolicyEngine,
  type DailyUsage,
  type Decision,
  type Evaluation,
  type SpendRequest,
  type Valuation,
  type PolicyEngineOptions,
  type PolicyReason,
  type SiteView,
} from './engine.ts';
export { PERIODS, localDate, periodStart, systemTimeZoneOffset, type Period, type TimeZoneOffset } from './period.ts';
export { type Reservation } from './spend.ts';
