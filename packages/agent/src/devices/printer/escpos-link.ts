import type { EscPosFrame } from './escpos-frames.js';

/**
 * What the ESC/POS conversation needs from a transport (a serial line, or a USB printer's bulk
 * endpoints): one request in flight, replies as parsed frames. A rejection whose error carries
 * `disconnected: true` means the link itself is gone; any other rejection (a timeout) concerns only
 * that request.
 */
export interface EscPosLink {
  request<T>(bytes: Uint8Array, expectReply: (frame: EscPosFrame) => T | undefined, timeoutMs: number, signal?: AbortSignal): Promise<T>;
  write(bytes: Uint8Array, signal?: AbortSignal): Promise<void>;
  /** Whether GS I `5F … 00` blocks are recognised in the reply stream (see EscPosFrameParser). */
  expectBlocks(on: boolean): void;
}

export const linkLost = (err: unknown): boolean => (err as { disconnected?: unknown } | null)?.disconnected === true;
