import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EscPosPrinterState } from '../../src/devices/printer/emulator/escpos-printer.js';
import { createSysfsBattery, type SysfsBatteryState } from '../../src/devices/battery/emulator/sysfs-battery.js';
import { printerOnPty, type PtyPrinter } from './pty-printer.js';

export interface PtyTerminal {
  configFile: string;
  ptyPrinter: PtyPrinter;
}

/**
 * A terminal under `dir` for CLI processes with no daemon: a printer emulator on a real pty, optionally
 * a battery in a sysfs tree, and its config file (the control socket names no daemon; an uplink is
 * configured only when asked, pointing nowhere, for "not running").
 */
export async function ptyTerminal(
  dir: string,
  options: {
    terminal: { id: string; model: string; serial: string };
    locale: 'en' | 'zh-CN';
    printer?: Partial<EscPosPrinterState>;
    battery?: Partial<SysfsBatteryState>;
    uplink?: boolean;
  },
): Promise<PtyTerminal> {
  const ptyPrinter = await printerOnPty(dir, options.printer);
  const sysfs = join(dir, 'sys');
  if (options.battery) createSysfsBattery(sysfs, options.battery);
  const configFile = join(dir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      terminal: options.terminal,
      paths: { sysfs, state: join(dir, 'state'), logs: join(dir, 'logs') },
      devices: { printer: { transport: 'serial', path: ptyPrinter.path, timeout: '3s' }, ...(options.battery ? { battery: { source: 'sysfs' } } : {}) },
      ...(options.uplink ? { uplink: { url: 'ws://127.0.0.1:9/agent', token: 'unused' } } : {}),
      control: { socket: join(dir, 'no-daemon.sock') },
      locale: options.locale,
    }),
  );
  return { configFile, ptyPrinter };
}
