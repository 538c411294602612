import type { AgentStatus } from '../agent.js';
import type { Readings } from '../core/readings.js';
import type { TerminalIdentity } from '../core/terminal-identity.js';
import type { Catalog } from '../faults/catalog.js';
import type { ActiveFault } from '../faults/types.js';
import type { OutboxStats } from '../report/outbox-contract.js';
import type { LockState } from '../repair/terminal-lock.js';
import type { WorkOrder } from '../repair/work-order.js';
import type { Category, LocalizedText, Severity } from 'posdiag-protocol';

/**
 * The answer to `status` (control API) and what `posdiag status` shows: live readings, each open fault
 * with since when and its merchant steps in both languages, the link to the hub and the outbox. The
 * daemon answers from its live state; without a daemon the CLI builds the same from one poll.
 */
export interface StatusAnswer {
  source: 'daemon' | 'one poll';
  terminal: TerminalIdentity;
  at: string;
  readings: Readings;
  faults: StatusFault[];
  uplink: UplinkView;
  /** null when the outbox could not be read (one poll without access to the state dir). */
  outbox: OutboxStats | null;
  /** The families' merchant hints (a damaged card, not the reader): the daemon's, from its recent swipes. */
  hints?: LocalizedText[];
  /** The hub's lock on the terminal (from the state dir in one poll). */
  lock: LockState;
  /** The work order the hub last told of, or null. */
  workOrder: WorkOrder | null;
}

export interface StatusFault {
  code: string;
  instance: string | null;
  category: Category;
  severity: Severity;
  inhibitedBy: string | null;
  /** When its condition began to hold (ISO); null from one poll, which cannot know. */
  since: string | null;
  flapping?: true;
  remediation: { text: LocalizedText; automatic: boolean }[];
}

export type UplinkViewState = 'connected' | 'connecting' | 'disconnected' | 'not configured' | 'not running';

export interface UplinkView {
  state: UplinkViewState;
  /** The hub's latest ack (ISO); null before the first, or with no link. */
  lastAckAt: string | null;
  /** Reports the hub has not acknowledged yet; null when no uplink runs. */
  pending: number | null;
  /** The hub in use (of the link, the attempt under way, or the next attempt); only while the uplink runs. */
  url?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A fault as the rule engine reports it: firing (with since) in the daemon, holding now in one poll. */
type OpenFault = Pick<ActiveFault, 'code' | 'instance' | 'category' | 'severity' | 'inhibitedBy'> & { since?: number; flapping?: boolean };

function statusFault(fault: OpenFault, catalog: Catalog): StatusFault {
  return {
    code: fault.code,
    instance: fault.instance,
    category: fault.category,
    severity: fault.severity,
    inhibitedBy: fault.inhibitedBy,
    since: fault.since === undefined ? null : iso(fault.since),
    ...(fault.flapping ? { flapping: true as const } : {}),
    remediation: (catalog.get(fault.code)?.remediation ?? []).map((s) => ({ text: s.text, automatic: s.automatic })),
  };
}

/** The daemon's answer, from its live state. */
export function daemonStatusAnswer(status: AgentStatus, catalog: Catalog): StatusAnswer {
  const link = status.uplink;
  const uplink: UplinkView = link
    ? {
        state: link.connected ? 'connected' : link.state === 'closed' ? 'disconnected' : 'connecting',
        lastAckAt: link.lastAckAt === null ? null : iso(link.lastAckAt),
        pending: link.pending,
        url: link.url,
      }
    : { state: 'not configured', lastAckAt: null, pending: null };
  const hints = status.hints.length ? { hints: status.hints } : {};
  return { source: 'daemon', terminal: status.terminal, at: status.at, readings: status.readings, faults: status.faults.map((f) => statusFault(f, catalog)), uplink, outbox: status.outbox, lock: status.lock, workOrder: status.workOrder, ...hints };
}

/** Without a daemon: one poll's readings and faults, the outbox as it lies on disk, and no link running. */
export function onePollStatusAnswer(
  poll: { terminal: StatusAnswer['terminal']; finishedAt: string; readings: Readings; faults: OpenFault[] },
  outbox: OutboxStats | null,
  repair: { lock: LockState; workOrder: WorkOrder | null },
  uplinkConfigured: boolean,
  catalog: Catalog,
): StatusAnswer {
  return {
    source: 'one poll',
    terminal: poll.terminal,
    at: poll.finishedAt,
    readings: poll.readings,
    faults: poll.faults.map((f) => statusFault(f, catalog)),
    uplink: { state: uplinkConfigured ? 'not running' : 'not configured', lastAckAt: null, pending: null },
    outbox,
    lock: repair.lock,
    workOrder: repair.workOrder,
  };
}
