import type { Clock, HubMessage } from 'posdiag-protocol';
import type { AgentRegistry } from '../agent-registry.js';
import type { BundleIntake } from '../bundle-intake.js';
import type { Logger } from '../logger.js';
import type { CommandRecord, HubStore } from '../store/store.js';
import type { Fleet } from './fleet.js';

export type CommandMessage = Extract<HubMessage, { type: 'command' }>;

/** A queued command older than this when its terminal connects is not sent: whoever asked has moved on. */
export const QUEUED_COMMAND_TTL_MS = 60 * 60_000;

/** The command may not go to that terminal now (a lost terminal gets only lock/unlock): the API's 409. */
export class CommandRefused extends Error {}

/** Why `name` may not be sent to `terminal`, or null when it may (workorders/lost.ts). */
export type CommandGuard = (terminal: string, name: string) => Promise<string | null>;

/** `sent` by this hub; `forwarded` to the hub that holds the terminal; or nobody holds it. */
export type PostOutcome = 'sent' | 'forwarded' | 'not_connected';

/**
 * Commands to terminals across the fleet: an operator may post to any hub, the command goes out
 * through the hub that holds the terminal's connection, and what became of it is in the store for
 * every hub to answer (`GET /api/commands/ID`): queued (on its way to the holding hub), sent,
 * succeeded or failed (the agent's `command_result`), or undeliverable (the terminal left first).
 * A command still queued when its terminal connects somewhere (the holding hub died before it got
 * the message) goes out from there, unless it is older than QUEUED_COMMAND_TTL_MS.
 */
export class CommandDispatch {
  private guard: CommandGuard | undefined;

  constructor(
    private readonly opts: { store: HubStore; fleet: Fleet; registry: AgentRegistry; bundles: BundleIntake; clock: Clock; log: Logger },
  ) {
    opts.fleet.on('command', ({ id, holder }) => {
      if (holder !== opts.fleet.instance) return;
      this.deliverQueued(id).catch((err: unknown) => opts.log.error({ err: (err as Error).message, commandId: id }, 'forwarded command not delivered'));
    });
  }

  /** Set once at start: every command, posted or queued, is checked by it before it goes out. */
  setGuard(guard: CommandGuard): void {
    this.guard = guard;
  }

  /** Throws CommandRefused when the guard refuses it. */
  async post(terminal: string, message: CommandMessage): Promise<PostOutcome> {
    const { store, fleet, registry, clock } = this.opts;
    const refused = await this.guard?.(terminal, message.name);
    if (refused) throw new CommandRefused(refused);
    const now = clock.now();
    const record: CommandRecord = {
      id: message.id, terminal, name: message.name, args: message.args, state: 'queued',
      postedBy: fleet.instance, postedAt: now, sentBy: null, sentAt: null, finishedAt: null, detail: null,
    };
    if (registry.has(terminal)) {
      await store.recordCommand({ ...record, state: 'sent', sentBy: fleet.instance, sentAt: now });
      if (this.sendNow(terminal, message)) return 'sent';
      await store.updateCommand(message.id, { state: 'undeliverable', finishedAt: now, detail: 'the terminal disconnected' });
      return 'not_connected';
    }
    const [held] = await store.presence(terminal);
    if (!held?.holder || held.holder === fleet.instance || (held.leaseExpires ?? 0) <= now) return 'not_connected';
    await store.recordCommand(record);
    await fleet.send('command', { id: message.id, holder: held.holder });
    this.opts.log.info({ terminal, commandId: message.id, via: held.holder }, 'command forwarded to the hub holding the terminal');
    return 'forwarded';
  }

  /** The terminal connected here: what was queued for it and never delivered goes out now. */
  async connected(terminal: string): Promise<void> {
    for (const id of await this.opts.store.queuedCommands(terminal)) await this.deliverQueued(id);
  }

  /** The agent's `command_result`, for a command of its own: the outcome every hub shows. */
  async finished(terminal: string, commandId: string, ok: boolean, detail: string | undefined): Promise<void> {
    const command = await this.opts.store.command(commandId);
    if (!command || command.terminal !== terminal) return this.opts.log.warn({ terminal, commandId }, 'result for a command this terminal was not sent: ignored');
    await this.opts.store.updateCommand(commandId, { state: ok ? 'succeeded' : 'failed', finishedAt: this.opts.clock.now(), detail: detail ?? null });
  }

  private sendNow(terminal: string, message: CommandMessage): boolean {
    // Expected before it goes out, so even an instant answer finds it.
    if (message.name === 'bundle') this.opts.bundles.expect(terminal, message.id);
    const sent = this.opts.registry.send(terminal, message);
    if (!sent) this.opts.bundles.forget(message.id);
    else this.opts.log.info({ terminal, commandId: message.id, name: message.name, args: message.args }, 'command sent');
    return sent;
  }

  private async deliverQueued(id: string): Promise<void> {
    const command = await this.opts.store.command(id);
    if (!command || command.state !== 'queued') return;
    const now = this.opts.clock.now();
    if (now - command.postedAt > QUEUED_COMMAND_TTL_MS) {
      return this.opts.store.updateCommand(id, { state: 'undeliverable', finishedAt: now, detail: 'the terminal was away too long' });
    }
    const refused = await this.guard?.(command.terminal, command.name);
    if (refused) return this.opts.store.updateCommand(id, { state: 'undeliverable', finishedAt: now, detail: refused });
    const message = { type: 'command', id, name: command.name, args: command.args } as CommandMessage;
    if (this.sendNow(command.terminal, message)) {
      await this.opts.store.updateCommand(id, { state: 'sent', sentBy: this.opts.fleet.instance, sentAt: now });
    } else {
      await this.opts.store.updateCommand(id, { state: 'undeliverable', finishedAt: now, detail: `the terminal left hub ${this.opts.fleet.instance} first` });
    }
  }
}
