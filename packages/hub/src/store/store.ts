import type { Silence, SilenceInput } from '../notify/silences.js';
import type { Category, Clock, Report, Severity } from 'posdiag-protocol';
import type { Fleet, FleetJob } from '../fleet/fleet.js';
import type { Role } from '../operators/roles.js';
import type { AlarmKey, AlarmLogEntry, AlarmQuery, AlarmRecord, AlarmWrite } from '../alarms/alarm.js';
import type { AttachmentInfo, SpareRecord, SwapRecord, WorkOrderLogEntry, WorkOrderQuery, WorkOrderRecord, WorkOrderWrite } from '../workorders/work-order.js';

/**
 * What the hub stores, behind one interface with two backends (docs/scale.md): SQLite in one file, the
 * embedded default (sqlite/sqlite-store.ts), and PostgreSQL for a fleet served by many hub processes
 * (postgres/pg-store.ts). Both keep the same invariants, and one test suite runs over both:
 *
 * - each report id is stored once, for the (terminal, seq) it first came with; a later report with the
 *   same id is a `duplicate` when it matches and a `conflict` (never acked) when it does not;
 * - `faults` holds the latest state per (terminal, code, instance) by seq: a raise or clear older than
 *   the one applied is ignored, and a cleared fault keeps its row, so a stale raise cannot reopen it;
 * - every method has committed before its promise resolves: an ack sent after `insertBatch` is an ack
 *   of data on disk.
 */
export interface HubStore {
  readonly backend: 'sqlite' | 'postgres';
  /**
   * Stores the reports in one transaction, in order (a report later in the batch sees the earlier ones),
   * and says what became of each. The group commit (group-commit.ts) is its only caller on the hot path.
   */
  insertBatch(items: readonly ReportToStore[]): Promise<InsertOutcome[]>;
  /** Highest seq stored for the terminal, 0 if none. */
  lastSeq(terminal: string): Promise<number>;
  /** When each terminal's latest report arrived, in ms since the epoch. */
  lastReceived(): Promise<Map<string, number>>;
  /** Whether the database answers a read now (GET /healthz); a closed or broken connection does not. */
  readable(): Promise<boolean>;
  /**
   * Stored reports, oldest first (by terminal, then seq, then arrival: a reset agent may reuse a seq), at
   * most `limit` of them after `after`. Keyset paging, so a page costs the same however deep it is and
   * reports stored meanwhile are neither skipped nor repeated.
   */
  reports(filter?: ReportFilter, page?: { after?: ReportCursor; limit?: number }): Promise<ReportPage>;
  /**
   * One terminal's reports newest first (by seq, then arrival), of one kind when given, at most `limit`
   * before `before` (the `next` of the page before): keyset paging for the console's report timeline.
   */
  recentReports(terminal: string, page: { kind?: Report['kind']; before?: ReportCursor; limit: number }): Promise<ReportPage>;
  /** Faults raised and not yet cleared, grouped by terminal, each with its latest verification. */
  openFaults(): Promise<Record<string, OpenFault[]>>;
  /** False when a bundle of that id was already stored (it is kept as it was). */
  putBundle(info: BundleInfo, data: Buffer): Promise<boolean>;
  /** Oldest first, without their bytes. */
  listBundles(terminal?: string): Promise<BundleInfo[]>;
  getBundle(id: string): Promise<(BundleInfo & { data: Buffer }) | undefined>;

