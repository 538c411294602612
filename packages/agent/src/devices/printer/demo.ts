import type { FamilyDemo } from '../family.js';
import { EscPosPrinterEmulator } from './emulator/escpos-printer.js';
import type { printerSection } from './config.js';
import type { z } from 'zod';

/** The serial path the demo's printer answers on (a serialport mock port, not a real device). */
export const SIM_PRINTER_PATH = '/dev/posdiag-sim-printer';

/** An ESC/POS printer on a mock serial port whose paper roll runs out at 3 s and is reloaded at 9 s. */
export const demo: FamilyDemo<z.input<typeof printerSection>, EscPosPrinterEmulator> = {
  async start() {
    const printer = new EscPosPrinterEmulator();
    const attachment = await printer.attachToMockPort(SIM_PRINTER_PATH);
    return {
      device: printer,
      section: { transport: 'serial', path: SIM_PRINTER_PATH, baudRate: 115200, interval: '2s', timeout: '1s' },
      overrides: { serialBinding: attachment.binding },
      shown: `printer on ${SIM_PRINTER_PATH}`,
      scenario: [
        { atMs: 3_000, say: 'the paper roll runs out', act: () => void printer.set({ paper: 'end' }) },
        { atMs: 9_000, say: 'the merchant loads a new paper roll', act: () => void printer.set({ paper: 'ok' }) },
      ],
      close: () => attachment.detach(),
    };
  },
};
