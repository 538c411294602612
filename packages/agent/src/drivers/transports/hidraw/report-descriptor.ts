/**
 * The input reports a HID report descriptor declares (HID 1.11 §6.2.2), read from the bytes sysfs
 * shows as `<hidraw>/device/report_descriptor`: whether the device numbers its reports (any Report ID
 * item, 0x85) and how long each input report is. Pure.
 *
 * Only what framing needs is tracked: the global items Report Size (0x75), Report Count (0x95),
 * Report ID (0x85), Push (0xA4) and Pop (0xB4), and the main item Input (0x81). Every other item is
 * stepped over by its size; long items (0xFE) by their own length byte.
 */

export interface InputReportLayout {
  /** The device puts a Report ID byte before each report (the descriptor has Report ID items). */
  numbered: boolean;
  /** Input report length in bytes, without the Report ID byte, by Report ID (0 when not numbered). */
  inputBytes: ReadonlyMap<number, number>;
}

export class ReportDescriptorError extends Error {
  override name = 'ReportDescriptorError';
}

const TYPE_MAIN = 0;
const TYPE_GLOBAL = 1;
const TAG_INPUT = 0x8;
const TAG_REPORT_SIZE = 0x7;
const TAG_REPORT_ID = 0x8;
const TAG_REPORT_COUNT = 0x9;
const TAG_PUSH = 0xa;
const TAG_POP = 0xb;
const LONG_ITEM = 0xfe;
/** Deepest Push nesting accepted: a descriptor is a few hundred bytes; more is a malformed one. */
const MAX_PUSH_DEPTH = 16;

interface Globals {
  reportSize: number;
  reportCount: number;
  reportId: number;
}

export function parseReportDescriptor(bytes: Uint8Array): InputReportLayout {
  let globals: Globals = { reportSize: 0, reportCount: 0, reportId: 0 };
  const stack: Globals[] = [];
  const inputBits = new Map<number, number>();
  let numbered = false;
  let at = 0;
  while (at < bytes.length) {
    const prefix = bytes[at]!;
    if (prefix === LONG_ITEM) {
      const size = bytes[at + 1];
      if (size === undefined || at + 3 + size > bytes.length) throw new ReportDescriptorError(`long item at byte ${at} is cut off`);
      at += 3 + size;
      continue;
    }
    const size = [0, 1, 2, 4][prefix & 0x03]!;
    const type = (prefix >> 2) & 0x03;
    const tag = prefix >> 4;
    if (at + 1 + size > bytes.length) throw new ReportDescriptorError(`item 0x${hex(prefix)} at byte ${at} is cut off`);
    const value = unsigned(bytes, at + 1, size);
    at += 1 + size;
    if (type === TYPE_GLOBAL) {
      if (tag === TAG_REPORT_SIZE) globals.reportSize = value;
      else if (tag === TAG_REPORT_COUNT) globals.reportCount = value;
      else if (tag === TAG_REPORT_ID) {
        if (value === 0 || value > 0xff) throw new ReportDescriptorError(`Report ID ${value} at byte ${at - 1 - size} is out of range (1-255)`);
        globals.reportId = value;
        numbered = true;
      } else if (tag === TAG_PUSH) {
        if (stack.length >= MAX_PUSH_DEPTH) throw new ReportDescriptorError(`more than ${MAX_PUSH_DEPTH} nested Push items`);
        stack.push({ ...globals });
      } else if (tag === TAG_POP) {
        const popped = stack.pop();
        if (!popped) throw new ReportDescriptorError(`Pop at byte ${at - 1 - size} without a Push`);
        globals = popped;
      }
    } else if (type === TYPE_MAIN && tag === TAG_INPUT) {
      inputBits.set(globals.reportId, (inputBits.get(globals.reportId) ?? 0) + globals.reportSize * globals.reportCount);
    }
  }
  if (numbered && inputBits.has(0)) throw new ReportDescriptorError('an Input item comes before the first Report ID of a numbered descriptor');
  const inputBytes = new Map<number, number>();
  for (const [id, bits] of inputBits) if (bits > 0) inputBytes.set(id, Math.ceil(bits / 8));
  return { numbered, inputBytes };
}

function unsigned(bytes: Uint8Array, at: number, size: number): number {
  let value = 0;
  for (let i = size - 1; i >= 0; i--) value = value * 256 + bytes[at + i]!;
  return value;
}

const hex = (b: number) => b.toString(16).padStart(2, '0');
