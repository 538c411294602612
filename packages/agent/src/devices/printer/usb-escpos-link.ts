import { UsbTransferError, type UsbPrinterHandle } from '../../drivers/transports/usb/bus.js';
import { EscPosFrameParser, type EscPosFrame } from './escpos-frames.js';
import type { EscPosLink } from './escpos-link.js';

/** Bulk IN reads per request before giving up: unrelated bytes (late replies, noise) may come first. */
const MAX_READS = 4;
const READ_LENGTH = 64;

/**
 * ESC/POS over a USB printer's bulk endpoints: request bytes go out on bulk OUT, replies are read from
 * bulk IN and parsed like a serial stream. Callers serialise requests (the driver polls one at a time),
 * so there is no queue here. Bulk IN is only read while a request waits: ASB needs a reader that
 * never stops and is not used over USB.
 */
export class UsbEscPosLink implements EscPosLink {
  private readonly parser = new EscPosFrameParser();

  constructor(
    private readonly handle: UsbPrinterHandle,
    private readonly endpoints: { in: number; out: number },
  ) {}

  expectBlocks(on: boolean): void {
    this.parser.expectBlocks(on);
  }

  async write(bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    await this.handle.bulkOut(this.endpoints.out, bytes, 5_000);
  }

  async request<T>(bytes: Uint8Array, expectReply: (frame: EscPosFrame) => T | undefined, timeoutMs: number, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    this.parser.reset();
    await this.handle.bulkOut(this.endpoints.out, bytes, timeoutMs);
    for (let i = 0; i < MAX_READS; i++) {
      signal?.throwIfAborted();
      const chunk = await this.handle.bulkIn(this.endpoints.in, READ_LENGTH, timeoutMs);
      if (chunk.length === 0) break;
      for (const frame of this.parser.push(chunk)) {
        const reply = expectReply(frame);
        if (reply !== undefined) return reply;
      }
    }
    throw new UsbTransferError(`no reply on bulk IN within ${timeoutMs} ms`, { timeout: true });
  }
}