  /**
   * `holder` takes the terminal (it just connected there), whoever held it: a terminal that reconnects
   * elsewhere is taken over at once. Renews the holder's lease too. Says who held it before and whether
   * it was silent.
   */
  holdTerminal(terminal: string, holder: string, nowMs: number, leaseMs: number): Promise<HoldOutcome>;
  /** The connection on `holder` ended: the terminal is held by nobody, unless another hub has taken it meanwhile. */
  releaseTerminal(terminal: string, holder: string, lastHeardMs: number): Promise<void>;
  /**
   * A hub starting under `holder`'s name holds nothing yet: whatever its previous run held when it
   * stopped or died is released, or the new run's lease would keep those terminals "held" for ever.
   */
  releaseAllHeldBy(holder: string): Promise<void>;
  /**
   * A hub holds every terminal it took for as long as it renews its one lease (table `hubs`): one row per
   * hub, not per terminal. `heard`: when some of its terminals were last heard, written back too.
   */
  renewLeases(holder: string, heard: ReadonlyMap<string, number>, nowMs: number, leaseMs: number): Promise<void>;
  /** Every terminal ever heard from (or only `terminal`), by id. */
  presence(terminal?: string): Promise<PresenceRow[]>;
  /** Of the terminals with a presence row: how many a hub holds on a live lease at `nowMs`, and how many are marked silent and not held. */
  presenceCounts(nowMs: number): Promise<{ connected: number; silent: number }>;
  /**
   * Marks silent, and returns, each terminal not yet silent, last heard at or before `heardBeforeMs`, with
   * no live lease at `nowMs`, and not in `exclude` (the caller's own connections, whose write-back may lag).
   */
  markSilent(heardBeforeMs: number, nowMs: number, exclude: readonly string[]): Promise<{ terminal: string; lastHeard: number }[]>;
  /** The terminal was revoked: it is never announced silent. */
  forgetTerminal(terminal: string): Promise<void>;

  recordCommand(command: CommandRecord): Promise<void>;
  updateCommand(id: string, change: CommandChange): Promise<void>;
  command(id: string): Promise<CommandRecord | undefined>;
  /** The ids of the terminal's commands still queued, oldest first. */
  queuedCommands(terminal: string): Promise<string[]>;

  /**
   * Retention (fleet/retention.ts, `--retain`, `--retain-bundles`): removes what arrived before
   * `olderThanMs` (ms since the epoch; 0 removes nothing by age): reports with their ids, bundles,
   * commands posted, the alert stream's shared events; then, with `bundleBytes`, the oldest bundles
   * until the rest fit in that many bytes. It works in bounded batches, so ingest goes on meanwhile,
   * and stops between batches once `signal` aborts (hub close), saying what went so far.
   *
   * Kept whatever their age: `faults` (the current state, not history: an old raise still open stays
   * open) and presence. PostgreSQL drops reports by whole day partitions: a report goes once all of its
   * UTC day is before the cutoff, so it may stay up to a day longer. A SQLite terminal whose reports
   * are all gone starts again from lastSeq 0 (its next report shows a seq gap); PostgreSQL keeps the
   * last seq in `terminal_seqs`.
   *
   * Dedup: a pruned report's id is forgotten with it, so the same report sent again would be stored
   * again. With a sane `--retain` that cannot happen: an agent resends only reports not yet acked.
   */
  prune(olderThanMs: number, bundleBytes?: number, signal?: AbortSignal): Promise<PruneResult>;
  /**
   * Claims this period's run of a periodic fleet job: true (and noted) when it last ran, on any hub,
   * at least `everyMs` before `nowMs`, or never. One statement, so of hubs claiming at once one wins.
   */
  claimRun(job: FleetJob, nowMs: number, everyMs: number): Promise<boolean>;

  /** What the hub processes on this database share besides it (fleet/fleet.ts); `clock` dates its events. */
  openFleet(instance: string, clock: Clock): Promise<Fleet>;
  /** Operators: users, their API tokens and sessions, the audit log (operators/). */
  readonly operators: OperatorStore;
  /** The notifications' delivery queue and its log (notify/delivery-worker.ts). */
  readonly deliveries: DeliveryStore;
  /** Alarms, their logs, and the terminals' labels (alarms/). */
  readonly alarms: AlarmStore;
  /** Each terminal's inventory as its agent's latest hello said it (terminal-inventory.ts). */
  readonly inventory: InventoryStore;
  /** The notifications' silences (notify/silences.ts), which every hub's dispatcher reads. */
  readonly silences: SilenceStore;
  /** Work orders, their history, swaps and the spare pool (workorders/). */
  readonly workorders: WorkOrderStore;
  close(): Promise<void>;
}

/**
 * The store's part for work orders (workorders/): at most one open order per (terminal, code) (a
 * unique index says so), its append-only history, the spare units swapped into slots, and the pool of
 * units taken out. As with alarms, every change of an order is the caller's pure decision on what is
 * stored, written in the transaction that read it (the order's row, or its key, locked meanwhile).
 */
