import type { FamilyCatalog } from '../family.js';
import { fault, step, text } from '../../faults/catalog-text.js';

/** The battery's fault codes (SPEC §5), its fading capacity among them, and what a technician checks for each. */
export const catalog: FamilyCatalog = {
  entries: [
    fault('battery.low', 'hardware', 'minor', text('Battery is low', '电池电量低'), [
      step('Put the terminal on its base or connect the charger.', '请将终端放回充电座或连接充电器。'),
    ]),
    fault('battery.critical', 'hardware', 'major', text('Battery is almost empty', '电池电量即将耗尽'), [
      step('Connect the charger now: the terminal will soon switch off.', '请立即连接充电器，终端即将关机。'),
      step('Finish the current payment before starting a new one.', '请先完成当前交易，再开始新的交易。'),
    ]),
    fault('battery.overheat', 'hardware', 'major', text('Battery is too hot', '电池温度过高'), [
      step('Unplug the charger and move the terminal out of direct sun, away from heat.', '拔下充电器，将终端移到阴凉处，远离阳光直射和热源。'),
      step('Let it cool down before charging again.', '待其冷却后再充电。'),
      step(
        'If the battery is swollen, or hot while idle, stop using the terminal and call your service provider.',
        '如电池鼓包或空闲时发烫，请停止使用终端并联系服务商。',
      ),
    ]),
    fault('battery.cold', 'hardware', 'major', text('Battery is too cold', '电池温度过低'), [
      step('Move the terminal to a warmer place (above 0 °C).', '将终端移到温暖处（0 °C 以上）。'),
      step('Let it warm up for a while before charging.', '待其回温一段时间后再充电。'),
    ]),
    fault('battery.failure', 'hardware', 'critical', text('Battery has failed', '电池故障'), [
      step('Keep the terminal on external power if it works that way.', '如终端可接外接电源工作，请保持连接电源。'),
      step(
        'If the battery is swollen, hot or smells, stop using the terminal; call your service provider to replace it.',
        '如电池鼓包、发烫或有异味，请停止使用终端，并联系服务商更换电池。',
      ),
    ], true),
    fault('battery.worn', 'hardware', 'minor', text('Battery is worn and holds less charge', '电池老化，续航下降'), [
      step('Charge more often: keep the terminal on its base between payments.', '请更频繁地充电：交易间隙将终端放回充电座。'),
      step('Ask your service provider for a replacement battery.', '请向服务商申请更换电池。'),
    ], true),
    fault('battery.not_charging', 'hardware', 'major', text('Battery is not charging although power is connected', '已连接电源，但电池未充电'), [
      step('Check the charger and cable are firmly plugged in; try another socket.', '检查充电器和连接线已插牢，并换一个插座试试。'),
      step('Clean the charging contacts of the terminal and its base with a dry cloth.', '用干布清洁终端和充电座的充电触点。'),
      step('Try another charger of the same type; if it still does not charge, call your service provider.', '换一个同型号充电器试试；仍不充电请联系服务商。'),
    ]),
    fault('maintenance.battery_fading', 'hardware', 'minor', text('Battery capacity is dropping fast', '电池容量下降较快'), [
      step('Keep the terminal on its base between payments; avoid leaving it in the sun or fully empty.', '交易间隙将终端放回充电座；避免暴晒或电量完全耗尽。'),
      step('Ask your service provider to plan a battery replacement.', '请联系服务商安排更换电池。'),
    ], true),
  ],
  hints: {
    'battery.low': [
      text('Frequent low battery with normal use: check the charger output and the battery capacity (battery.capacity_health_pct).', '正常使用下频繁低电量：检查充电器输出及电池容量（battery.capacity_health_pct）。'),
    ],
    'battery.critical': [
      text('If the terminal shuts down above 5 %, recalibrate or replace the battery.', '电量高于 5% 即关机时，校准或更换电池。'),
    ],
    'battery.overheat': [
      text('Check for swelling; measure the charge current; replace the battery or the charger if it overheats at room temperature.', '检查电池是否鼓包；测量充电电流；室温下仍过热则更换电池或充电器。'),
    ],
    'battery.cold': [
      text('If the temperature reading is implausible, check the battery thermistor (NTC) and its contact.', '温度读数不合理时，检查电池热敏电阻（NTC）及其触点。'),
    ],
    'battery.failure': [
      text('Replace the battery pack; check the charging circuit before fitting the new one (over-voltage).', '更换电池组；装新电池前检查充电电路（是否过压）。'),
    ],
    'battery.worn': [
      text('Replace the battery pack; note the cycle count and capacity in the repair record.', '更换电池组；在维修记录中注明循环次数和容量。'),
    ],
    'battery.not_charging': [
      text('Measure the charger output and the dock contacts; check the charging IC and the battery temperature sensor.', '测量充电器输出和充电座触点；检查充电芯片和电池温度传感器。'),
    ],
    'maintenance.battery_fading': [
      text('Plan a battery replacement at the next visit; the capacity trend and cycle count are in the evidence.', '在下次上门时安排更换电池；容量趋势和循环次数见证据。'),
    ],
  },
};
