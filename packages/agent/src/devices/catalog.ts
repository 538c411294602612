import type { DeviceKind } from '../core/readings.js';
import type { Category, LocalizedText, Severity } from 'posdiag-protocol';
import { families } from './index.js';
import { LEGACY_HINTS } from './technician-hints.js';
import type { CatalogEntry } from '../faults/types.js';
import { buildCatalog, catalogEntries, type Catalog } from '../faults/catalog.js';

/**
 * The fault catalog (SPEC §5): every code, its device, category and severity exactly as the SPEC table
 * says, a one-line summary and merchant steps in zh-CN and en. Steps are ordered as a merchant works
 * through them; `automatic` steps (what the agent does by itself) come last.
 */

type Step = CatalogEntry['remediation'][number];

const text = (en: string, zh: string): LocalizedText => ({ en, 'zh-CN': zh });
const step = (en: string, zh: string): Step => ({ text: text(en, zh), automatic: false });
const auto = (en: string, zh: string): Step => ({ text: text(en, zh), automatic: true });

function entry(
  code: string,
  device: DeviceKind,
  category: Category,
  severity: Severity,
  summary: LocalizedText,
  remediation: Step[],
  needsTechnician = false,
): CatalogEntry {
  return { code, device, category, severity, summary, remediation, needsTechnician, technicianHints: [...(LEGACY_HINTS[code] ?? [])] };
}

const restartTerminal = step('Restart the terminal.', '重启终端。');

const ENTRIES: CatalogEntry[] = [
  // Security
  entry('security.unknown_usb_device', 'system', 'security', 'major', text('An unknown USB device is connected', '检测到未知的 USB 设备'), [
    step('Unplug any USB device you do not recognise from the terminal.', '拔下终端上任何您不认识的 USB 设备。'),
    step('Report it to your service provider and do not plug it back in.', '请报告服务商，不要再插回。'),
  ], true),

  // The agent's own
  entry('agent.storage_degraded', 'agent', 'software', 'major', text('Diagnostic reports cannot be saved to storage', '诊断报告无法写入存储'), [
    restartTerminal,
    step('If it happens again, call your service provider: storage may be full or failing.', '如再次出现，请联系服务商：存储可能已满或损坏。'),
    auto('The terminal keeps reports in memory and retries saving them.', '终端暂时将报告保存在内存中，并自动重试写入。'),
  ]),
  entry('agent.log_degraded', 'agent', 'software', 'minor', text('The diagnostic log cannot be written to storage', '诊断日志无法写入存储'), [
    step('Keep using the terminal: payments and fault reports are not affected.', '可继续使用终端：支付和故障上报不受影响。'),
    step('If it happens again, call your service provider: storage may be full or failing.', '如再次出现，请联系服务商：存储可能已满或损坏。'),
    auto('The terminal keeps the latest log lines in memory and writes them out when storage works again.', '终端暂时将最新的日志保存在内存中，存储恢复后自动写入。'),
  ]),
];

/** What a technician checks, per code: the families' hints and the agent's own. */
export const TECHNICIAN_HINTS: Readonly<Record<string, readonly LocalizedText[]>> = Object.assign({}, LEGACY_HINTS, ...families.map((f) => f.catalog.hints));

/**
 * The agent's fault catalog: every family's codes (devices/index.ts, in list order), then the agent's
 * own. Built once, here; the composition roots (agent.ts, the CLI's standalone paths) hand it to each
 * part that reads it (faults/catalog.ts).
 */
export const FAULT_CATALOG: Catalog = buildCatalog([
  ...families.flatMap((family) => catalogEntries({ device: family.kind as DeviceKind, entries: family.catalog.entries, hints: TECHNICIAN_HINTS })),
  ...ENTRIES,
]);
