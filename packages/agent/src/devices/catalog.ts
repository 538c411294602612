import type { LocalizedText } from 'posdiag-protocol';
import type { DeviceKind } from '../core/readings.js';
import { auto, fault, restartTerminal, step, text } from '../faults/catalog-text.js';
import { buildCatalog, catalogEntries, type Catalog, type CatalogSource } from '../faults/catalog.js';
import { families } from './index.js';

/**
 * The agent's fault catalog (SPEC §5): every device family's codes (devices/<family>/catalog.ts, in
 * the list's order), then the agent's own. Built once, here; the composition roots (agent.ts, the CLI's
 * standalone paths) hand it to each part that reads it (faults/catalog.ts).
 */

/** The agent's own faults: where its reports and its diagnostic log are kept (kind `agent`). */
const AGENT: CatalogSource = {
  device: 'agent',
  entries: [
    fault('agent.storage_degraded', 'software', 'major', text('Diagnostic reports cannot be saved to storage', '诊断报告无法写入存储'), [
      restartTerminal,
      step('If it happens again, call your service provider: storage may be full or failing.', '如再次出现，请联系服务商：存储可能已满或损坏。'),
      auto('The terminal keeps reports in memory and retries saving them.', '终端暂时将报告保存在内存中，并自动重试写入。'),
    ]),
    fault('agent.log_degraded', 'software', 'minor', text('The diagnostic log cannot be written to storage', '诊断日志无法写入存储'), [
      step('Keep using the terminal: payments and fault reports are not affected.', '可继续使用终端：支付和故障上报不受影响。'),
      step('If it happens again, call your service provider: storage may be full or failing.', '如再次出现，请联系服务商：存储可能已满或损坏。'),
      auto('The terminal keeps the latest log lines in memory and writes them out when storage works again.', '终端暂时将最新的日志保存在内存中，存储恢复后自动写入。'),
    ]),
  ],
  hints: {
    'agent.storage_degraded': [
      text('Check the filesystem (read-only remount, full, I/O errors in dmesg); replace the storage if errors recur.', '检查文件系统（是否只读重挂载、已满、dmesg 中的 I/O 错误）；错误复现则更换存储。'),
    ],
    'agent.log_degraded': [
      text('Check the filesystem of paths.logs (full, quota, read-only remount, I/O errors in dmesg, permissions); meanwhile posdiag log and the bundle show the lines the daemon holds in memory.', '检查 paths.logs 所在文件系统（是否已满、配额、只读重挂载、dmesg 中的 I/O 错误、权限）；期间 posdiag log 和诊断包可显示守护进程内存中保存的日志。'),
    ],
  },
};

/** What a technician checks, per code: every family's hints and the agent's own. */
export const TECHNICIAN_HINTS: Readonly<Record<string, readonly LocalizedText[]>> = Object.assign({}, ...families.map((f) => f.catalog.hints), AGENT.hints);

export const FAULT_CATALOG: Catalog = buildCatalog([
  ...families.flatMap((family) => catalogEntries({ device: family.kind as DeviceKind, ...family.catalog })),
  ...catalogEntries(AGENT),
]);
