import type { IncomingMessage, ServerResponse } from 'node:http';
import { auditRequest, HttpError, readBody, requireMethod, send, type ApiContext, type RequestScope } from '../http-api.js';
import { isoOrNull } from '../iso-time.js';
import { attach, AttachmentRefused, MAX_ATTACHMENT_BYTES, type AttachmentUpload } from './attachments.js';
import { mayWork } from './may-work.js';
import type { AttachmentInfo } from './work-order.js';

/**
 * A work order's attachments (docs/spec.md §7):
 *
 *   POST /api/workorders/ID/attachments?name=FILE  body: the file's bytes, Content-Type its type
 *        → 201 the attachment; 400 empty or a bad name, 404 no order, 409 closed or full, 413 too big, 415 not a kind kept
 *   GET  /api/workorders/ID/attachments            → 200 {attachments: [ attachment ]} oldest first
 *   GET  /api/workorders/ID/attachments/AID        → 200 the bytes, always as a download
 */
const PATH = /^\/api\/workorders\/([1-9][0-9]{0,15})\/attachments(?:\/([1-9][0-9]{0,15}))?$/;

export const attachmentView = (a: AttachmentInfo) => ({ ...a, addedAt: isoOrNull(a.addedAt), url: `/api/workorders/${a.orderId}/attachments/${a.id}` });

/** The header value that names a download, plain ASCII for old clients and RFC 5987 for the rest. */
export function downloadDisposition(name: string): string {
  return `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** Answers the attachment routes; false when the path is not one of them. */
export async function routeAttachments(req: IncomingMessage, res: ServerResponse, ctx: ApiContext, url: URL, scope: RequestScope): Promise<boolean> {
  const m = PATH.exec(url.pathname);
  if (!m) return false;
  const orderId = Number(m[1]);
  const store = ctx.store.workorders;
  if (m[2] !== undefined) {
    requireMethod(req, res, 'GET');
    const found = await store.attachment(orderId, Number(m[2]));
    if (!found) throw new HttpError(404, `no attachment ${m[2]} on work order ${orderId}`);
    sendAttachment(res, found);
    return true;
  }
  if (req.method === 'GET') {
    if (!(await store.get(orderId))) throw new HttpError(404, `no work order ${orderId}`);
    send(res, 200, { attachments: (await store.attachments(orderId)).map(attachmentView) });
    return true;
  }
  requireMethod(req, res, 'POST');
  const info = await addAttachment(ctx, scope, orderId, { name: url.searchParams.get('name') ?? undefined, contentType: req.headers['content-type'] ?? '', data: await readBody(req, MAX_ATTACHMENT_BYTES) });
  await auditRequest(req, ctx, scope, 201, undefined);
  send(res, 201, attachmentView(info));
  return true;
}

/** One file's bytes, never rendered by the hub's origin: a download, its type as checked, nothing run from it. */
export function sendAttachment(res: ServerResponse, found: { info: AttachmentInfo; data: Buffer }): void {
  res.writeHead(200, {
    'content-type': found.info.contentType,
    'content-length': found.data.length,
    'content-disposition': downloadDisposition(found.info.name),
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': 'private, no-store',
  });
  res.end(found.data);
}

/**
 * Adds the upload to the order as `scope.principal` (an operator, or the technician it is assigned
 * to), naming the deed in `scope` for the caller's audit entry; the API and the console's form alike.
 */
export async function addAttachment(ctx: ApiContext, scope: RequestScope, orderId: number, upload: AttachmentUpload): Promise<AttachmentInfo> {
  Object.assign(scope, { action: 'workorder.attach', target: String(orderId) });
  await mayWork(ctx, scope, orderId);
  let info: AttachmentInfo;
  try {
    info = await attach(ctx.store.workorders, orderId, upload, scope.principal!.name, ctx.clock.now());
  } catch (err) {
    throw err instanceof AttachmentRefused ? new HttpError(err.status, err.message) : err;
  }
  scope.detail = `${info.name} (${info.size} bytes, sha256 ${info.sha256})`;
  return info;
}
