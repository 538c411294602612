import { isIP } from 'node:net';
import { AGENT_VERSION } from '../../version.js';

/**
 * The HTTP `Date` of a TLS payment host, a second reference (besides the hub) for `system.clock_skew_s`:
 * one `HEAD /` request and the response head it gets back. Pure: bytes in, values out; the socket work
 * is the target probe's.
 */

export const USER_AGENT = `posdiag/${AGENT_VERSION}`;

/** The most of a response head we read: a bigger head is not worth parsing for one header. */
export const MAX_HEAD_BYTES = 8 * 1024;

/** Names that may appear in a Host header as they are; anything else (spaces, CR/LF, "/") is not a host. */
const HOST_NAME = /^[A-Za-z0-9._-]+$/;

/**
 * `HEAD / HTTP/1.1` for `host`, asking the server to close after answering. The port is in `Host` only
 * when it is not HTTPS's 443 (RFC 7230 §5.4). Undefined when `host` cannot be written into a Host header.
 */
export function headRequest(host: string, port: number, userAgent: string = USER_AGENT): Buffer | undefined {
  const name = isIP(host) === 6 ? `[${host}]` : HOST_NAME.test(host) ? host : undefined;
  if (name === undefined) return undefined;
  const authority = port === 443 ? name : `${name}:${port}`;
  return Buffer.from(`HEAD / HTTP/1.1\r\nHost: ${authority}\r\nUser-Agent: ${userAgent}\r\nConnection: close\r\n\r\n`, 'latin1');
}

export type ResponseHead =
  /** No blank line yet, and still under the limit: read more. */
  | { kind: 'incomplete' }
  /** Not an HTTP/1.x response, or a head over the limit: stop reading. */
  | { kind: 'invalid'; reason: string }
  /** `size`: bytes the head took, blank line included (a 1xx head is followed by the real one). */
  | { kind: 'head'; status: number; fields: Map<string, string[]>; size: number };

const STATUS_LINE = /^HTTP\/\d\.\d ([1-5]\d\d)(?:[ \t].*)?$/;
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const PREFIX = 'HTTP/';

/**
 * Parses the status line and header fields at the start of `bytes`, as much as has arrived.
 *
 * Tolerant where RFC 7230 lets a recipient be (§3.5: bare LF line ends; §3.2.4: obs-fold continuation
 * lines are joined with one space), strict where tolerance would mean guessing: a first line that is not
 * a status line makes the whole response invalid, and a field line without a valid name is skipped.
 * Field names are lower-cased; repeated fields keep every value in order of arrival.
 */
export function parseResponseHead(bytes: Buffer, limit: number = MAX_HEAD_BYTES): ResponseHead {
  // Garbage shows at once: no need to wait for a blank line (or the deadline) to know it is not HTTP.
  const start = bytes.subarray(0, PREFIX.length).toString('latin1');
  if (start !== PREFIX.slice(0, start.length)) return { kind: 'invalid', reason: 'not an HTTP response' };
  const text = bytes.toString('latin1');
  const end = /\r?\n\r?\n/.exec(text);
  const size = end ? end.index + end[0].length : undefined;
  if (size === undefined ? bytes.length > limit : size > limit) return { kind: 'invalid', reason: `response head over ${limit} bytes` };
  if (size === undefined) return { kind: 'incomplete' };

  const [statusLine = '', ...lines] = text.slice(0, end!.index).split(/\r?\n/);
  const status = STATUS_LINE.exec(statusLine);
  if (!status) return { kind: 'invalid', reason: 'not an HTTP status line' };

  const fields = new Map<string, string[]>();
  let last: { values: string[] } | undefined;
  for (const line of lines) {
    if (line.startsWith(' ') || line.startsWith('\t')) {
      // A continuation of the previous field; one before any field continues nothing and is dropped.
      if (last) last.values[last.values.length - 1] = `${last.values.at(-1)} ${line.trim()}`.trim();
      continue;
    }
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    if (colon <= 0 || !FIELD_NAME.test(name)) {
      last = undefined;
      continue;
    }
    const key = name.toLowerCase();
    const values = fields.get(key) ?? [];
    values.push(line.slice(colon + 1).trim());
    fields.set(key, values);
    last = { values };
  }
  return { kind: 'head', status: Number(status[1]), fields, size };
}

/**
 * The instant the response's `Date` field names, in ms since the epoch. Undefined when there is none,
 * when one does not parse, or when repeated fields disagree (which one is the server's clock?).
 */
export function responseDate(fields: Map<string, string[]>): number | undefined {
  const times = (fields.get('date') ?? []).map(parseImfFixdate);
  const first = times[0];
  if (first === undefined || times.some((t) => t !== first)) return undefined;
  return first;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const IMF_FIXDATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d\d) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d\d):(\d\d):(\d\d) GMT$/;

/**
 * RFC 7231 §7.1.1.1 IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form every current server sends;
 * the obsolete RFC 850 and asctime forms, and anything Date.parse would merely guess at, give undefined.
 * Impossible dates (31 Feb, 25:00) give undefined too. A leap second (:60) is the next second's start.
 */
export function parseImfFixdate(text: string): number | undefined {
  const m = IMF_FIXDATE.exec(text);
  if (!m) return undefined;
  const [day, month, year, hour, minute, second] = [m[1], MONTHS.indexOf(m[2]!), m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = Date.UTC(year, month, day, hour, minute, second);
  // Date.UTC rolls 31 Feb over into March; a server that says so has no trustworthy clock either.
  return new Date(Date.UTC(year, month, day)).getUTCDate() === day && day > 0 ? ms : undefined;
}
