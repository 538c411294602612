import type { DeviceKind, Readings } from '../core/readings.js';
import type { Category, LocalizedText, Severity } from 'posdiag-protocol';

/** One entry of the fault catalog (SPEC §5): what a code means and what to do about it. */
export interface CatalogEntry {
  code: string;
  device: DeviceKind;
  category: Category;
  severity: Severity;
  /** One merchant-readable line: what is wrong. */
  summary: LocalizedText;
  /** Merchant steps first; `automatic` steps are the ones the agent tries by itself. */
  remediation: { text: LocalizedText; automatic: boolean }[];
  needsTechnician: boolean;
  /** What a technician checks (parts, measurements), in both languages; every built-in code has some. */
  technicianHints?: LocalizedText[];
}

/** What the rule engine emits when a fault changes state (Prometheus: firing / resolved). */
export interface FaultEvent {
  code: string;
  /** e.g. the interface or target name for per-instance rules; null for single-instance faults. */
  instance: string | null;
  state: 'raised' | 'cleared';
  category: Category;
  severity: Severity;
  /** ms epoch: when the condition began to hold (raised) or stopped holding (cleared). */
  since: number;
  /** ms epoch: the evaluation time that produced the event. */
  at: number;
  /** Code of a firing fault that explains this one; an inhibited fault is reported, never alerted. */
  inhibitedBy: string | null;
  /** The readings the rule looked at, as they were at `at`. */
  evidence: Readings;
  /** Present (true) when the fault toggled too often and is held firing; see RuleEngine. */
  flapping?: boolean;
}

/** A fault that holds right now, as a self-test reports it (no `for` wait). */
export interface ActiveFault {
  code: string;
  instance: string | null;
  category: Category;
  severity: Severity;
  inhibitedBy: string | null;
  evidence: Readings;
}

/** A fault firing now, as the engine last reported it (status, heartbeats). */
export interface FiringFault extends ActiveFault {
  /** ms epoch: when its condition began to hold. */
  since: number;
  /** Present (true) while it is held firing as flapping. */
  flapping?: boolean;
}
