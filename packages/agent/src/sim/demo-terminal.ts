import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { SerialBinding } from '../drivers/transports/serial.js';
import { EscPosPrinterEmulator } from './escpos-printer.js';
import { HidCardReaderEmulator, reports, SIM_READER_INFO, type TestCard } from './hid-card-reader.js';
import { createSysfsBattery, type SysfsBattery } from './sysfs-battery.js';

/** The serial path the simulated printer answers on (a serialport mock port, not a real device). */
export const SIM_PRINTER_PATH = '/dev/posdiag-sim-printer';

export interface ScenarioStep {
  atMs: number;
  say: string;
  act: (terminal: DemoTerminal) => void;
}

/**
 * The demo's scripted faults, all within the first 20 s: the paper roll runs out and is reloaded
 * (printer.paper_end raised, then cleared), the battery, unplugged, drains below 20 %
 * (battery.low raised), and after three good swipes the card reader's head fails four swipes in a row
 * (card_reader.read_errors_high raised). The swipes carry the canary test cards.
 */
export const DEMO_SCENARIO: readonly ScenarioStep[] = [
  { atMs: 3_000, say: 'the paper roll runs out', act: (t) => void t.printer.set({ paper: 'end' }) },
  ...[23, 22, 21, 20, 19, 18].map((level, i) => ({
    atMs: 4_000 + i * 1_500,
    say: `battery at ${level} %`,
    act: (t: DemoTerminal) => t.battery.setLevel(level),
  })),
  { atMs: 9_000, say: 'the merchant loads a new paper roll', act: (t) => void t.printer.set({ paper: 'ok' }) },
  ...(['visa', 'mastercard', 'visa'] as const).map((card: TestCard, i) => ({
    atMs: 2_000 + i * 1_000,
    say: `a ${card} test card is swiped: good read`,
    act: (t: DemoTerminal) => t.cardReader.swipe(reports.good(card)),
  })),
  ...[0, 1, 2, 3].map((i) => ({
    atMs: 6_000 + i * 1_000,
    say: `a card is swiped on a dirty head: read error ${i + 1}`,
    act: (t: DemoTerminal) => t.cardReader.swipe(reports.failed()),
  })),
];

/** A simulated terminal: an ESC/POS printer on a mock serial port, a battery in a sysfs tree, a HID card reader. */
export interface DemoTerminal {
  printer: EscPosPrinterEmulator;
  battery: SysfsBattery;
  /** The HID backend the agent's card reader driver must use (a MagTek reader, SIM_READER_INFO). */
  cardReader: HidCardReaderEmulator;
  /** The binding the agent's serial drivers must use to reach the simulated printer. */
  serialBinding: SerialBinding;
  sysfsRoot: string;
  close(): void;
}

export async function createDemoTerminal(dir: string): Promise<DemoTerminal> {
  const sysfsRoot = join(dir, 'sysfs');
  mkdirSync(sysfsRoot, { recursive: true });
  const battery = createSysfsBattery(sysfsRoot, { levelPct: 24, status: 'discharging', acOnline: false });
  const printer = new EscPosPrinterEmulator();
  const attachment = await printer.attachToMockPort(SIM_PRINTER_PATH);
  const cardReader = new HidCardReaderEmulator(SIM_READER_INFO);
  return { printer, battery, cardReader, serialBinding: attachment.binding, sysfsRoot, close: () => attachment.detach() };
}

/** Plays the scenario on `clock`; `onStep` hears each step as it happens. Returns a cancel function. */
export function playScenario(terminal: DemoTerminal, clock: Clock, onStep: (step: ScenarioStep) => void): () => void {
  const timers: TimerHandle[] = DEMO_SCENARIO.map((step) =>
    clock.setTimeout(() => {
      step.act(terminal);
      onStep(step);
    }, step.atMs),
  );
  return () => timers.forEach((t) => clock.clearTimeout(t));
}
