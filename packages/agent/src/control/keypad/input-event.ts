/**
 * Linux evdev `struct input_event` as read from /dev/input/eventN on 64-bit kernels:
 * struct timeval (tv_sec: s64, tv_usec: s64), __u16 type, __u16 code, __s32 value — 24 bytes, host
 * (little-endian) order. Pure codec, no device access.
 */
export const INPUT_EVENT_SIZE = 24;
export const EV_KEY = 0x01;
/** Key event values: 0 release, 1 press, 2 autorepeat. */
export const KEY_PRESS = 1;

export interface InputEvent {
  timeMs: number;
  type: number;
  code: number;
  value: number;
}

export function decodeInputEvent(buf: Uint8Array, offset = 0): InputEvent {
  const view = new DataView(buf.buffer, buf.byteOffset + offset, INPUT_EVENT_SIZE);
  const sec = Number(view.getBigInt64(0, true));
  const usec = Number(view.getBigInt64(8, true));
  return { timeMs: sec * 1000 + Math.floor(usec / 1000), type: view.getUint16(16, true), code: view.getUint16(18, true), value: view.getInt32(20, true) };
}

export function encodeInputEvent(event: InputEvent): Buffer {
  const buf = Buffer.alloc(INPUT_EVENT_SIZE);
  buf.writeBigInt64LE(BigInt(Math.floor(event.timeMs / 1000)), 0);
  buf.writeBigInt64LE(BigInt((event.timeMs % 1000) * 1000), 8);
  buf.writeUInt16LE(event.type, 16);
  buf.writeUInt16LE(event.code, 18);
  buf.writeInt32LE(event.value, 20);
  return buf;
}

/** Splits a byte stream into events; a partial event waits for its remaining bytes. */
export class InputEventReader {
  private pending = Buffer.alloc(0);

  push(chunk: Uint8Array): InputEvent[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk);
    const events: InputEvent[] = [];
    let offset = 0;
    for (; offset + INPUT_EVENT_SIZE <= this.pending.length; offset += INPUT_EVENT_SIZE) events.push(decodeInputEvent(this.pending, offset));
    this.pending = this.pending.subarray(offset);
    return events;
  }
}

/** Key codes from linux/input-event-codes.h that terminal keypads send. */
export const KEY_CODES: Readonly<Record<string, number>> = {
  KEY_ESC: 1, KEY_1: 2, KEY_2: 3, KEY_3: 4, KEY_4: 5, KEY_5: 6, KEY_6: 7, KEY_7: 8, KEY_8: 9, KEY_9: 10, KEY_0: 11,
  KEY_BACKSPACE: 14, KEY_ENTER: 28, KEY_F1: 59, KEY_F2: 60, KEY_F3: 61, KEY_F4: 62,
  KEY_KP7: 71, KEY_KP8: 72, KEY_KP9: 73, KEY_KP4: 75, KEY_KP5: 76, KEY_KP6: 77, KEY_KP1: 79, KEY_KP2: 80, KEY_KP3: 81, KEY_KP0: 82,
  KEY_KPDOT: 83, KEY_KPENTER: 96, KEY_KPASTERISK: 55, KEY_MENU: 139, KEY_OK: 0x160, KEY_CANCEL: 223,
};

/** "KEY_F1" or a numeric code → the code; undefined for an unknown name. */
export function keyCode(key: string | number): number | undefined {
  return typeof key === 'number' ? key : KEY_CODES[key];
}
