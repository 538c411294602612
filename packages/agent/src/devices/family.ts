import type { z } from 'zod';
import type { LocalizedText, SelfTestResult } from 'posdiag-protocol';
import type { Config } from '../config/schema.js';
import type { Readings } from '../core/readings.js';
import type { Driver, DriverContext } from '../drivers/contract.js';
import type { HidBackend } from '../drivers/transports/hid.js';
import type { SerialBinding } from '../drivers/transports/serial.js';
import type { UsbBus } from '../drivers/transports/usb/bus.js';
import type { CatalogFault } from '../faults/catalog.js';
import type { Prompter } from '../self-test/self-test-prompts.js';
import type { SelfTestCheck, StepContext } from '../self-test/self-test-steps.js';

/**
 * A device family (Telegraf's input plugin, with everything around it): one folder under src/devices/
 * that says all the agent knows of one kind of device, registered by its entry in devices/index.ts.
 * The config's `devices` section, the device kinds, the driver registry, the fault catalog, the
 * built-in rules, the self-test's checks, the merchant's device names, the demo's terminal and the
 * lifetime counters' file are all built from that list. Outside the folder only what one family alone
 * does reaches into it: the enrolments of `posdiag enroll`, the receipt printer the self-test's verdict
 * goes to, the clock skew tracker the pipeline feeds and observes, the one-off fold of the card
 * reader's old counts into the lifetime counters.
 *
 * Invariants:
 * - `key` and `name` are unique in the list, and so are reading prefixes, fault codes and thresholds:
 *   each is one family's own (the rule merge and the catalog refuse a code or threshold defined twice).
 * - `config` is a strict schema with its defaults; an absent section means the device is not
 *   monitored. `createDriver` only builds (the driver contract: no device touched, no native module
 *   loaded), so the registry can build every configured driver on a machine that lacks its library.
 * - Every fault code of `rules` has an entry in `catalog`, with merchant steps and technician hints
 *   in every locale; every rule has a rule test, in the folder's `rule-tests/` (or, for a test across
 *   families, in fixtures/rules/).
 * - Self-test checks resolve with checks and never reject: a device that does not cooperate is a
 *   failed check. They are decided in list order, so a family's checks never depend on another's.
 * - `wear`, when present, is pure (counters in, counters out, nothing kept), its fields in the lifetime
 *   file are its own (the counters refuse a field two families declare), and every `WearEvent` its
 *   drivers send names its key.
 * - The family's kind may be shared (usb-guard's faults are the `system`'s): a kind is what reports
 *   and the merchant's self-test group by, the family is how the agent is built.
 */
export interface DeviceFamily<Key extends string = string, Kind extends string = string, Section extends z.ZodType = z.ZodType, Emulated = never> {
  /** Its section under `devices` in the config, e.g. "cardReader". */
  readonly key: Key;
  /** The device kind its drivers, device identities and faults carry, e.g. "cardReader". */
  readonly kind: Kind;
  /** Its drivers' name: in logs (`device`), self-test checks and monitor sources, e.g. "usb-guard". */
  readonly name: string;
  /** The device's name as the merchant reads it (self-test output and receipts). */
  readonly words: LocalizedText;
  /** The schema of its config section, defaults included. */
  readonly config: Section;
  /** Prefixes of its reading names (`battery.`, `power.`): what a repair request shows of this device. */
  readonly readingPrefixes: readonly string[];
  /** Its fault codes: what each means, merchant steps and technician hints. */
  readonly catalog: FamilyCatalog;
  /** Its built-in rule file, merged in list order before the agent's own rules and config `rules.files`. */
  readonly rules: BuiltinRules;
  /** The driver for a configured section (one per section). */
  createDriver(section: z.output<Section>, env: DriverEnv): Driver;
  /** What it adds to the self-test's full and interactive levels; every family gets the `status` check. */
  readonly selfTest?: FamilySelfTest<z.output<Section>>;
  /** Its emulated device in the demo's terminal (`posdiag demo`, the agent test harness). */
  readonly demo?: FamilyDemo<z.input<Section>, Emulated>;
  /** What of it wears, counted over its life: receipt cuts, card swipes, battery cycles. */
  readonly wear?: FamilyWear;
  /** A quick self-test the daemon runs by itself after one of its faults is raised (a drop: did it break anything?). */
  readonly selfTestAfter?: FamilySelfTestAfter;
  /**
   * Prefixes of its readings every repair request carries, whatever its device: what may explain
   * another device's fault (a drop explains a broken printer). Present only when they are.
   */
  readonly repairContext?: readonly string[];
  /**
   * What the merchant should know that is no fault of the terminal (a damaged card): shown by
   * `status` and as a passing check of the self-test, never a fault or a reading.
   */
  merchantHints?(drivers: readonly Driver[], now: number): readonly LocalizedText[];
}

/**
 * The daemon's self-test after one of the family's faults (self-test/after-fault.ts): once a `codes`
 * fault is raised it waits until `ready` holds on the terminal's readings (the terminal lies still),
 * runs a recorded quick self-test of every other device, and hands the result to `tested` with the
 * family's drivers and the names of the devices that were failing before the fault (not its doing),
 * so the fault's readings can carry what the test found.
 */
