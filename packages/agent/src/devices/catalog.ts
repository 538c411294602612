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

const callProvider = step(
  'If the problem remains, call your service provider.',
  '如问题仍未解决，请联系服务商。',
);
const restartTerminal = step('Restart the terminal.', '重启终端。');

const ENTRIES: CatalogEntry[] = [
  // Security
  entry('security.unknown_usb_device', 'system', 'security', 'major', text('An unknown USB device is connected', '检测到未知的 USB 设备'), [
    step('Unplug any USB device you do not recognise from the terminal.', '拔下终端上任何您不认识的 USB 设备。'),
    step('Report it to your service provider and do not plug it back in.', '请报告服务商，不要再插回。'),
  ], true),

  // System and agent
  entry('system.disk_low', 'system', 'software', 'major', text('Terminal storage is almost full', '终端存储空间不足'), [
    step('Restart the terminal to clear temporary files.', '重启终端以清理临时文件。'),
    callProvider,
  ]),
  entry('system.memory_low', 'system', 'software', 'major', text('Terminal memory is almost full', '终端内存不足'), [
    step('Close apps you do not need, or restart the terminal.', '关闭不需要的应用，或重启终端。'),
    callProvider,
  ]),
  entry('system.clock_skew', 'system', 'software', 'major', text("Terminal's clock is wrong", '终端时间不正确'), [
    step('Check the date and time on the terminal and correct them (or turn on automatic time).', '检查终端的日期和时间并校正（或打开自动同步时间）。'),
    step('Keep the terminal online so it can set its clock.', '保持终端联网，以便自动校时。'),
  ]),
  entry('system.overheat', 'system', 'hardware', 'major', text('Terminal is overheating', '终端温度过高'), [
    step('Move the terminal out of direct sun, away from heat, and keep its vents clear.', '将终端移离阳光直射和热源，并保持散热孔通畅。'),
    step('Switch it off for a few minutes to cool down.', '关机几分钟让其冷却。'),
    callProvider,
  ]),
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
