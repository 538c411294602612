import type { Clock } from 'posdiag-protocol';
import type { Logger } from './logger.js';
import type { BundleChunk } from 'posdiag-protocol';
import { BundleAssembler } from './bundle-assembler.js';
import type { BundleInfo, HubStore } from './store/store.js';

/** How long a terminal has to send the bundle it was asked for. */
export const BUNDLE_EXPECTED_MS = 60 * 60_000;

export type ChunkOutcome = { ok: true; stored?: BundleInfo } | { ok: false; reason: string };

/** Takes one agent connection's bundle chunks, in arrival order. */
export type ChunkReceiver = (chunk: BundleChunk) => Promise<ChunkOutcome>;

/**
 * The hub's side of the `bundle` command: remembers which terminal was asked for which bundle, puts
 * each connection's chunks together and stores a complete, intact bundle once. A terminal cannot push
 * a bundle nobody asked it for, nor one asked of another terminal.
 */
export class BundleIntake {
  private readonly expected = new Map<string, { terminal: string; until: number }>();

  constructor(
    private readonly store: HubStore,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Called before the command goes out, so even an instant answer finds it expected. */
  expect(terminal: string, commandId: string): void {
    const now = this.clock.now();
    for (const [id, e] of this.expected) if (e.until <= now) this.expected.delete(id);
    this.expected.set(commandId, { terminal, until: now + BUNDLE_EXPECTED_MS });
  }

  /** The command could not be sent after all. */
  forget(commandId: string): void {
    this.expected.delete(commandId);
  }

  /** A receiver for one agent connection's chunks. */
  connection(terminal: string): ChunkReceiver {
    const assembler = new BundleAssembler();
    return async (chunk) => {
      const expected = this.expected.get(chunk.commandId);
      if (!expected || expected.terminal !== terminal || expected.until <= this.clock.now()) {
        return { ok: false, reason: `no bundle was asked of ${terminal} by command ${chunk.commandId}` };
      }
      const outcome = assembler.add(chunk);
      if (outcome.kind === 'refused') return { ok: false, reason: outcome.reason };
      if (outcome.kind === 'incomplete') return { ok: true };
      const info = { id: chunk.commandId, terminal, receivedAt: new Date(this.clock.now()).toISOString(), size: outcome.bundle.length, sha256: outcome.sha256 };
      await this.store.putBundle(info, outcome.bundle);
      this.expected.delete(chunk.commandId);
      this.log.info({ terminal, commandId: info.id, size: info.size }, 'diagnostic bundle stored');
      return { ok: true, stored: info };
    };
  }
}
