import type { FamilyCatalog } from '../family.js';
import { auto, callProvider, fault, step, text } from '../../faults/catalog-text.js';

/** The card reader's fault codes (SPEC §5), its degrading swipes among them, and what a technician checks for each. */
export const catalog: FamilyCatalog = {
  entries: [
    fault('card_reader.disconnected', 'hardware', 'critical', text('Card reader is not detected', '未检测到读卡器'), [
      step('Reconnect the card reader cable (external reader), or restart the terminal.', '重新插拔读卡器连接线（外置读卡器），或重启终端。'),
      callProvider,
      auto('The terminal tries to reopen the card reader by itself.', '终端会自动尝试重新连接读卡器。'),
    ]),
    fault('card_reader.read_errors_high', 'io', 'major', text('Many card swipes fail', '刷卡失败率过高'), [
      step('Clean the card reader with a cleaning card (swipe it 3 to 5 times).', '使用清洁卡清洁读卡器（来回刷 3 到 5 次）。'),
      step(
        'Swipe in one smooth, steady motion; for chip cards, insert the card instead.',
        '刷卡时请匀速一次刷过；芯片卡请改为插卡。',
      ),
      step('If swipes still fail after cleaning, call your service provider: the read head may be worn.', '清洁后仍频繁失败，请联系服务商：磁头可能已磨损。'),
    ]),
    fault('card_reader.identity_changed', 'security', 'critical', text('Card reader is not the one registered to this terminal', '读卡器与登记的设备不一致'), [
      step('Stop accepting cards on this terminal now.', '请立即停止在此终端上受理银行卡。'),
      step(
        'Look for added parts, loose covers or anything attached over the card slot.',
        '检查终端是否有加装部件、外壳松动或卡槽上的附加物。',
      ),
      step('Call your service provider right away and keep the terminal for inspection.', '立即联系服务商，并保留终端以供检查。'),
    ], true),
    fault('card_reader.line_noise', 'io', 'minor', text('The card reader connection picks up interference', '读卡器连接线路受到干扰'), [
      step(
        'For an external reader, push its cable in firmly and keep it away from power adapters; then restart the terminal.',
        '外置读卡器请将连接线插紧并远离电源适配器，然后重启终端。',
      ),
      callProvider,
    ]),
    fault('maintenance.card_reader_degrading', 'hardware', 'minor', text('Card swipes are failing more often than before', '刷卡失败率正在上升'), [
      step('Clean the card reader with a cleaning card (swipe it 3 to 5 times).', '使用清洁卡清洁读卡器（来回刷 3 到 5 次）。'),
      step('Prefer chip or contactless payment; if swipes keep failing, call your service provider.', '优先使用芯片卡或非接触支付；如刷卡仍频繁失败，请联系服务商。'),
    ], true),
  ],
  hints: {
    'card_reader.disconnected': [
      text('Check the reader cable and USB/serial enumeration (lsusb, dmesg); replace the cable or the reader module.', '检查读卡器连接线及 USB/串口枚举（lsusb、dmesg）；更换连接线或读卡模块。'),
    ],
    'card_reader.read_errors_high': [
      text('Compare failure rates per track: one bad track points at the head, all tracks at the card path or the decoder.', '对比各磁道失败率：单一磁道异常指向磁头，全部磁道异常指向刷卡通道或解码板。'),
      text('Clean with a cleaning card; replace the magnetic head if failures stay high.', '用清洁卡清洁；失败率仍高则更换磁头。'),
    ],
    'card_reader.identity_changed': [
      text('Treat as possible tampering: compare the enrolled and present VID:PID, serial and firmware in the evidence; inspect for overlays before re-enrolling.', '按可能被篡改处理：对比证据中登记与当前的 VID:PID、序列号和固件；重新登记前检查有无加装物。'),
    ],
    'card_reader.line_noise': [
      text('Compare the reader baud rate with the config baudRate (9600 by default); reseat or replace its cable and check the ground.', '将读卡器波特率与配置的 baudRate（默认 9600）对比；重新插接或更换其连接线并检查接地。'),
    ],
    'maintenance.card_reader_degrading': [
      text('Clean the head and check the card path; plan a magnetic head replacement if the failure rate keeps rising.', '清洁磁头并检查刷卡通道；失败率持续上升则安排更换磁头。'),
    ],
  },
};
