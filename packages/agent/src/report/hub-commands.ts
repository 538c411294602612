import type { Logger } from '../log/logger.js';
import type { SelfTestResult } from 'posdiag-protocol';
import { workOrderFromArgs, type WorkOrder } from '../repair/work-order.js';
import type { HubCommand } from './uplink.js';

export interface CommandTarget {
  /** Runs a self-test and records its `self_test` report carrying `commandId`. */
  selfTest(level: 'quick' | 'full', commandId: string): Promise<SelfTestResult>;
  /** Builds the diagnostic bundle and sends it to the hub under `commandId`; resolves with its size once sent. */
  bundle(commandId: string): Promise<{ size: number }>;
  /** Locks the terminal durably (repair/terminal-lock.ts); throws when the lock cannot be kept. */
  lock(reason: string | null): void;
  unlock(): void;
  /** Keeps the hub's latest word on the terminal's work order; throws when it cannot be kept. */
  workOrder(workOrder: WorkOrder): void;
  reply(commandId: string, ok: boolean, detail: string): void;
}

/**
 * Executes the hub's commands. Only the names of the protocol's fixed list reach here (the uplink
 * validates every frame); anything a name does not cover is refused, never improvised.
 */
export async function executeHubCommand(command: HubCommand, target: CommandTarget, log: Logger): Promise<void> {
  log.info({ command: command.name, commandId: command.id, args: command.args }, 'hub command');
  switch (command.name) {
    case 'ping':
      target.reply(command.id, true, 'pong');
      return;
    case 'self_test': {
      const level = command.args.level ?? 'quick';
      // The interactive level needs someone at the terminal to answer; the hub cannot.
      if (level !== 'quick' && level !== 'full') {
        target.reply(command.id, false, `self-test level "${String(level)}" cannot be run remotely; use "quick" or "full"`);
        return;
      }
      try {
        const result = await target.selfTest(level, command.id);
        target.reply(command.id, true, `self-test ${result.passed ? 'passed' : 'failed'}; result sent as a self_test report`);
      } catch (err) {
        log.error({ err, commandId: command.id }, 'self-test for the hub failed');
        target.reply(command.id, false, `self-test could not run: ${(err as Error).message}`);
      }
      return;
    }
    case 'lock': {
      const reason = command.args.reason;
      if (reason !== undefined && typeof reason !== 'string') {
        target.reply(command.id, false, 'lock: "reason" must be a string');
        return;
      }
      runStep(command, target, log, 'locked', () => target.lock(reason ?? null));
      return;
    }
    case 'unlock':
      runStep(command, target, log, 'unlocked', () => target.unlock());
      return;
    case 'work_order': {
      const parsed = workOrderFromArgs(command.args);
      if (!parsed.ok) {
        target.reply(command.id, false, parsed.reason);
        return;
      }
      runStep(command, target, log, `work order ${parsed.workOrder.ref} (${parsed.workOrder.state}) kept`, () => target.workOrder(parsed.workOrder));
      return;
    }
    case 'bundle':
      try {
        const { size } = await target.bundle(command.id);
        target.reply(command.id, true, `diagnostic bundle of ${size} bytes sent`);
      } catch (err) {
        log.error({ err, commandId: command.id }, 'diagnostic bundle for the hub failed');
        target.reply(command.id, false, `diagnostic bundle could not be sent: ${(err as Error).message}`);
      }
      return;
  }
}

/** A command done at once: ok with `done`, or the failure's one line (a state dir that cannot be written). */
function runStep(command: HubCommand, target: CommandTarget, log: Logger, done: string, step: () => void): void {
  try {
    step();
    target.reply(command.id, true, done);
  } catch (err) {
    log.error({ err, commandId: command.id, command: command.name }, 'hub command failed');
    target.reply(command.id, false, `${command.name} failed: ${(err as Error).message}`);
  }
}
