import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock, TimerHandle } from 'posdiag-protocol';
import type { DemoDevice, DriverOverrides, FamilyDemo, ScenarioStep } from '../devices/family.js';
import { families, type FAMILIES } from '../devices/index.js';

type Family = (typeof FAMILIES)[number];
type EmulatorOf<F> = F extends { readonly demo?: FamilyDemo<unknown, infer E> } ? E : never;

/** The emulated devices by their family's key, for the families that have one in the demo. */
export type DemoDevices = { [F in Family as [EmulatorOf<F>] extends [never] ? never : F['key']]: EmulatorOf<F> };

/**
 * A simulated terminal: every family's emulator that has one (devices/<family>/demo.ts), e.g. an ESC/POS
 * printer on a mock serial port, a battery in a sysfs tree, a HID card reader, each with its part of
 * the demo's scenario. All of it happens within the first 20 s: the paper roll runs out and is
 * reloaded (printer.paper_end raised, then cleared), the battery, unplugged, drains below 20 %
 * (battery.low raised), after three good swipes a damaged card fails three times (the merchant's
 * hint, no fault), then the card reader's head fails four swipes in a row (card_reader.read_errors_high
 * raised); at 12 s the terminal falls off the counter (hardware.dropped, then the self-test it runs
 * by itself). The swipes carry the canary test cards.
 */
export type DemoTerminal = DemoDevices & {
  /** Each emulated device's config section, by family key: what the demo's agent is configured with. */
  sections: Record<string, unknown>;
  /** The seams the agent's drivers must be handed to reach the emulators. */
  overrides: DriverOverrides;
  sysfsRoot: string;
  /** The demo terminal's device nodes (config `paths.dev`): the accelerometer's FIFO. */
  devRoot: string;
  /** Where the devices are, for the demo's first line. */
  shown: string[];
  scenario: ScenarioStep[];
  close(): void;
};

export async function createDemoTerminal(dir: string): Promise<DemoTerminal> {
  const sysfsRoot = join(dir, 'sysfs');
  const devRoot = join(dir, 'dev');
  mkdirSync(sysfsRoot, { recursive: true });
  mkdirSync(devRoot, { recursive: true });
  const started: [string, DemoDevice<unknown, unknown>][] = [];
  for (const { key, demo } of families) if (demo) started.push([key, await demo.start({ sysfsRoot, devRoot })]);
  return {
    ...(Object.fromEntries(started.map(([key, d]) => [key, d.device])) as DemoDevices),
    sections: Object.fromEntries(started.map(([key, d]) => [key, d.section])),
    overrides: mergeOverrides(started),
    sysfsRoot,
    devRoot,
    shown: started.flatMap(([, d]) => (d.shown ? [d.shown] : [])),
    scenario: started.flatMap(([, d]) => d.scenario),
    close: () => started.forEach(([, d]) => d.close()),
  };
}

/** The emulators' seams together; two emulators cannot share one (one serial binding answers one device). */
function mergeOverrides(started: [string, DemoDevice<unknown, unknown>][]): DriverOverrides {
  const merged: Record<string, unknown> = {};
  for (const [key, { overrides }] of started) {
    for (const [seam, value] of Object.entries(overrides)) {
      if (seam in merged) throw new Error(`demo terminal: ${key} needs the ${seam} seam another emulator already has`);
      merged[seam] = value;
    }
  }
  return merged as DriverOverrides;
}

/** Plays the scenario on `clock`; `onStep` hears each step as it happens. Returns a cancel function. */
export function playScenario(terminal: DemoTerminal, clock: Clock, onStep: (step: ScenarioStep) => void): () => void {
  const timers: TimerHandle[] = terminal.scenario.map((step) =>
    clock.setTimeout(() => {
      step.act();
      onStep(step);
    }, step.atMs),
  );
  return () => timers.forEach((t) => clock.clearTimeout(t));
}
