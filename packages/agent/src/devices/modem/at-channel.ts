import type { Clock } from 'posdiag-protocol';
import type { Logger } from '../../log/logger.js';
import { SerialTransport, type SerialBinding, type SerialState } from '../../drivers/transports/serial.js';
import { AtLineParser } from './at-lines.js';
import { AtResponseCollector, type AtResponse } from './at-response.js';

export interface AtChannelOptions {
  path: string;
  baudRate: number;
  clock: Clock;
  log: Logger;
  binding?: SerialBinding;
  backoff?: { minMs: number; maxMs: number };
  /** Told how many bytes were discarded as line noise (see AtLineParser). */
  onNoise?: (bytes: number) => void;
}

/**
 * AT commands over a serial line: one command in flight (the transport's FIFO), each answered by an
 * AtResponse or rejected with a SerialTransportError (`timeout`, `disconnected`, …).
 *
 * Lines that arrive while nothing is in flight (URCs, or the tail of a reply that came after its
 * timeout) are dropped: readings come from queries, never from URCs. (No onFrame listener is kept,
 * because the transport also hands it every line a collector took without finishing.) A late OK
 * that reaches the next command can end only a command that expects no information; queries set
 * it aside (see AtResponseCollector), so the exchange falls back into step by the next query.
 */
export class AtChannel {
  private readonly transport: SerialTransport<string>;

  constructor(private readonly opts: AtChannelOptions) {
    this.transport = new SerialTransport({
      path: opts.path,
      baudRate: opts.baudRate,
      clock: opts.clock,
      log: opts.log,
      parser: new AtLineParser(opts.onNoise),
      ...(opts.binding ? { binding: opts.binding } : {}),
      ...(opts.backoff ? { backoff: opts.backoff } : {}),
    });
  }

  get state(): SerialState {
    return this.transport.state;
  }

  onStateChange(listener: (state: SerialState) => void): () => void {
    return this.transport.onStateChange(listener);
  }

  /** Sends `command` + CR and collects its response. */
  async send(command: string, timeoutMs: number, signal?: AbortSignal): Promise<AtResponse> {
    const collector = new AtResponseCollector(command);
    const response = await this.transport.request(Buffer.from(`${command}\r`, 'latin1'), (line) => collector.push(line), timeoutMs, signal);
    // A few are enough to see what the modem said; a noisy line may set aside hundreds of short lines.
    if (response.urcs.length > 0) this.opts.log.debug({ command, urcs: response.urcs.slice(0, 8), count: response.urcs.length }, 'modem URCs during command');
    return response;
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
