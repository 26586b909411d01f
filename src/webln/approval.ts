import type { Period, PolicyReason } from '../policy/index.ts';

/**
 * What the wallet asks the person, and what they answer. The prompt window
 * renders an ApprovalRequest; its answer comes back as an ApprovalDecision.
 * `origin` is always the browser-reported origin of the asking page.
 */
export type ApprovalRequest =
  | { kind: 'unlock'; origin: string }
  | { kind: 'enable'; origin: string }
  | {
      kind: 'payment';
      origin: string;
      method: 'sendPayment' | 'sendPaymentAsync' | 'keysend';
      amountSat: number;
      maxFeeSat: number;
      paymentHash: string;
      destination: string;
      description?: string;
      paymentRequest?: string;
      expiresAt?: number;
      reason: PolicyReason;
      budget: { allowanceSat: number; period: Period; remainingSiteSat: number; remainingDailySat: number };
    }
  | { kind: 'signMessage'; origin: string; message: string };

export interface ApprovalDecision {
  approved: boolean;
  /** enable: keep the permission after the browser restarts. */
  remember?: boolean;
  /** enable: the allowance the person chose for this site. */
  allowanceSat?: number;
  period?: Period;
  /** enable: let the site read the balance. */
  allowBalance?: boolean;
}

export type Approver = (request: ApprovalRequest) => Promise<ApprovalDecision>;
