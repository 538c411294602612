import type { SelfTestResult } from 'posdiag-protocol';

/**
 * The merchant's hints (devices/family.ts `merchantHints`: a damaged card, not the reader) are the
 * terminal's alone: the self-test shows them as passing checks of this name, and everything that
 * leaves the terminal (self-test reports, repair requests, the bundle the hub asks for) goes without them.
 */
export const MERCHANT_HINT_CHECK = 'hint';

/** The result as it may leave the terminal. */
export function withoutMerchantHints(result: SelfTestResult): SelfTestResult {
  return result.checks.some((c) => c.name === MERCHANT_HINT_CHECK) ? { ...result, checks: result.checks.filter((c) => c.name !== MERCHANT_HINT_CHECK) } : result;
}
