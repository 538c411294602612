import type { FamilyCatalog } from '../family.js';
import { auto, callProvider, fault, step, text } from '../../faults/catalog-text.js';

/** The printer's fault codes (SPEC §5), the cutter's wear among them, and what a technician checks for each. */
export const catalog: FamilyCatalog = {
  entries: [
    fault('printer.disconnected', 'hardware', 'major', text('Printer is not responding', '打印机无响应'), [
      step('Check that the printer is switched on and its power cable is plugged in.', '检查打印机电源是否打开、电源线是否插好。'),
      step(
        'Unplug and firmly reconnect the printer cable at both ends (built-in printer: restart the terminal).',
        '拔下并重新插牢打印机数据线两端（内置打印机请重启终端）。',
      ),
      callProvider,
      auto('The terminal reopens the printer connection by itself.', '终端会自动重新连接打印机。'),
    ]),
    fault('printer.offline', 'io', 'major', text('Printer is offline', '打印机处于离线状态'), [
      step('Check the paper roll and that the printer cover is fully closed.', '检查打印纸，并确认打印机仓盖已完全合上。'),
      step('Switch the printer (or the terminal) off and on again.', '关闭打印机（或终端）后重新开机。'),
      callProvider,
    ]),
    fault('printer.cover_open', 'io', 'major', text('Printer cover is open', '打印机仓盖未关闭'), [
      step('Close the printer cover firmly until it clicks.', '用力合上打印机仓盖，直到听到“咔哒”声。'),
      step(
        'If it looks closed, open it and close it again; check no paper is caught at the edges.',
        '如看起来已合上，请打开后重新合上，并检查边缘没有夹住纸张。',
      ),
    ]),
    fault('printer.paper_end', 'io', 'major', text('Printer is out of paper', '打印纸已用完'), [
      step(
        'Load a new paper roll, thermal side towards the print head, pull a little paper out and close the cover.',
        '装入新纸卷（热敏面朝向打印头），拉出一小段纸后合上仓盖。',
      ),
      step('Use the paper width the terminal specifies (usually 57 mm or 80 mm).', '请使用终端规定宽度的打印纸（通常为 57 毫米或 80 毫米）。'),
    ]),
    fault('printer.paper_near_end', 'io', 'minor', text('Paper roll is nearly used up', '打印纸即将用完'), [
      step('Have a new paper roll ready and replace the roll soon.', '请准备好新纸卷并尽快更换。'),
    ]),
    fault('printer.cutter_error', 'hardware', 'major', text('Printer paper cutter is jammed', '打印机切刀卡纸'), [
      step(
        'Open the cover, remove any jammed or torn paper near the cutter, then close the cover.',
        '打开仓盖，取出切刀附近卡住或撕碎的纸张，然后合上仓盖。',
      ),
      step('Switch the printer (or the terminal) off and on again.', '关闭打印机（或终端）后重新开机。'),
      callProvider,
    ], true),
    fault('printer.head_overheat', 'hardware', 'minor', text('Print head is too hot; printing paused', '打印头过热，打印已暂停'), [
      step('Wait a few minutes: printing resumes by itself once the head has cooled.', '请等待几分钟，打印头冷却后会自动恢复打印。'),
      step(
        'Keep the terminal out of direct sun and avoid printing many long receipts back to back.',
        '避免阳光直射，避免连续打印大量长单据。',
      ),
    ]),
    fault('printer.unrecoverable_error', 'hardware', 'critical', text('Printer has a hardware fault', '打印机出现硬件故障'), [
      step('Switch the printer (or the terminal) off, wait 10 seconds, and switch it on again.', '关闭打印机（或终端），等待 10 秒后重新开机。'),
      step('If the fault remains, call your service provider: the printer needs repair.', '如故障仍在，请联系服务商：打印机需要维修。'),
    ], true),
    fault('printer.line_noise', 'io', 'minor', text('The printer connection picks up interference', '打印机连接线路受到干扰'), [
      step('Switch the terminal (or an external printer) off and on again.', '关闭终端（或外置打印机）后重新开机。'),
      step(
        'For an external printer, push its cable in firmly at both ends and keep it away from power adapters.',
        '外置打印机请将连接线两端插紧，并使其远离电源适配器。',
      ),
      callProvider,
    ]),
    // Predictive maintenance (beyond SPEC §5): raised from the lifetime cut count, before the breakdown.
    fault('maintenance.cutter_near_life', 'hardware', 'minor', text('Printer paper cutter is near the end of its life', '打印机切刀接近使用寿命'), [
      step('Keep printing as usual; if receipts are not cut cleanly, tear them off by hand.', '可正常打印；如单据切不断，请手动撕下。'),
      step('Ask your service provider to plan a cutter replacement.', '请联系服务商安排更换切刀。'),
    ], true),
  ],
  hints: {
    'printer.disconnected': [
      text('Check the printer FPC/USB cable and connector at the mainboard; reseat or replace it.', '检查打印机排线/USB 线及主板端连接器，重新插接或更换。'),
      text('Measure the printer supply voltage under load; a sagging supply resets the printer mid-job.', '测量打印机带载供电电压；电压跌落会使打印机在打印中复位。'),
    ],
    'printer.offline': [
      text('Read printer.status_hex in the evidence: DLE EOT 2 bit 2/3/5/6 tell cover, feed button, paper end or error.', '查看证据中的 printer.status_hex：DLE EOT 2 的第 2/3/5/6 位分别表示仓盖、走纸键、缺纸或错误。'),
      text('Check the feed button is not stuck pressed.', '检查走纸键是否卡住处于按下状态。'),
    ],
    'printer.cover_open': [
      text('Check the cover-open switch or sensor and its latch; replace the switch if it reports open with the cover shut.', '检查仓盖开关/传感器及卡扣；仓盖合上仍报开启时更换开关。'),
    ],
    'printer.paper_end': [
      text('If it persists with paper loaded, clean the paper-end sensor and check its cable; check the paper grade and width.', '装纸后仍报缺纸时，清洁缺纸传感器并检查其排线；检查纸张规格和宽度。'),
    ],
    'printer.paper_near_end': [
      text('If it persists with a full roll, adjust or clean the near-end sensor (the roll core may hide it).', '满卷纸仍报将尽时，调整或清洁纸将尽传感器（纸芯可能遮挡）。'),
    ],
    'printer.cutter_error': [
      text('Remove paper fragments from the cutter path, check the blade home switch, and cycle the cutter; replace the cutter unit if it stalls.', '清除切刀通道内的碎纸，检查刀片归位开关并空切测试；仍卡死则更换切刀组件。'),
      text('Compare printer.cuts_total with the cutter rated life.', '将 printer.cuts_total 与切刀额定寿命对比。'),
    ],
    'printer.head_overheat': [
      text('Repeated overheating with light use: check the head thermistor and the print density setting (lower it).', '轻度使用仍反复过热：检查打印头热敏电阻，并调低打印浓度设置。'),
    ],
    'printer.unrecoverable_error': [
      text('Power-cycle and read the error bits (DLE EOT 3); replace the print mechanism or printer board if the error returns.', '断电重启并读取错误位（DLE EOT 3）；错误复现则更换打印机芯或打印机主板。'),
    ],
    'printer.line_noise': [
      text('Read printer.line_errors per poll: a steady count is a baud-rate or framing mismatch (compare the config baudRate with the printer memory switches); bursts are interference or a loose contact.', '查看每次轮询的 printer.line_errors：持续计数说明波特率或帧格式不匹配（将配置的 baudRate 与打印机存储开关对比）；突发计数说明存在干扰或接触不良。'),
      text('Reseat or replace the serial cable, check its shield and ground, and route it away from the power supply.', '重新插接或更换串口线，检查屏蔽层和接地，并使其远离电源走线。'),
    ],
    'maintenance.cutter_near_life': [
      text('Plan a cutter (or print mechanism) replacement; printer.cuts_total is in the evidence.', '安排更换切刀（或打印机芯）；printer.cuts_total 见证据。'),
    ],
  },
};
