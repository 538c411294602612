import type { Category, LocalizedText, Severity } from 'posdiag-protocol';
import type { CatalogFault } from './catalog.js';

/**
 * How the fault catalog (SPEC §5) is written, by the device families and the agent alike: each code
 * with its category and severity exactly as the SPEC table says, a one-line summary, and merchant steps
 * in zh-CN and en, ordered as a merchant works through them, `automatic` steps (what the agent does by
 * itself) last.
 */

type Step = CatalogFault['remediation'][number];

export const text = (en: string, zh: string): LocalizedText => ({ en, 'zh-CN': zh });
export const step = (en: string, zh: string): Step => ({ text: text(en, zh), automatic: false });
export const auto = (en: string, zh: string): Step => ({ text: text(en, zh), automatic: true });

export function fault(code: string, category: Category, severity: Severity, summary: LocalizedText, remediation: Step[], needsTechnician = false): CatalogFault {
  return { code, category, severity, summary, remediation, needsTechnician };
}

/** The merchant's last resort, after the steps they can take themselves. */
export const callProvider = step('If the problem remains, call your service provider.', '如问题仍未解决，请联系服务商。');
export const restartTerminal = step('Restart the terminal.', '重启终端。');
