import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { readTextFile } from 'posdiag-protocol/cli';
import { loadConfig } from '../config/load.js';
import { resolveTerminal } from '../core/terminal-identity.js';
import { readOutboxLastSeq } from '../report/outbox/read-only-stats.js';
import { readUplinkTlsFiles } from '../report/uplink/tls-files.js';
import type { SwapFile } from './swap-file.js';
import { readWorkOrder } from './work-order.js';

/**
 * The swap file of the terminal `configFile` configures (swap-file.ts says what is in it and what is
 * not). Reads only: the config as written (validated first, so a broken config is exit 78 here and not
 * a surprise on the spare), the PEM files it names, the work order and the outbox's last seq from the
 * state dir. Best taken with the daemon stopped: reports recorded after it get seqs the spare hands
 * out again (the hub stores both, and logs the reuse).
 */
export async function exportSwap(configFile: string, now: number): Promise<SwapFile> {
  const config = loadConfig(configFile);
  const written = JSON.parse(readTextFile(configFile, `cannot read config file ${configFile}`)) as Record<string, unknown>;
  return {
    format: 'posdiag-swap',
    version: 1,
    swapId: randomUUID(),
    exportedAt: new Date(now).toISOString(),
    slot: {
      terminal: config.terminal.id,
      fromSerial: resolveTerminal(config).serial,
      lastSeq: await readOutboxLastSeq(join(config.paths.state, 'outbox')),
    },
    config: written,
    credentials: config.uplink ? readUplinkTlsFiles(config.uplink) : {},
    workOrder: readWorkOrder(config.paths.state),
  };
}
