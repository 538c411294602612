import type { LocalizedText } from 'posdiag-protocol';

/**
 * What a technician checks for each fault code, on site or at the bench: the likely parts and
 * measurements, beyond the merchant's first-line steps. Kept beside the catalog (which merges them into
 * its entries) so the merchant text and the technician text can be reviewed separately.
 */
const t = (en: string, zh: string): LocalizedText => ({ en, 'zh-CN': zh });

export const LEGACY_HINTS: Readonly<Record<string, LocalizedText[]>> = {
  'security.unknown_usb_device': [
    t('Identify the device from its VID:PID in the evidence; remove it and check the USB ports and hubs for hidden devices.', '根据证据中的 VID:PID 识别设备；移除并检查 USB 口和集线器中是否藏有设备。'),
  ],
  'agent.storage_degraded': [
    t('Check the filesystem (read-only remount, full, I/O errors in dmesg); replace the storage if errors recur.', '检查文件系统（是否只读重挂载、已满、dmesg 中的 I/O 错误）；错误复现则更换存储。'),
  ],
  'agent.log_degraded': [
    t('Check the filesystem of paths.logs (full, quota, read-only remount, I/O errors in dmesg, permissions); meanwhile posdiag log and the bundle show the lines the daemon holds in memory.', '检查 paths.logs 所在文件系统（是否已满、配额、只读重挂载、dmesg 中的 I/O 错误、权限）；期间 posdiag log 和诊断包可显示守护进程内存中保存的日志。'),
  ],
};
