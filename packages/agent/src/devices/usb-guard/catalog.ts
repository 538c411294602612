import type { FamilyCatalog } from '../family.js';
import { fault, step, text } from '../../faults/catalog-text.js';

/**
 * The terminal's security faults (SPEC §5) and what a technician checks for each: the USB guard's, and
 * the hub's lock on a terminal reported lost or stolen (its reading comes from the pipeline's lock,
 * repair/terminal-lock.ts, not from this family's driver: the lock is the terminal's, as these faults are).
 */
export const catalog: FamilyCatalog = {
  entries: [
    fault('security.unknown_usb_device', 'security', 'major', text('An unknown USB device is connected', '检测到未知的 USB 设备'), [
      step('Unplug any USB device you do not recognise from the terminal.', '拔下终端上任何您不认识的 USB 设备。'),
      step('Report it to your service provider and do not plug it back in.', '请报告服务商，不要再插回。'),
    ], true),
    fault('security.terminal_locked', 'security', 'critical', text('This terminal is locked by your service provider', '本终端已被服务商锁定'), [
      step('Do not take payments on this terminal.', '请勿使用本终端收款。'),
      step('Call your service provider: they locked it because it was reported lost or stolen, and only they can unlock it.', '请联系服务商：终端被报告丢失或被盗后由服务商锁定，只有服务商可以解锁。'),
    ]),
  ],
  hints: {
    'security.unknown_usb_device': [
      text('Identify the device from its VID:PID in the evidence; remove it and check the USB ports and hubs for hidden devices.', '根据证据中的 VID:PID 识别设备；移除并检查 USB 口和集线器中是否藏有设备。'),
    ],
    'security.terminal_locked': [
      text('The hub locked it (a terminal marked lost that connected again, or an operator\'s lock): check who holds it and from where it connected before unlocking it from the hub.', '由后台锁定（被标记为丢失的终端重新连接，或操作员手动锁定）：解锁前请核实终端由谁持有、从何处连接。'),
    ],
  },
};
