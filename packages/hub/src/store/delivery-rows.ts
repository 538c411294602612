import type { DeliveryAttempt, DeliveryRecord } from './store.js';

/** The delivery log's rows as both backends read them (PostgreSQL's bigints already numbers). */
export type RecordRow = { id: number; receiver: string; state: DeliveryRecord['state']; created_at: number };
export type AttemptRow = { delivery_id: number; at: number; hub: string; outcome: DeliveryAttempt['outcome']; detail: string };

/** Each delivery with its attempts, in the records' order. */
export function withAttempts(records: readonly RecordRow[], attempts: readonly AttemptRow[]): DeliveryRecord[] {
  const byId = new Map<number, DeliveryRecord>(
    records.map((r) => [r.id, { id: r.id, receiver: r.receiver, state: r.state, createdAt: r.created_at, attempts: [] }]),
  );
  for (const a of attempts) byId.get(a.delivery_id)?.attempts.push({ at: a.at, hub: a.hub, outcome: a.outcome, detail: a.detail });
  return [...byId.values()];
}
