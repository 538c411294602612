import type WebSocket from 'ws';
import type { Clock } from 'posdiag-protocol';
import type { Logger } from './logger.js';
import type { AgentMessage, Report } from 'posdiag-protocol';
import { decodeAgentFrame, truncateReason } from './agent-frame.js';
import { sendHubMessage, type AgentRegistry } from './agent-registry.js';
import { CLOSE_TRY_AGAIN } from 'posdiag-protocol';
import type { KeepAliveSweep } from './keep-alive.js';
import { inventoryFacts } from './terminal-inventory.js';
import type { BundleIntake, ChunkReceiver } from './bundle-intake.js';
import type { CommandDispatch } from './fleet/commands.js';
import type { TerminalPresence } from './fleet/terminal-presence.js';
import type { GroupCommit } from './store/group-commit.js';
import type { HubStore, InsertOutcome, InventoryFacts, SeqGap, StoredReport } from './store/store.js';

/** What the hub learned from storing a report, besides the report itself. */
export interface StoredMeta {
  /** A non-inhibited fault was raised (or re-raised): the provider should hear about it now. */
  alert: boolean;
  /** A non-inhibited fault cleared (not a stale update): the provider should hear that too. */
  cleared: boolean;
  gap: SeqGap | null;
}

export interface AgentContext {
  store: HubStore;
  /** Where reports are stored: one transaction for all that arrive together. */
  commits: GroupCommit;
  registry: AgentRegistry;
  bundles: BundleIntake;
  clock: Clock;
  /** Pings every connection; one that has not answered a ping by the next is handed to dropDeadAgent. */
  keepAlive: KeepAliveSweep;
  pingIntervalMs: number;
  log: Logger;
  /** The terminal connected here (this hub takes its lease), showed signs of life, or left this hub. */
  presence: Pick<TerminalPresence, 'connected' | 'heard' | 'disconnected'>;
  commands: Pick<CommandDispatch, 'connected' | 'finished'>;
  /** Before the welcome: what must reach the terminal first (a lost terminal's lock, workorders/lost.ts). */
  connecting?(terminal: string, remote: string | null): Promise<void>;
  /** After the welcome and the queued commands (the terminal's work order reference). */
  welcomed?(terminal: string): Promise<void>;
  /** The connection's first hello, before its inventory is recorded (a swapped unit, workorders/). */
  hello?(terminal: string, facts: InventoryFacts): Promise<void>;
  /** Called after a new report is committed and acked. */
  stored(row: StoredReport, meta: StoredMeta): void;
}

/** The keep-alive's verdict on a connection that did not answer its ping: it is ended at once. */
export function dropDeadAgent(ctx: AgentContext, ws: WebSocket, terminal: string): void {
  // Forget it now rather than on the asynchronous 'close', so a command POSTed from here on gets 409.
  left(ctx, ws, terminal);
  ctx.log.warn({ terminal, pingIntervalMs: ctx.pingIntervalMs }, 'agent did not answer ping: connection dead, terminated');
  ws.terminate();
}

/** The connection ended or was dropped: when it was the terminal's current one here, the lease goes. */
function left(ctx: AgentContext, ws: WebSocket, terminal: string): void {
  if (!ctx.registry.remove(terminal, ws)) return;
  ctx.presence.disconnected(terminal).catch((err: unknown) => ctx.log.warn({ terminal, err: (err as Error).message }, 'lease not released: it lapses instead'));
}

/**
 * Serves one authenticated agent connection. Every report frame gets exactly one answer: `ack` for a
 * stored (or already stored) report, `error` when refused; any other frame is answered only by an
 * `error` when refused. A bad frame never closes the connection; only ws itself closes it for protocol
 * violations (e.g. 1009 for an oversize frame).
 */
