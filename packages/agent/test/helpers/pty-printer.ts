import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { EscPosPrinterEmulator, type EscPosPrinterState } from '../../src/devices/printer/emulator/escpos-printer.js';
import { createPtyPair } from './pty.js';

export interface PtyPrinter {
  /** The tty the agent opens. */
  path: string;
  printer: EscPosPrinterEmulator;
  /** Closes the emulator's end and kills the pty pair. */
  close(): Promise<void>;
}

/** An ESC/POS printer emulator on the far end of a real pseudo-terminal pair (real serialport bindings). */
export async function printerOnPty(dir: string, state: Partial<EscPosPrinterState> = {}): Promise<PtyPrinter> {
  const pty = await createPtyPair(join(dir, 'tty-agent'), join(dir, 'tty-printer'));
  const port = new SerialPort({ path: pty.b, baudRate: 115200 });
  await new Promise<void>((resolve, reject) => port.once('open', resolve).once('error', reject));
  const printer = new EscPosPrinterEmulator(state);
  printer.attachToStream(port);
  return {
    path: pty.a,
    printer,
    async close() {
      if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
      await pty.kill();
    },
  };
}
