import type { RawData } from 'ws';
import type { z } from 'zod';
import { agentMessage, type AgentMessage } from 'posdiag-protocol';

export type DecodedFrame = { ok: true; message: AgentMessage } | { ok: false; reason: string; ref: string | null };

/** Longest `reason` the hub's `error` message may carry (hubMessage schema). */
const MAX_REASON = 2000;

/** Fits a reason into the `error` message's limit. */
export function truncateReason(text: string): string {
  return text.length <= MAX_REASON ? text : `${text.slice(0, MAX_REASON - 1)}…`;
}

/** `report.id: Invalid UUID; report.seq: Too small…`: every issue with the path it concerns. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}

/** The report id a refused frame was about, when one can be read, so the agent can match the error. */
function extractRef(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const report = (value as { report?: unknown }).report;
  if (typeof report !== 'object' || report === null) return null;
  const id = (report as { id?: unknown }).id;
  return typeof id === 'string' && id.length <= 64 ? id : null;
}

/** Turns one WebSocket frame into a validated agent message, or a precise reason it is refused. */
export function decodeAgentFrame(data: RawData, isBinary: boolean): DecodedFrame {
  if (isBinary) return { ok: false, reason: 'binary frames are not accepted: send JSON text frames', ref: null };
  const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  const text = bytes.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: truncateReason(`invalid JSON: ${(err as Error).message}`), ref: null };
  }
  const parsed = agentMessage.safeParse(json);
  if (!parsed.success) {
    return { ok: false, reason: truncateReason(`invalid message: ${describeIssues(parsed.error)}`), ref: extractRef(json) };
  }
  return { ok: true, message: parsed.data };
}
