import type { SelfTestReport } from 'posdiag-protocol';
import type { FaultVerification } from './store.js';

/** The verification an open fault shows, from the self-test report whose `result.verification` named it. */
export function toVerification(reportId: string, report: SelfTestReport, stillPresent: boolean): FaultVerification {
  const { result } = report;
  return { reportId, ref: result.ref ?? null, level: result.level, at: result.finishedAt, passed: result.passed, stillPresent };
}
