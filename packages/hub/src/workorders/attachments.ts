import { createHash } from 'node:crypto';
import type { WorkOrderStore } from '../store/store.js';
import { isOpenState, type AttachmentInfo } from './work-order.js';

/** A photo from a phone is a few MiB; a courier's PDF less. */
export const MAX_ATTACHMENT_BYTES = 8 * 1024 * 1024;
/** Enough for every step's evidence, not a file share. */
export const MAX_ATTACHMENTS = 50;

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/**
 * The kinds an order keeps, each known by its first bytes as well as its declared type: the bytes are
 * served back to browsers, so a file must be what it says (never HTML or script dressed as a photo).
 */
const KINDS: Record<string, { ext: string; is(b: Buffer): boolean }> = {
  'image/jpeg': { ext: 'jpg', is: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  'image/png': { ext: 'png', is: (b) => b.subarray(0, 8).equals(PNG) },
  'image/webp': { ext: 'webp', is: (b) => b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP' },
  'application/pdf': { ext: 'pdf', is: (b) => b.toString('latin1', 0, 5) === '%PDF-' },
};
export const ATTACHMENT_TYPES = Object.keys(KINDS);

/** Not taken, with the HTTP status that says why (400 a bad name, 404 no order, 409 closed or full, 413 too big, 415 not a kind kept). */
export class AttachmentRefused extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

export interface AttachmentUpload {
  /** The file's name as the uploader gave it; absent: one is made from the order and the kind. */
  name: string | undefined;
  contentType: string;
  data: Buffer;
}

/** The upload's type and name once checked; throws AttachmentRefused. */
export function checkUpload(u: AttachmentUpload): { name: string | undefined; contentType: string } {
  const contentType = u.contentType.split(';')[0]!.trim().toLowerCase();
  const kind = KINDS[contentType];
  if (!kind) throw new AttachmentRefused(415, `an attachment is one of ${ATTACHMENT_TYPES.join(', ')}, not ${contentType || 'untyped'}`);
  if (u.data.length === 0) throw new AttachmentRefused(400, 'the attachment is empty');
  if (u.data.length > MAX_ATTACHMENT_BYTES) throw new AttachmentRefused(413, `an attachment is at most ${MAX_ATTACHMENT_BYTES} bytes`);
  if (!kind.is(u.data)) throw new AttachmentRefused(415, `the bytes are not ${contentType}`);
  if (u.name === undefined) return { name: undefined, contentType };
  // Only the last path segment, and nothing a header or a shell would read differently.
  const name = u.name.split(/[/\\]/).pop()!.trim();
  if (!/^[^\u0000-\u001f\u007f"]{1,200}$/u.test(name)) throw new AttachmentRefused(400, 'an attachment name is 1 to 200 characters, without control characters or quotes');
  return { name, contentType };
}

/**
 * Adds a checked file to an open order (its evidence: a photo of the damage, the courier's receipt),
 * logged on the order as `attachment` in the same transaction.
 */
export async function attach(store: WorkOrderStore, orderId: number, upload: AttachmentUpload, actor: string, now: number): Promise<AttachmentInfo> {
  const checked = checkUpload(upload);
  const order = await store.get(orderId);
  if (!order) throw new AttachmentRefused(404, `no work order ${orderId}`);
  if (!isOpenState(order.state)) throw new AttachmentRefused(409, `work order ${order.ref} is no longer open`);
  const kept = await store.attachments(orderId);
  if (kept.length >= MAX_ATTACHMENTS) throw new AttachmentRefused(409, `work order ${order.ref} has ${MAX_ATTACHMENTS} attachments already`);
  const name = checked.name ?? `${order.ref}-${kept.length + 1}.${KINDS[checked.contentType]!.ext}`;
  const sha256 = createHash('sha256').update(upload.data).digest('hex');
  const info = { orderId, name, contentType: checked.contentType, size: upload.data.length, sha256, addedBy: actor, addedAt: now };
  return store.addAttachment(info, upload.data, (id) => ({ at: now, actor, action: 'attachment', from: null, to: null, comment: null, detail: JSON.stringify({ id, name, size: info.size, sha256 }) }));
}
