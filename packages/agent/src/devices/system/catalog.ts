import type { FamilyCatalog } from '../family.js';
import { callProvider, fault, step, text } from '../../faults/catalog-text.js';

/** The system's fault codes (SPEC §5) and what a technician checks for each. */
export const catalog: FamilyCatalog = {
  entries: [
    fault('system.disk_low', 'software', 'major', text('Terminal storage is almost full', '终端存储空间不足'), [
      step('Restart the terminal to clear temporary files.', '重启终端以清理临时文件。'),
      callProvider,
    ]),
    fault('system.memory_low', 'software', 'major', text('Terminal memory is almost full', '终端内存不足'), [
      step('Close apps you do not need, or restart the terminal.', '关闭不需要的应用，或重启终端。'),
      callProvider,
    ]),
    fault('system.clock_skew', 'software', 'major', text("Terminal's clock is wrong", '终端时间不正确'), [
      step('Check the date and time on the terminal and correct them (or turn on automatic time).', '检查终端的日期和时间并校正（或打开自动同步时间）。'),
      step('Keep the terminal online so it can set its clock.', '保持终端联网，以便自动校时。'),
    ]),
    fault('system.overheat', 'hardware', 'major', text('Terminal is overheating', '终端温度过高'), [
      step('Move the terminal out of direct sun, away from heat, and keep its vents clear.', '将终端移离阳光直射和热源，并保持散热孔通畅。'),
      step('Switch it off for a few minutes to cool down.', '关机几分钟让其冷却。'),
      callProvider,
    ]),
  ],
  hints: {
    'system.disk_low': [
      text('Find what fills storage (logs, outbox, app caches) with the diagnostic bundle; clear or enlarge the partition.', '通过诊断包查找占用空间的内容（日志、发件箱、应用缓存）；清理或扩容分区。'),
    ],
    'system.memory_low': [
      text('Look for a leaking app in the process list; update or restart it.', '在进程列表中查找内存泄漏的应用；更新或重启该应用。'),
    ],
    'system.clock_skew': [
      text('Check NTP reachability and the RTC battery; a clock that resets at boot needs a new RTC cell.', '检查 NTP 可达性和 RTC 电池；开机后时间复位需更换 RTC 电池。'),
    ],
    'system.overheat': [
      text('Clean the vents, check the fan or heat spreader, and look for a process pinning the CPU.', '清洁散热孔，检查风扇或散热片，并查找占满 CPU 的进程。'),
    ],
  },
};
