import type { DeviceKind } from '../devices/kinds.js';

/**
 * A reading is one named observation (SPEC §4), e.g. `printer.paper = "end"`. A name that is absent
 * means "not reported", never zero or OK. Device faults are readings, not exceptions.
 */
export type ReadingValue = boolean | number | string;
export type Readings = Record<string, ReadingValue>;

/** The terminal's merged readings at one moment (the monitor keeps a ring of them; repair requests show them). */
export interface ReadingSnapshot {
  at: number;
  readings: Readings;
}

/** The device kinds are the device families' (src/devices/), and the agent's own. */
export type { DeviceKind };

/** Who a device is: what the rule engine compares for identity changes and what a repair request names. */
export interface DeviceIdentity {
  kind: DeviceKind;
  vendor?: string;
  model?: string;
  serial?: string;
  firmware?: string;
  /** Transport address, e.g. "/dev/ttyS1" or "usb:04b8:0e15". */
  address?: string;
}

/** A problem reading one value (a malformed sysfs file, garbage on a line): the value is left out. */
export interface ReadingProblem {
  reading?: string;
  message: string;
}

/**
 * Something a driver did by itself to bring its device back (first-line self-recovery: a reopen, an
 * ESC/POS DLE ENQ), with its outcome. Fault reports carry these as the steps the agent already tried.
 */
export interface DriverAction {
  /** Short machine name, e.g. "printer.reopen" or "printer.recover". */
  action: string;
  /** ISO 8601 time of the attempt. */
  at: string;
  ok: boolean;
  detail?: string;
  /** The readings the action was meant to fix, e.g. ["printer.cutter_error"]: reports cite it for faults on them. */
  readings: string[];
}

/** What one poll (or one unsolicited device event) of one driver yields. */
export interface Observation {
  readings: Readings;
  identity?: DeviceIdentity;
  problems?: ReadingProblem[];
  /** Raw protocol evidence for reports, e.g. `{ "printer.status_hex": "72" }`. Never card data. */
  evidence?: Record<string, string>;
  /** Self-recovery attempts made since the driver's previous observation, oldest first. */
  actions?: DriverAction[];
}
