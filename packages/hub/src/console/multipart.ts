/**
 * multipart/form-data (RFC 7578) as the console's one file form sends it: a few text fields (the CSRF
 * token among them) and a file. A strict reader of what browsers send, not a general one: no nested
 * multiparts, no transfer encodings, at most MAX_PARTS parts; the body is read whole first (bounded).
 */
export interface UploadedFile {
  field: string;
  /** As the browser named it (its last path segment is the uploader's business: attachments.ts checks it). */
  filename: string;
  contentType: string;
  data: Buffer;
}

export class MultipartError extends Error {}

const MAX_PARTS = 16;
const CRLF = Buffer.from('\r\n');

function param(header: string, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(header);
  return m ? m[1]!.replace(/\\(.)/g, '$1') : undefined;
}

export function parseMultipart(body: Buffer, contentType: string): { fields: URLSearchParams; files: UploadedFile[] } {
  const b = /;\s*boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  if (!b) throw new MultipartError('a multipart form without its boundary');
  const delimiter = Buffer.from(`--${b[1] ?? b[2]}`);
  const fields = new URLSearchParams();
  const files: UploadedFile[] = [];
  let pos = body.indexOf(delimiter);
  if (pos !== 0) throw new MultipartError('not a multipart body: it does not start with its boundary');
  for (let parts = 0; ; parts++) {
    pos += delimiter.length;
    if (body.toString('latin1', pos, pos + 2) === '--') break;
    if (parts === MAX_PARTS) throw new MultipartError(`a form of at most ${MAX_PARTS} parts`);
    if (!body.subarray(pos, pos + 2).equals(CRLF)) throw new MultipartError('a malformed part boundary');
    const headEnd = body.indexOf('\r\n\r\n', pos + 2);
    const end = headEnd < 0 ? -1 : body.indexOf(Buffer.concat([CRLF, delimiter]), headEnd + 4);
    if (end < 0) throw new MultipartError('a part without its end');
    const headers = body.toString('utf8', pos + 2, headEnd).split('\r\n');
    const disposition = headers.find((h) => /^content-disposition:\s*form-data/i.test(h));
    const name = disposition && param(disposition, 'name');
    if (!name) throw new MultipartError('a part without a form-data name');
    const data = body.subarray(headEnd + 4, end);
    const filename = param(disposition, 'filename');
    if (filename === undefined) fields.append(name, data.toString('utf8'));
    else if (filename !== '' || data.length) {
      const type = headers.find((h) => /^content-type:/i.test(h));
      files.push({ field: name, filename, contentType: type ? type.slice(type.indexOf(':') + 1).trim() : 'application/octet-stream', data });
    }
    pos = end + CRLF.length;
  }
  return { fields, files };
}
