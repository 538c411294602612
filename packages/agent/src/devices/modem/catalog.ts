import type { FamilyCatalog } from '../family.js';
import { auto, callProvider, fault, restartTerminal, step, text } from '../../faults/catalog-text.js';

/** The mobile modem's fault codes (SPEC §5) and what a technician checks for each. */
export const catalog: FamilyCatalog = {
  entries: [
    fault('modem.unresponsive', 'hardware', 'major', text('Mobile network module is not responding', '移动网络模块无响应'), [
      restartTerminal,
      callProvider,
      auto('The terminal restarts the mobile network module by itself.', '终端会自动重启移动网络模块。'),
    ]),
    fault('modem.sim_missing', 'hardware', 'critical', text('No SIM card detected', '未检测到 SIM 卡'), [
      step('Switch the terminal off, check the SIM card sits correctly in its slot, then switch it on.', '关机后检查 SIM 卡是否正确插入卡槽，然后开机。'),
      step('Wipe the SIM card contacts gently with a dry cloth.', '用干布轻轻擦拭 SIM 卡触点。'),
      step('If it is still not detected, ask your mobile operator for a new SIM.', '如仍无法识别，请向移动运营商更换 SIM 卡。'),
    ]),
    fault('modem.sim_locked', 'security', 'major', text('SIM card is locked (PIN or PUK required)', 'SIM 卡已锁定（需要 PIN 或 PUK 码）'), [
      step('Do not guess the code: too many wrong tries block the SIM for good.', '请勿猜测密码：多次输错会永久锁死 SIM 卡。'),
      step('Call your service provider or mobile operator to unlock the SIM.', '请联系服务商或移动运营商解锁 SIM 卡。'),
    ]),
    fault('modem.not_registered', 'network', 'major', text('Not connected to the mobile network', '未注册到移动网络'), [
      step('Move the terminal near a window or to a place with better mobile coverage.', '将终端移到窗边或信号更好的地方。'),
      restartTerminal,
      step("Check with your mobile operator that the SIM's data plan is active.", '向移动运营商确认 SIM 卡的数据套餐有效。'),
      auto('The terminal restarts the mobile radio by itself to register again.', '终端会自动重启移动网络射频以重新注册。'),
    ]),
    fault('modem.registration_denied', 'network', 'critical', text('The mobile network refused the SIM card', '移动网络拒绝了该 SIM 卡'), [
      step('Call your mobile operator: the SIM may be suspended, expired or not activated.', '请联系移动运营商：SIM 卡可能已停机、过期或未激活。'),
      step('Check that the SIM is the one supplied for this terminal.', '确认所用 SIM 卡是为本终端配发的。'),
    ]),
    fault('modem.signal_weak', 'network', 'minor', text('Mobile signal is weak', '移动信号弱'), [
      step('Move the terminal near a window, away from metal shelves and thick walls.', '将终端移到窗边，远离金属货架和厚墙。'),
    ]),
    fault('modem.line_noise', 'io', 'minor', text('The connection to the mobile modem is unreliable', '与移动通信模块的连接不稳定'), [
      restartTerminal,
      callProvider,
    ]),
  ],
  hints: {
    'modem.unresponsive': [
      text('Check the modem power rail and its USB/UART enumeration; reflash or replace the modem module.', '检查模块供电和 USB/串口枚举；重刷固件或更换模块。'),
    ],
    'modem.sim_missing': [
      text('Inspect the SIM holder pins and the SIM detect switch; try a known-good SIM.', '检查 SIM 卡座触针和卡检测开关；用确认正常的 SIM 卡测试。'),
    ],
    'modem.sim_locked': [
      text('Unlock with the PIN/PUK from the operator records; disable the SIM PIN if the provider policy allows.', '使用运营商记录中的 PIN/PUK 解锁；在服务商政策允许时关闭 SIM PIN。'),
    ],
    'modem.not_registered': [
      text('Check the APN, the bands the modem supports against the local network, and the antenna connector.', '检查 APN、模块支持频段与当地网络是否匹配，以及天线接头。'),
    ],
    'modem.registration_denied': [
      text('Check the SIM status with the operator (IMSI barred, unpaid, IMEI lock).', '向运营商核实 SIM 状态（IMSI 被禁、欠费、机卡绑定）。'),
    ],
    'modem.signal_weak': [
      text('Check the antenna cable and connector; fit an external antenna where coverage is poor.', '检查天线线缆和接头；信号差的场所加装外置天线。'),
    ],
    'modem.line_noise': [
      text('Compare the modem UART rate (AT+IPR?) with the config baudRate; check the level shifter and the FPC to the module.', '将模块串口速率（AT+IPR?）与配置的 baudRate 对比；检查电平转换电路及通往模块的排线。'),
    ],
  },
};