export interface WorkOrderStore {
  /** Decides on the open order of (terminal, code) (undefined when none) and writes the result, creating it when there was none. */
  updateOpen(terminal: string, code: string, decide: (current: WorkOrderRecord | undefined) => WorkOrderWrite | null): Promise<WorkOrderRecord | null>;
  /** The same on the order of that id; undefined when there is none. */
  updateById(id: number, decide: (current: WorkOrderRecord) => WorkOrderWrite | null): Promise<WorkOrderRecord | null | undefined>;
  get(id: number): Promise<WorkOrderRecord | undefined>;
  byToken(token: string): Promise<WorkOrderRecord | undefined>;
  /** By its short reference (`WO-…`, unique): what a merchant reads out from the self-test receipt. */
  byRef(ref: string): Promise<WorkOrderRecord | undefined>;
  /** Newest first, at most `limit`. */
  list(query: WorkOrderQuery): Promise<WorkOrderRecord[]>;
  /** The terminal's orders neither closed nor cancelled, oldest first. */
  openFor(terminal: string): Promise<WorkOrderRecord[]>;
  /** The orders a unit was in: opened on its serial, or with it in the slot now. Oldest first. */
  ofSerial(serial: string): Promise<WorkOrderRecord[]>;
  log(id: number): Promise<WorkOrderLogEntry[]>;
  appendLog(id: number, entry: WorkOrderLogEntry): Promise<void>;
  /**
   * Claims the SLA breaches due at `nowMs` (sla.ts): `accept`, open orders still submitted past their
   * acceptDueAt; `resolve`, open orders not yet verified past their resolveDueAt; each not claimed
   * before. The same statement stamps and returns them, so of hubs claiming at once each goes to one.
   */
  claimBreaches(which: 'accept' | 'resolve', nowMs: number): Promise<WorkOrderRecord[]>;
  addSwap(swap: Omit<SwapRecord, 'id'>): Promise<SwapRecord>;
  /** The swaps of an order, or those a serial took part in (either side), oldest first. */
  swaps(filter: { orderId: number } | { serial: string }): Promise<SwapRecord[]>;
  /** Completes the terminal's swaps to `serial` not yet complete: its acceptance self-test passed. */
  completeSwaps(terminal: string, serial: string, selfTestId: string, atMs: number): Promise<SwapRecord[]>;
  /** Adds the unit to the pool or changes its state there. */
  putSpare(spare: SpareRecord): Promise<void>;
  spare(serial: string): Promise<SpareRecord | undefined>;
  /** The pool, by serial. */
  spares(): Promise<SpareRecord[]>;
  /** Stores a file of the order with its log entry, in one transaction. */
  addAttachment(a: Omit<AttachmentInfo, 'id'>, data: Buffer, entry: (id: number) => WorkOrderLogEntry): Promise<AttachmentInfo>;
  /** The order's files (without their bytes), oldest first. */
  attachments(orderId: number): Promise<AttachmentInfo[]>;
  /** One file of the order with its bytes. */
  attachment(orderId: number, id: number): Promise<{ info: AttachmentInfo; data: Buffer } | undefined>;
}

/** The store's part for silences: made, expired and listed through the API, read by every hub. Times are ms. */
export interface SilenceStore {
  /** Stores a checked silence (notify/silences.ts checkSilence) and returns it with its id. */
  add(silence: SilenceInput): Promise<Silence>;
  /** Ends the silence at `nowMs` (one not started yet never starts); undefined when there is none of that id. */
  expire(id: string, nowMs: number): Promise<Silence | undefined>;
  /** Every silence ending after `endedAfterMs`, oldest first. */
  list(endedAfterMs: number): Promise<Silence[]>;
}

/** What an agent's hello says of its terminal: the fields it did not send are null. */
export interface InventoryFacts {
  model: string | null;
  serial: string | null;
  firmware: string | null;
  agentVersion: string;
}

export interface InventoryRecord extends InventoryFacts {
  /** ms since the epoch: when the facts last changed (a hello saying the same again leaves it). */
  updatedAt: number;
}

/** The store's part for the terminals' inventory: one row per terminal, the latest hello's facts. */
export interface InventoryStore {
  /** Stores the facts when they differ from the terminal's row (or it has none), in one statement: true when written. */
  record(terminal: string, facts: InventoryFacts, atMs: number): Promise<boolean>;
  all(): Promise<Map<string, InventoryRecord>>;
  /**
   * One page of the console's terminals at a time: for each of `terminals`, its inventory (null
   * without one), labels ({} without) and active alarms not closed. Reads those terminals' rows only.
   */
  cards(terminals: readonly string[]): Promise<Map<string, TerminalCard>>;
  /**
   * The terminals, by id, after `after` (null: from the first), whose serial, model or a label's value
   * contains `needle`, ignoring case; at most `limit`. Only terminals with an inventory row or labels
   * can match (a match on the id alone is the caller's, which knows every terminal).
   */
  search(needle: string, after: string | null, limit: number): Promise<string[]>;
}

