/** The Satnav deposit-wall site kit: everything a site owner imports (README.md here). */
export { memoryActivity, type ActivityStore } from './activity.ts';
export { defaultChallengePage, type ChallengeFacts, type ChallengePage } from './challenge.ts';
export type { WallTerms } from './config.ts';
export {
  createDepositWall, HOLD_INVOICE_EXPIRY_SECONDS,
  type DepositReason, type DepositState, type DepositSummary, type DepositWall, type DepositWallOptions, type GuardResult, type SweepResult,
} from './deposit-wall.ts';
export { expressDepositWall, sendResponse, toRequest, type Middleware, type NodeRequestLike, type NodeResponseLike } from './express.ts';
export { createLnd, type Lnd, type LndOptions } from './lnd.ts';
export { createVisitor, type HeldDeposit, type Visitor, type VisitorOptions } from './visitor.ts';