export interface FamilySelfTestAfter {
  readonly codes: readonly string[];
  ready(readings: Readings): boolean;
  tested(drivers: readonly Driver[], result: SelfTestResult, failingBefore: ReadonlySet<string>): void;
}

/** Any family, as the builders walk the list: its section and emulator types erased. */
export type AnyFamily = DeviceFamily<string, string, z.ZodType, unknown>;

/** Its part of the fault catalog: the entries' device is the family's kind, the hints come beside them. */
export interface FamilyCatalog {
  readonly entries: readonly CatalogFault[];
  /** What a technician checks, per code: reviewed apart from the merchant text, merged into the entries. */
  readonly hints: Readonly<Record<string, readonly LocalizedText[]>>;
}

/** A family's counters as the lifetime file holds them: its fields at the file's top level. */
export type WearState = Record<string, unknown>;

/**
 * A family's part of the lifetime counters (maintenance/lifetime-counters.ts, one file and one write
 * path for every family): its fields in `lifetime-counters.json`, what one of its device events (a
 * `WearEvent` naming its key, `Detail` as its drivers make it) or the terminal's readings add to them,
 * and the maintenance readings its rules judge. Each function returns the new counters and changes
 * nothing it is given.
 */
export interface FamilyWear<State extends WearState = WearState, Detail = unknown> {
  /** Each of its fields in the file, as stored (the file is refused as a whole when one does not parse). */
  readonly fields: { readonly [Field in keyof State]: z.ZodType<State[Field]> };
  /** Its counters before anything wore; a field a stored file lacks (written before the field was) starts here. */
  empty(): State;
  /** After one of its device events. */
  count?(state: State, detail: Detail): State;
  /** After each observation, from the terminal's merged readings at `at`: wear no event tells (a battery's discharge). */
  observe?(state: State, readings: Readings, at: number): State;
  /** Its maintenance readings (totals, rates, trends): the monitor's `maintenance` source. */
  readings(state: State): Readings;
}

/** A rule file shipped in the family's folder: where it lies (errors name it) and what it holds. */
export interface BuiltinRules {
  readonly file: URL;
  readonly content: unknown;
}

/** The seams a driver may be handed instead of the real stack (the demo's emulators, tests). */
export interface DriverOverrides {
  /** serialport binding for serial devices (the demo's emulators); the system binding otherwise. */
  serialBinding?: SerialBinding;
  /** USB stack for USB devices (tests: recorded descriptors and replies); node-usb, loaded lazily, otherwise. */
  usbBus?: UsbBus;
  /** HID backend for HID devices (the demo's card reader emulator); node-hid, loaded lazily, otherwise. */
  hid?: HidBackend;
  /**
   * Set where clock skew is measured (the pipeline, from the reference times drivers' device events and
   * the hub's welcome bring): the network driver then asks TLS targets for their HTTP `Date` (a
   * `clock_reference` device event). A one-off poll leaves it unset and sends nothing more.
   */
  clockReferences?: boolean;
}

/** What `createDriver` gets besides its section. */
export interface DriverEnv {
  paths: Config['paths'];
  /** Its log is already the family's child logger (`device: <name>`). */
  ctx: DriverContext;
  overrides: DriverOverrides;
}

export interface FamilySelfTest<Section> {
  /** The full level's checks (also run at the interactive level, where they may ask: `prompter` is set). */
  full?(ctx: FamilyCheckContext<Section>): Promise<void>;
  /** The interactive level's own checks, after every family's full checks. */
  interactive?(ctx: FamilyCheckContext<Section> & { prompter: Prompter }): Promise<void>;
}

export interface FamilyCheckContext<Section> {
  /** The drivers of the family's kind under test, in configured order. */
  drivers: readonly Driver[];
  /** Its config section, when the test has one. */
  section: Section | undefined;
  /** What the test's poll of every device read. */
  readings: Readings;
  terminalId: string;
  /** Who answers prompts: only at the interactive level. */
  prompter: Prompter | undefined;
  step: StepContext;
  /** Hands over one check, in the order decided (the control API streams them). */
  decide(check: SelfTestCheck): void;
}

export interface FamilyDemo<SectionInput, Emulated> {
  /** Starts the emulated device; `sysfsRoot` and `devRoot` are the demo terminal's sysfs tree and device nodes (config `paths.sysfs`, `paths.dev`). */
  start(env: { sysfsRoot: string; devRoot: string }): Promise<DemoDevice<SectionInput, Emulated>>;
}

export interface DemoDevice<SectionInput, Emulated> {
  /** The emulator, for the scenario and tests to act on. */
  device: Emulated;
  /** The section the demo's agent is configured with. */
  section: SectionInput;
  /** The seams its driver must be handed to reach the emulator (each seam is one emulator's). */
  overrides: DriverOverrides;
  /** Where it is, for the demo's first line (e.g. "printer on /dev/posdiag-sim-printer"); none: not said. */
  shown?: string;
  /** The demo's scripted events on this device (ms after the start). */
  scenario: readonly ScenarioStep[];
  close(): void;
}

export interface ScenarioStep {
  atMs: number;
  say: string;
  act(): void;
}
