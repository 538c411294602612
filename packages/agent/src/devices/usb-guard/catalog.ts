import type { FamilyCatalog } from '../family.js';
import { fault, step, text } from '../../faults/catalog-text.js';

/** The USB guard's fault code (SPEC §5) and what a technician checks for it. */
export const catalog: FamilyCatalog = {
  entries: [
    fault('security.unknown_usb_device', 'security', 'major', text('An unknown USB device is connected', '检测到未知的 USB 设备'), [
      step('Unplug any USB device you do not recognise from the terminal.', '拔下终端上任何您不认识的 USB 设备。'),
      step('Report it to your service provider and do not plug it back in.', '请报告服务商，不要再插回。'),
    ], true),
  ],
  hints: {
    'security.unknown_usb_device': [
      text('Identify the device from its VID:PID in the evidence; remove it and check the USB ports and hubs for hidden devices.', '根据证据中的 VID:PID 识别设备；移除并检查 USB 口和集线器中是否藏有设备。'),
    ],
  },
};
