import type { FamilyCatalog } from '../family.js';
import { fault, step, text } from '../../faults/catalog-text.js';

const restartRouter = step('Restart your router, wait two minutes, then try again.', '重启路由器，等待两分钟后再试。');

/** The network's fault codes (SPEC §5) and what a technician checks for each. */
export const catalog: FamilyCatalog = {
  entries: [
    fault('network.link_down', 'network', 'critical', text('Network connection is lost', '网络连接已断开'), [
      step(
        'Check the network cable is plugged in at both ends (wired), or that Wi-Fi is on and the router is powered (wireless).',
        '检查网线两端是否插好（有线），或 Wi-Fi 是否打开、路由器是否通电（无线）。',
      ),
      restartRouter,
      step('If other devices have no internet either, call your internet provider.', '如其他设备也无法上网，请联系网络运营商。'),
    ]),
    fault('network.link_flapping', 'network', 'minor', text('Network connection keeps dropping', '网络连接频繁断开'), [
      step('Reconnect or replace the network cable; avoid kinks and loose plugs.', '重新插拔或更换网线，避免弯折和接口松动。'),
      step('On Wi-Fi, move the terminal closer to the router.', '如使用 Wi-Fi，请将终端靠近路由器。'),
    ]),
    fault('network.wifi_weak', 'network', 'minor', text('Wi-Fi signal is weak', 'Wi-Fi 信号弱'), [
      step('Move the terminal closer to the Wi-Fi router, or the router closer to the counter.', '将终端移近 Wi-Fi 路由器，或将路由器移近收银台。'),
      step('Remove obstacles such as metal shelves between them.', '移除两者之间的金属货架等遮挡物。'),
    ]),
    fault('network.dns_failure', 'network', 'major', text("Cannot look up the payment server's address", '无法解析支付服务器地址'), [
      restartRouter,
      step('Check that other devices on the same network can open websites; if not, call your internet provider.', '检查同一网络下其他设备能否打开网页；如不能，请联系网络运营商。'),
    ]),
    fault('network.host_unreachable', 'network', 'critical', text('Cannot connect to the payment server', '无法连接支付服务器'), [
      restartRouter,
      step('Check that other devices on the same network can reach the internet; if not, call your internet provider.', '检查同一网络下其他设备能否上网；如不能，请联系网络运营商。'),
      step('If the internet works, call your service provider: the payment server may be unavailable.', '如网络正常，请联系服务商：支付服务器可能暂时不可用。'),
    ]),
    fault('network.high_latency', 'network', 'minor', text('Network is slow', '网络速度慢'), [
      step('Pause large downloads or video streaming on the shop network.', '暂停店内网络上的大文件下载或视频播放。'),
      step('Restart your router; if it stays slow, call your internet provider.', '重启路由器；如仍然很慢，请联系网络运营商。'),
    ]),
  ],
  hints: {
    'network.link_down': [
      text('Check operstate and carrier in the evidence; test the cable and switch port, or the Wi-Fi association (SSID, key).', '查看证据中的 operstate 和 carrier；测试网线和交换机端口，或 Wi-Fi 连接（SSID、密码）。'),
    ],
    'network.link_flapping': [
      text('Replace the patch cable; check the switch port for errors and the Wi-Fi for roaming between access points.', '更换网线；检查交换机端口错误计数，以及 Wi-Fi 是否在多个接入点间漫游。'),
    ],
    'network.wifi_weak': [
      text('Survey the signal at the counter; move the access point or add one; check the terminal antenna.', '在收银台测量信号；调整或增加接入点；检查终端天线。'),
    ],
    'network.dns_failure': [
      text('Check the DNS servers the terminal gets by DHCP; resolve the acquirer host from another device on the same network.', '检查终端经 DHCP 获得的 DNS 服务器；在同一网络的其他设备上解析收单主机。'),
    ],
    'network.host_unreachable': [
      text('Test TCP and TLS to the target from the same network; check firewalls, proxies and the terminal clock (TLS fails with a wrong clock).', '在同一网络测试到目标的 TCP 和 TLS；检查防火墙、代理及终端时间（时间错误会导致 TLS 失败）。'),
    ],
    'network.high_latency': [
      text('Measure latency to the target from the shop network; check for saturated uplink or Wi-Fi interference.', '在店内网络测量到目标的延迟；检查上行带宽是否饱和或 Wi-Fi 干扰。'),
    ],
  },
};
