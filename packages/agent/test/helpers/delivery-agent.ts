import { systemClock } from 'posdiag-protocol';
import { silentLogger } from '../../src/log/logger.js';
import type { Outbox } from '../../src/report/outbox-contract.js';
import { openOutbox } from '../../src/report/outbox.js';
import { Uplink } from '../../src/report/uplink.js';

/**
 * The agent's delivery path as the end-to-end delivery tests run it: the real outbox and a real Uplink
 * on real time (its I/O is real sockets and files). One definition, so the SIGKILLed writer child and
 * the in-process drains run the very same configuration.
 */

/** Far above what the tests keep pending (no eviction, which would make legitimate gaps), yet small
 * enough that the log is compacted several times over a run. */
export const DELIVERY_OUTBOX_MAX_BYTES = 256 * 1024;

export function openDeliveryOutbox(dir: string): Promise<Outbox> {
  return openOutbox({ dir, maxBytes: DELIVERY_OUTBOX_MAX_BYTES, memoryRing: 1000 });
}

/** A started Uplink for terminal T-0001; the small backoff makes a reconnect take milliseconds. */
export function startDeliveryUplink(outbox: Outbox, url: string, token: string): Uplink {
  const uplink = new Uplink({
    url,
    token,
    terminal: 'T-0001',
    outbox,
    clock: systemClock,
    log: silentLogger,
    agentVersion: '0.1.0-test',
    backoff: { initialMs: 20, maxMs: 100 },
  });
  uplink.start();
  return uplink;
}
