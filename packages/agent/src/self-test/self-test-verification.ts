import type { SelfTestResult } from 'posdiag-protocol';

type Verification = NonNullable<SelfTestResult['verification']>[number];

/**
 * Verification after repair: for each fault firing when the test started, whether the test still
 * found its condition holding (same code and instance among the test's faults, inhibited or not).
 * A passing test with `stillPresent: false` is the evidence that the repair cleared the fault.
 */
export function verifyFaults(
  firingAtStart: readonly { code: string; instance: string | null }[],
  found: readonly { code: string; instance: string | null }[],
): Verification[] {
  return firingAtStart.map(({ code, instance }) => ({
    code,
    instance,
    stillPresent: found.some((f) => f.code === code && f.instance === instance),
  }));
}
