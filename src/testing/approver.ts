import type { ApprovalDecision, ApprovalRequest, Approver } from '../webln/approval.ts';

/** The person, scripted: each question is kept and answered in turn; one more than scripted fails the test. */
export function scriptedApprover(answers: readonly ApprovalDecision[] = []): { asked: ApprovalRequest[]; ask: Approver } {
  const asked: ApprovalRequest[] = [];
  const left = [...answers];
  return {
    asked,
    ask: async (r) => {
      asked.push(r);
      const a = left.shift();
      if (!a) throw new Error(`unexpected prompt: ${r.kind}`);
      return a;
    },
  };
}
