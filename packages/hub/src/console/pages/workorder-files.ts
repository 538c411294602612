import { HttpError } from '../../http-api.js';
import { addAttachment, sendAttachment } from '../../workorders/attachment-api.js';
import { ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES } from '../../workorders/attachments.js';
import { isOpenState, type AttachmentInfo, type WorkOrderRecord } from '../../workorders/work-order.js';
import type { PageRequest } from '../context.js';
import { html, type Html } from '../html.js';
import type { UploadedFile } from '../multipart.js';
import { ConsoleError, redirect } from '../respond.js';
import { actionScope, csrfField } from './common.js';
import { audited } from './workorder-forms.js';
import { worksOrder } from '../../workorders/may-work.js';

/**
 * A work order's attachments in the console: the list (each a download through the session, as the
 * API serves it: never rendered by the hub's origin), the upload form (multipart, one file), and its
 * POST, done and audited as the API's (`workorder.attach`).
 */
export function attachmentsSection(p: PageRequest, o: WorkOrderRecord, files: AttachmentInfo[]): Html {
  const { t, time } = p;
  const list = files.length
    ? html`<ul id="wo-attachments">${files.map(
        (a) => html`<li><a href="/workorders/${o.id}/attachments/${a.id}" download>${a.name}</a> <span class="note">${a.contentType} · ${a.size} B · ${a.addedBy} · ${time.el(a.addedAt)} · sha256 <code title="${a.sha256}">${a.sha256.slice(0, 12)}…</code></span></li>`,
      )}</ul>`
    : html`<p class="note">${t('common.none')}</p>`;
  const form =
    isOpenState(o.state) && worksOrder(p.session.principal, o)
      ? html`<form method="post" action="/workorders/${o.id}/attachments" enctype="multipart/form-data" class="inline" aria-label="${t('wo.attach')}">${csrfField(p.session.csrf)}
<label for="wo-file">${t('wo.attachFile', { mib: MAX_ATTACHMENT_BYTES / 1024 / 1024 })}<input type="file" id="wo-file" name="file" required accept="${ATTACHMENT_TYPES.join(',')}"></label>
<button type="submit">${t('wo.attach')}</button></form>`
      : '';
  return html`${list}${form}`;
}

/** POST /workorders/ID/attachments (multipart: csrf, file). */
export async function attachToOrder(p: PageRequest, id: number, files: UploadedFile[]): Promise<null> {
  const s = actionScope(p, 'workorder.attach');
  const file = files.find((f) => f.field === 'file');
  await audited(p, s, 201, () => {
    if (!file) throw new HttpError(400, p.t('wo.noFile'));
    return addAttachment(p.ctx, s, id, { name: file.filename || undefined, contentType: file.contentType, data: file.data });
  });
  redirect(p.res, `/workorders/${id}`);
  return null;
}

/** GET /workorders/ID/attachments/AID: the file, as a download. */
export async function attachmentDownload(p: PageRequest, id: number, attachmentId: number): Promise<void> {
  const found = await p.ctx.store.workorders.attachment(id, attachmentId);
  if (!found) throw new ConsoleError(404, p.t('common.notFound'));
  sendAttachment(p.res, found);
}
