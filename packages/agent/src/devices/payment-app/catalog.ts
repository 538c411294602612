import type { FamilyCatalog } from '../family.js';
import { callProvider, fault, restartTerminal, step, text } from '../../faults/catalog-text.js';

/** The payment app's fault codes, judged from its own health reports, and what a technician checks for each. */
export const catalog: FamilyCatalog = {
  entries: [
    fault('payment.saf_backlog', 'software', 'major', text('Offline payments are waiting to be sent', '离线交易积压，尚未上送'), [
      step('Keep the terminal switched on and connected: stored payments are sent when the acquirer answers again.', '请保持终端开机并联网：收单机构恢复后，离线交易会自动上送。'),
      step('Ask for another payment method for large amounts until the backlog is sent.', '积压上送前，大额交易请请顾客改用其他支付方式。'),
      callProvider,
    ]),
    fault('payment.host_unreachable', 'network', 'major', text('The acquirer does not answer (your network is working)', '收单机构无响应（本地网络正常）'), [
      step('Your internet connection is fine: the problem is on the acquirer\'s side; do not restart the router.', '您的网络连接正常，问题在收单机构一侧；无需重启路由器。'),
      step('Take payments offline if the app offers it, or ask for another payment method.', '如应用支持，请使用离线交易，或请顾客改用其他支付方式。'),
      callProvider,
    ]),
    fault('payment.app_crash_loop', 'software', 'critical', text('The payment app keeps crashing', '支付应用反复崩溃'), [
      restartTerminal,
      step('If it keeps crashing, do not take payments with it; call your service provider.', '如仍反复崩溃，请暂停使用该应用收款，并联系服务商。'),
    ], true),
    fault('payment.app_silent', 'software', 'major', text('The payment app is not responding', '支付应用无响应'), [
      step('Open the payment app; if it does not start, restart the terminal.', '请打开支付应用；如无法启动，请重启终端。'),
      callProvider,
    ]),
  ],
  hints: {
    'payment.saf_backlog': [
      text('Compare the backlog age with the scheme\'s offline limit; check the acquirer link and the app\'s forwarding job.', '将积压时长与卡组织离线上限比对；检查收单链路及应用的上送任务。'),
    ],
    'payment.host_unreachable': [
      text('The link and DNS were fine: check the acquirer\'s endpoint, its certificates and the terminal\'s whitelisting with the acquirer.', '本地链路和 DNS 正常：检查收单端点、其证书以及终端在收单机构的白名单。'),
    ],
    'payment.app_crash_loop': [
      text('Collect the app\'s crash logs (posdiag bundle); check the version in the evidence against the fleet\'s; reinstall or roll back.', '收集应用崩溃日志（posdiag bundle）；将证据中的版本与机群版本对比；重新安装或回退版本。'),
    ],
    'payment.app_silent': [
      text('Check the app is running and allowed to reach the control socket (its group); a frozen app needs a restart.', '检查应用是否在运行、是否有权限访问控制套接字（所属组）；应用卡死需重启。'),
    ],
  },
};