export function serveAgent(ws: WebSocket, terminal: string, ctx: AgentContext, remote: string | null = null): void {
  /** `retryable`: the frame was fine and the hub could not take it now; else it is refused for good. */
  const refuse = (reason: string, ref: string | null, retryable = false) => {
    ctx.log.warn({ terminal, reason, ref, retryable }, 'frame refused');
    sendHubMessage(ws, { type: 'error', reason: truncateReason(reason), ref, retryable });
  };

  ctx.registry.add(terminal, ws);
  ctx.presence.connected(terminal).catch((err: unknown) => ctx.log.warn({ terminal, err: (err as Error).message }, 'lease not taken (database unavailable): other hubs cannot route commands to it until it reconnects'));
  ctx.keepAlive.watch(ws, terminal);
  /** Made at the first bundle chunk: most connections never send one. */
  let receiveChunk: ChunkReceiver | undefined;
  let inventoryTaken = false;
  const greeted = (ctx.connecting?.(terminal, remote) ?? Promise.resolve()).catch((err: unknown) =>
    ctx.log.error({ terminal, err: (err as Error).message }, 'what goes before the welcome was not sent'),
  );
  greeted.then(() => ctx.store.lastSeq(terminal)).then(
    (lastSeq) => {
      sendHubMessage(ws, { type: 'welcome', serverTime: new Date(ctx.clock.now()).toISOString(), lastSeq });
      ctx.log.info({ terminal, lastSeq }, 'agent connected');
      // After the welcome, which the agent waits for: commands queued for it while no hub delivered them.
      ctx.commands
        .connected(terminal)
        .then(() => ctx.welcomed?.(terminal))
        .catch((err: unknown) => ctx.log.error({ terminal, err: (err as Error).message }, 'queued commands not delivered'));
    },
    (err: unknown) => {
      // Without its lastSeq the agent cannot be welcomed: it reconnects, perhaps to a hub whose database answers.
      ctx.log.error({ terminal, err: (err as Error).message }, 'agent not welcomed: the database did not answer');
      ws.close(CLOSE_TRY_AGAIN, 'hub database unavailable');
    },
  );

  ws.on('message', (data, isBinary) => {
    // Closing (replaced, revoked): nothing more is taken from it, not even acked; the agent resends elsewhere.
    if (ws.readyState !== ws.OPEN) return;
    ctx.presence.heard(terminal);
    const decoded = decodeAgentFrame(data, isBinary);
    if (!decoded.ok) return refuse(decoded.reason, decoded.ref);
    handleMessage(decoded.message);
  });
  // ws reports protocol violations (oversize frame, bad UTF-8, …) here and then closes the socket.
  ws.on('error', (err) => ctx.log.warn({ terminal, err: err.message }, 'agent connection error'));
  ws.on('close', (code, reason) => {
    left(ctx, ws, terminal);
    ctx.log.info({ terminal, code, reason: reason.toString() }, 'agent disconnected');
  });

  function handleMessage(message: AgentMessage): void {
    switch (message.type) {
      case 'hello':
        if (message.terminal !== terminal) return refuse(`hello names terminal ${message.terminal}, connection is ${terminal}`, null);
        ctx.log.info({ terminal, agentVersion: message.agentVersion, agentLastSeq: message.lastSeq, inventory: message.inventory }, 'agent hello');
        return recordInventory(message);
      case 'report':
        return void handleReport(message.report);
      case 'command_result':
        ctx.log.info({ terminal, commandId: message.commandId, ok: message.ok, detail: message.detail }, 'command result');
        return void ctx.commands
          .finished(terminal, message.commandId, message.ok, message.detail)
          .catch((err: unknown) => ctx.log.error({ terminal, commandId: message.commandId, err: (err as Error).message }, 'command result not stored'));
      case 'bundle_chunk':
        receiveChunk ??= ctx.bundles.connection(terminal);
        return void receiveChunk(message).then(
          (outcome) => {
            if (!outcome.ok) refuse(outcome.reason, message.commandId);
          },
          (err: unknown) => {
            // Storing the finished bundle failed (database busy): the operator asks for it again.
            ctx.log.error({ terminal, err: (err as Error).message, commandId: message.commandId }, 'storing bundle failed');
            refuse(`hub could not store the bundle now: ${(err as Error).message}`, message.commandId, true);
          },
        );
    }
  }

  /** The first hello of the connection only: the store writes it only when it differs from what it holds. */
  function recordInventory(hello: Extract<AgentMessage, { type: 'hello' }>): void {
    if (inventoryTaken) return;
    inventoryTaken = true;
    const facts = inventoryFacts(hello);
    (ctx.hello?.(terminal, facts) ?? Promise.resolve())
      .catch((err: unknown) => ctx.log.warn({ terminal, err: (err as Error).message }, 'hello not checked for a swapped unit'))
      .then(() => ctx.store.inventory.record(terminal, facts, ctx.clock.now()))
      .catch((err: unknown) => ctx.log.warn({ terminal, err: (err as Error).message }, 'inventory not stored: the next hello stores it'));
  }

  async function handleReport(report: Report): Promise<void> {
    if (report.terminal !== terminal) {
      return refuse(`report is for terminal ${report.terminal}, but this connection authenticated as ${terminal}`, report.id);
    }
    let outcome: InsertOutcome;
    try {
      outcome = await ctx.commits.insert(report, new Date(ctx.clock.now()).toISOString());
    } catch (err) {
      // Not acked, and worth sending again: the report is valid, the hub's storage failed (busy, locked, full).
      ctx.log.error({ terminal, err: (err as Error).message, id: report.id }, 'storing report failed');
      return refuse(`hub could not store the report now: ${(err as Error).message}`, report.id, true);
    }
    switch (outcome.status) {
      case 'conflict':
        // Which terminal and seq hold the id stays in the hub's log: the answer tells the sender nothing of another terminal.
        ctx.log.warn({ terminal, id: report.id, seq: report.seq, heldBy: outcome.existing }, 'report id already stored for another report');
        return refuse(`report id ${report.id} is already used by another report; this one is refused for good`, report.id);
      case 'duplicate':
        sendHubMessage(ws, { type: 'ack', id: report.id, seq: report.seq, duplicate: true });
        return;
      case 'stored': {
        sendHubMessage(ws, { type: 'ack', id: report.id, seq: report.seq, duplicate: false });
        if (outcome.gap) ctx.log.warn({ terminal, missingSeqs: outcome.gap }, 'seq gap: reports lost or still in flight');
        if (outcome.seqReused) ctx.log.warn({ terminal, seq: report.seq, id: report.id }, 'seq reused by a new id: agent state was reset');
        const alert = report.kind === 'fault' && outcome.fault === 'applied' && report.state === 'raised' && report.inhibitedBy === null;
        logFault(report, outcome.fault, alert);
        const cleared = report.kind === 'fault' && outcome.fault === 'applied' && report.state === 'cleared' && report.inhibitedBy === null;
        ctx.stored(outcome.row, { alert, cleared, gap: outcome.gap });
        return;
      }
    }
  }

  function logFault(report: Report, fault: 'applied' | 'stale' | null, alert: boolean): void {
    if (report.kind !== 'fault') return;
    const fields = { terminal, code: report.code, instance: report.instance, severity: report.severity, seq: report.seq, inhibitedBy: report.inhibitedBy };
    if (fault === 'stale') ctx.log.info(fields, `stale ${report.state} ignored: a newer report already set this fault`);
    else if (alert) ctx.log.warn(fields, 'alert');
    else ctx.log.info(fields, report.state === 'cleared' ? 'fault cleared' : 'fault raised (inhibited)');
  }
}