export interface TerminalCard {
  inventory: InventoryRecord | null;
  labels: Record<string, string>;
  openAlarms: number;
}

/** `needle` as a LIKE pattern that matches it anywhere, its own % _ and \ taken literally (ESCAPE '\'). */
export function containsPattern(needle: string): string {
  return `%${needle.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The store's part for alarms (alarms/): one alarm per (terminal, code, instance) while not closed (a
 * unique index says so), its append-only log, and the labels operators give terminals. Every change goes
 * through `updateOpen` or `updateById`: the alarm is locked, the caller's pure decision (alarms/
 * transitions.ts) is made on what is stored, and its result written, in one transaction.
 */
export interface AlarmStore {
  /**
   * Decides on the open alarm of `key` (undefined when none) with `lastHeard` (when the terminal was last
   * heard, from presence; null if never) and writes the result, creating the alarm when there was none.
   * Null when `decide` changed nothing.
   */
  updateOpen(key: AlarmKey, decide: (current: AlarmRecord | undefined, lastHeard: number | null) => AlarmWrite | null): Promise<AlarmRecord | null>;
  /** The same on the alarm of that id, closed or not; undefined when there is no such alarm. */
  updateById(id: number, decide: (current: AlarmRecord) => AlarmWrite | null): Promise<AlarmRecord | null | undefined>;
  alarm(id: number): Promise<AlarmRecord | undefined>;
  /** The alarm's log, oldest first. */
  log(id: number): Promise<AlarmLogEntry[]>;
  /** Newest first (by id), at most `limit`. */
  list(query: AlarmQuery): Promise<AlarmRecord[]>;
  /**
   * Claims the reminders due: active alarms of `code`, not closed, last reminded (or, never reminded,
   * last raised) at or before `dueAtOrBeforeMs`. They are stamped `remindedAt = nowMs` by the same
   * statement that returns them, so of hubs claiming at once each reminder goes to one.
   */
  claimReminders(code: string, dueAtOrBeforeMs: number, nowMs: number): Promise<AlarmRecord[]>;
  /** Active alarms not closed, per terminal (terminals without any are absent). */
  openCounts(): Promise<Map<string, number>>;
  /** Active alarms not closed, per (severity, code) that has any (GET /metrics). */
  openByKind(): Promise<OpenAlarmCount[]>;
  /**
   * The console's overview in a few aggregate queries: active alarms not closed by severity and by
   * category; of the alarms whose onset is at or after `sinceMs`, how many per UTC day (day = the
   * onset's ms since the epoch divided by 86,400,000, rounded down); of those at or after `weekMs`, the
   * most frequent codes and the models (terminal inventory) with the most, `top` of each, most first,
   * ties by name.
   */
  stats(query: { sinceMs: number; weekMs: number; top: number }): Promise<AlarmStats>;
  /** Replaces the terminal's labels (an empty object removes them). */
  setLabels(terminal: string, labels: Record<string, string>): Promise<void>;
  /** Every labelled terminal's labels. */
  labels(): Promise<Map<string, Record<string, string>>>;
  /** One terminal's labels (`{}` when it has none): what the notifier adds to its alerts. */
  labelsOf(terminal: string): Promise<Record<string, string>>;
  /**
   * In one transaction, each of the terminals' labels become what `next` makes of its current ones (`{}`
   * when it has none; an empty result removes them). When `next` throws, nothing changes and the
   * promise rejects with what it threw (the CSV import's all-or-nothing).
   */
  updateLabels(terminals: readonly string[], next: (terminal: string, current: Record<string, string>) => Record<string, string>): Promise<void>;
  /** One stored report by id: the evidence of the alarm it raised. */
  report(id: string): Promise<StoredReport | undefined>;
  /** The terminal's latest self-test (highest seq). */
  latestSelfTest(terminal: string): Promise<StoredReport | undefined>;
}

export interface AlarmStats {
  openBySeverity: Partial<Record<Severity, number>>;
  openByCategory: Partial<Record<Category, number>>;
  perDay: { day: number; count: number }[];
  topCodes: { code: string; count: number }[];
  topModels: { model: string; count: number }[];
}

export interface OpenAlarmCount {
  severity: Severity;
  code: string;
  count: number;
}

/**
 * The store's part for operators (operators/): users and their roles, personal API tokens and console
 * sessions (each kept only as the SHA-256 of its secret), and the append-only audit log. Times are ms
 * since the epoch.
 */
export interface OperatorStore {
  /** False when a user of that name exists already (it is kept as it was). */
  addUser(user: UserRecord): Promise<boolean>;
  user(name: string): Promise<UserRecord | undefined>;
  /** By name. */
  users(): Promise<UserRecord[]>;
  /** Whether any user was ever added (a disabled one counts: the API stays closed). */
  anyUsers(): Promise<boolean>;
  /** False when there is no such user. Disabling also ends the user's sessions. */
  setUserDisabled(name: string, disabled: boolean): Promise<boolean>;
  setPasswordHash(name: string, passwordHash: string): Promise<void>;

  addToken(token: ApiTokenRecord & { hash: string }): Promise<void>;
  /** The live (not revoked) token with this hash, and its user. */
  tokenByHash(hash: string): Promise<{ token: ApiTokenRecord; user: UserRecord } | undefined>;
  /** The user's tokens, revoked ones too, oldest first. */
  tokens(user: string): Promise<ApiTokenRecord[]>;
  tokenUsed(id: string, atMs: number): Promise<void>;
  /** False when the user has no live token of that id. */
  revokeToken(user: string, id: string, atMs: number): Promise<boolean>;

  addSession(session: SessionRecord & { hash: string }): Promise<void>;
  /** The session with this hash and its user, whatever its expiry (the caller judges it). */
  session(hash: string): Promise<{ session: SessionRecord; user: UserRecord } | undefined>;
  endSession(hash: string): Promise<void>;
  /** Removes sessions expired at `nowMs`; says how many. */
  pruneSessions(nowMs: number): Promise<number>;

  /** Appends one entry; returns its id (ids grow: the newest has the highest). */
  appendAudit(entry: Omit<AuditEntry, 'id'>): Promise<number>;
  /** Newest first, at most `limit`, before `before` (an id: keyset paging). */
  audit(query: AuditQuery): Promise<AuditEntry[]>;
}

/**
 * The store's part for the notifications' delivery queue (notify/delivery-worker.ts): each (receiver,
 * notification) waits here until it is settled, across hub restarts. Hubs claim due deliveries under a
 * lease, so one hub at a time sends each; a claim whose hub died is free again when its lease runs out.
 * Every attempt's outcome is kept, found by the keys of the alerts the notification carried. Times are
 * ms since the epoch.
 */
export interface DeliveryStore {
  /**
   * Queues one delivery, pending from `dueAt`; returns its id. With `once`, in the same transaction: null
   * (nothing queued) when a delivery under the same `once.key` with the same `once.fingerprint` was queued
   * less than `once.windowMs` before `createdAt`, by any hub; else the log notes this one (Alertmanager's
   * notification log, shared through the database rather than gossip).
   */
  enqueue(delivery: NewDelivery, once?: EnqueueOnce): Promise<number | null>;
  /**
   * Takes one of a receiver's `perMinute` sends in the window of `windowMs` that is open at `nowMs` (a
   * window opens with the first send after the last one closed), for every hub at once: true when taken,
   * else when the full window closes. One statement, so hubs taking at once never take more than the limit.
   */
  takeSendSlot(receiver: string, nowMs: number, perMinute: number, windowMs: number): Promise<true | { opensAt: number }>;
  /**
   * Claims for `holder`, until `nowMs + leaseMs`, up to `limit` deliveries pending or held and due at
   * `nowMs` that nobody holds a live claim on, oldest due first. One statement: of hubs claiming at
   * once, each delivery goes to one.
   */
  claimDue(holder: string, nowMs: number, leaseMs: number, limit: number): Promise<QueuedDelivery[]>;
  /** Logs an attempt and ends `holder`'s claim with the delivery's next state (pending or held again at `dueAt`, or done). */
  settle(id: number, holder: string, attempt: DeliveryAttempt, next: DeliveryNext): Promise<void>;
  /** A hub starting under `holder`'s name holds no claim yet: its previous run's are freed. */
  releaseClaims(holder: string): Promise<void>;
  /** When the earliest delivery pending or held falls due; null when none waits. */
  nextDue(): Promise<number | null>;
  /** Every delivery that carried the alert of `alertKey` (terminal|code|instance), oldest first, with its attempts. */
  deliveriesFor(alertKey: string): Promise<DeliveryRecord[]>;
}

/** pending: to send; held: over its receiver's rate limit, to fold into a summary; the rest are done. */
export type DeliveryState = 'pending' | 'held' | 'delivered' | 'failed' | 'folded';
export type AttemptOutcome = 'delivered' | 'retry' | 'failed' | 'held' | 'folded';

export interface NewDelivery {
  receiver: string;
  alertKeys: readonly string[];
  /** The wire Notification (notify/receivers), JSON. */
  payload: string;
  createdAt: number;
  dueAt: number;
}

export interface EnqueueOnce {
  /** What the notice is for: its receiver and group key. */
  key: string;
  /** What it says: its status and its alerts' keys and statuses. */
  fingerprint: string;
  windowMs: number;
}

export interface QueuedDelivery {
  id: number;
  receiver: string;
  payload: string;
  state: 'pending' | 'held';
  /** Sends tried so far. */
  attempts: number;
  alertKeys: string[];
}

export interface DeliveryAttempt {
  at: number;
  /** The hub instance that made it. */
  hub: string;
  outcome: AttemptOutcome;
  /** A receiver's answer or why it was not sent, one line. */
  detail: string;
}

export interface DeliveryNext {
  state: DeliveryState;
  /** When a pending or held delivery is due again. */
  dueAt?: number;
  attempts: number;
}

export interface DeliveryRecord {
  id: number;
  receiver: string;
  state: DeliveryState;
  createdAt: number;
  attempts: DeliveryAttempt[];
}

export interface UserRecord {
  name: string;
  role: Role;
  /** passwords.ts's stored form (scrypt with its parameters). */
  passwordHash: string;
  disabled: boolean;
  createdAt: number;
}

export interface ApiTokenRecord {
  id: string;
  user: string;
  name: string;
  createdAt: number;
  lastUsed: number | null;
  revokedAt: number | null;
}

export interface SessionRecord {
  user: string;
  createdAt: number;
  expiresAt: number;
  remote: string | null;
}

export type AuditOutcome = 'ok' | 'denied' | 'failed';

export interface AuditEntry {
  id: number;
  at: number;
  /** A user's name, "api-token-file", "loopback" (the open API), "cli:OSUSER", or "unknown" (refused). */
  principal: string;
  /** e.g. login, user.add, user.disable, token.issue, token.revoke, command.post, or METHOD /path. */
  action: string;
  target: string | null;
  /** The remote address; null for the CLI. */
  remote: string | null;
  outcome: AuditOutcome;
  /** Why it failed, or what it did (a command's name and id), as text. */
  detail: string | null;
}

export interface AuditQuery {
  principal?: string;
  action?: string;
  sinceMs?: number;
  before?: number;
  limit: number;
}

/** What one prune removed. */
export interface PruneResult {
  reports: number;
  bundles: number;
  commands: number;
  /** Deliveries settled (delivered, failed, folded) and made before the cutoff, with their attempts; waiting ones stay. */
  deliveries: number;
  /** Audit entries before the cutoff. */
  audit: number;
  /** Silences that ended before the cutoff. */
  silences: number;
  /** The alert stream's events kept for the other hubs (PostgreSQL; SQLite keeps none). */
  events: number;
}

export interface HoldOutcome {
  previousHolder: string | null;
  wasSilent: boolean;
}

export interface PresenceRow {
  terminal: string;
  /** The hub instance holding its connection; null when none does. */
  holder: string | null;
  /** When the holder's lease runs out, in ms since the epoch: it holds the terminal until then. */
  leaseExpires: number | null;
  lastHeard: number;
  silent: boolean;
}

export type CommandState = 'queued' | 'sent' | 'succeeded' | 'failed' | 'undeliverable';

/** A command posted to a terminal, and what became of it: the same from every hub. */
export interface CommandRecord {
  id: string;
  terminal: string;
  name: string;
  args: unknown;
  state: CommandState;
  /** Hub instances, and ms since the epoch. */
  postedBy: string;
  postedAt: number;
  sentBy: string | null;
  sentAt: number | null;
  finishedAt: number | null;
  /** The agent's detail, or why it could not be delivered. */
  detail: string | null;
}

export type CommandChange = Partial<Pick<CommandRecord, 'state' | 'sentBy' | 'sentAt' | 'finishedAt' | 'detail'>>;

const COMMAND_COLUMNS = { state: 'state', sentBy: 'sent_by', sentAt: 'sent_at', finishedAt: 'finished_at', detail: 'detail' } as const;

/** The columns a CommandChange sets, and their values, for either backend's UPDATE. */
export function changedColumns(change: CommandChange): [column: string, value: string | number | null][] {
  return (Object.keys(COMMAND_COLUMNS) as (keyof CommandChange)[]).filter((k) => change[k] !== undefined).map((k) => [COMMAND_COLUMNS[k], change[k]!]);
}

/**
 * The ids of the bundles beyond `prune`'s size bound: summed from the newest, every bundle from the one
 * that passes the bound on, so the oldest go first. `bound` is the backend's placeholder for the bytes.
 */
export const bundlesBeyond = (bound: string) =>
  `SELECT id FROM (SELECT id, sum(size) OVER (ORDER BY received_at DESC, id DESC) AS newer FROM bundles) s WHERE newer > ${bound}`;

export interface ReportToStore {
  report: Report;
  /** ISO 8601, with milliseconds. */
  receivedAt: string;
}

/** A stored report as the API and `onStored` show it: the report's own fields plus when the hub got it. */
export type StoredReport = Report & { receivedAt: string };

/** Seqs missing between the highest seq stored before and the report just stored (inclusive). */
export interface SeqGap {
  from: number;
  to: number;
}

export type InsertOutcome =
  | {
      status: 'stored';
      row: StoredReport;
      /** Set when the report's seq jumps past lastSeq + 1. */
      gap: SeqGap | null;
      /** Another id already holds this (terminal, seq): the agent's sequence was reset. */
      seqReused: boolean;
      /** For fault reports: whether it changed the fault's state ('stale' = a newer seq already did). */
      fault: 'applied' | 'stale' | null;
    }
  | { status: 'duplicate' }
  /** The id is stored already, but for another terminal or seq: never acked as a duplicate. */
  | { status: 'conflict'; existing: { terminal: string; seq: number } };

export interface OpenFault {
  code: string;
  instance: string | null;
  severity: Severity;
  category: Category;
  since: string;
  inhibitedBy: string | null;
  reportId: string;
  seq: number;
  /** The latest self-test that verified this fault after it was raised (SelfTestResult.verification); absent if none did. */
  verification?: FaultVerification;
}

/** A self-test's verdict on one open fault: whether the test still found it, and how the test went. */
export interface FaultVerification {
  reportId: string;
  ref: string | null;
  level: string;
  at: string;
  passed: boolean;
  stillPresent: boolean;
}

export interface ReportFilter {
  terminal?: string;
  /** Only these terminals' reports (the API's `label.KEY=` filter, resolved); [] matches none. */
  terminals?: readonly string[];
  kind?: Report['kind'];
  /** A self-test's short reference (its receipt's "Ref"), uppercase hex. */
  ref?: string;
}

/** Where a page of reports ended: the next page starts after it. */
export interface ReportCursor {
  terminal: string;
  seq: number;
  /** The backend's arrival order of the last report (SQLite's rowid, PostgreSQL's identity column). */
  arrival: number;
}

export interface ReportPage {
  reports: StoredReport[];
  /** Set when there may be more after this page. */
  next: ReportCursor | null;
}

export interface BundleInfo {
  id: string;
  terminal: string;
  receivedAt: string;
  size: number;
  sha256: string;
}

/** A database whose schema a newer hub wrote: this hub must not touch it (hub-command.ts: exit 78). */
export class SchemaTooNewError extends Error {
  constructor(found: number, known: number) {
    super(`the hub database has schema version ${found}, newer than this hub's ${known}: run a posdiag-hub at least as new as the one that upgraded it`);
    this.name = 'SchemaTooNewError';
  }
}

/** The deliveries retention may drop: settled, and made before the cutoff (`bound` its placeholder). */
export const SETTLED_BEFORE = (bound: string) => `state IN ('delivered', 'failed', 'folded') AND created_at < ${bound}`;
