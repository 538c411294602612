import type pg from 'pg';
import type { DeliveryAttempt, DeliveryNext, DeliveryRecord, DeliveryStore, EnqueueOnce, NewDelivery, QueuedDelivery } from '../store.js';
import { withAttempts } from '../delivery-rows.js';
import { withClient } from './checkout.js';

// bigint columns come back as strings from pg: each is turned into a number here.
type QueuedRow = { id: string; receiver: string; payload: string; state: QueuedDelivery['state']; attempts: number; keys: string[] };

const WAITING = `state IN ('pending', 'held')`;

/** The delivery queue's tables in the PostgreSQL hub database (PgStore.deliveries), shared by every hub on it. */
export class PgDeliveries implements DeliveryStore {
  constructor(private readonly pool: pg.Pool) {}

  async enqueue(d: NewDelivery, once?: EnqueueOnce): Promise<number | null> {
    const values = [d.receiver, d.payload, d.dueAt, d.createdAt, d.alertKeys];
    // With `once`, the log's upsert decides: of hubs queuing the same notice at once, the second waits on
    // the first's row lock, then finds the fingerprint it wrote, updates nothing, and so inserts nothing.
    const { rows } = once
      ? await this.pool.query<{ id: string }>(
          `WITH logged AS (
             INSERT INTO notification_log (once_key, fingerprint, at) VALUES ($6, $7, $4)
             ON CONFLICT (once_key) DO UPDATE SET fingerprint = excluded.fingerprint, at = excluded.at
             WHERE notification_log.fingerprint <> excluded.fingerprint OR excluded.at - notification_log.at >= $8
             RETURNING 1),
           d AS (INSERT INTO deliveries (receiver, payload, state, due_at, created_at) SELECT $1, $2, 'pending', $3, $4 FROM logged RETURNING id),
           k AS (INSERT INTO delivery_alerts (alert_key, delivery_id) SELECT DISTINCT unnest($5::text[]), id FROM d)
           SELECT id FROM d`,
          [...values, once.key, once.fingerprint, once.windowMs],
        )
      : await this.pool.query<{ id: string }>(
          `WITH d AS (INSERT INTO deliveries (receiver, payload, state, due_at, created_at) VALUES ($1, $2, 'pending', $3, $4) RETURNING id),
             k AS (INSERT INTO delivery_alerts (alert_key, delivery_id) SELECT DISTINCT unnest($5::text[]), id FROM d)
           SELECT id FROM d`,
          values,
        );
    return rows[0] ? Number(rows[0].id) : null;
  }

  async takeSendSlot(receiver: string, nowMs: number, perMinute: number, windowMs: number): Promise<true | { opensAt: number }> {
    const { rows } = await this.pool.query(
      `INSERT INTO receiver_windows (receiver, window_start, sent) VALUES ($1, $2, 1)
       ON CONFLICT (receiver) DO UPDATE SET
         window_start = CASE WHEN $2 >= receiver_windows.window_start + $4 THEN $2 ELSE receiver_windows.window_start END,
         sent = CASE WHEN $2 >= receiver_windows.window_start + $4 THEN 1 ELSE receiver_windows.sent + 1 END
       WHERE $2 >= receiver_windows.window_start + $4 OR receiver_windows.sent < $3
       RETURNING window_start`,
      [receiver, nowMs, perMinute, windowMs],
    );
    if (rows.length > 0) return true;
    const open = await this.pool.query<{ window_start: string }>('SELECT window_start FROM receiver_windows WHERE receiver = $1', [receiver]);
    return { opensAt: Number(open.rows[0]!.window_start) + windowMs };
  }

  async claimDue(holder: string, nowMs: number, leaseMs: number, limit: number): Promise<QueuedDelivery[]> {
    // SKIP LOCKED: hubs claiming at once take different rows instead of waiting on each other's.
    const { rows } = await this.pool.query<QueuedRow>(
      `WITH c AS (
         SELECT id FROM deliveries WHERE ${WAITING} AND due_at <= $3 AND (lease_until IS NULL OR lease_until <= $3)
         ORDER BY due_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
       UPDATE deliveries d SET claimed_by = $1, lease_until = $2 FROM c WHERE d.id = c.id
       RETURNING d.id, d.receiver, d.payload, d.state, d.attempts,
         ARRAY(SELECT alert_key FROM delivery_alerts WHERE delivery_id = d.id) AS keys`,
      [holder, nowMs + leaseMs, nowMs, limit],
    );
    return rows
      .map((r) => ({ id: Number(r.id), receiver: r.receiver, payload: r.payload, state: r.state, attempts: r.attempts, alertKeys: r.keys }))
      .sort((a, b) => a.id - b.id);
  }

  async settle(id: number, holder: string, attempt: DeliveryAttempt, next: DeliveryNext): Promise<void> {
    await withClient(this.pool, async (client) => {
      await client.query('BEGIN');
      await client.query('INSERT INTO delivery_attempts (delivery_id, at, hub, outcome, detail) VALUES ($1, $2, $3, $4, $5)', [
        id,
        attempt.at,
        attempt.hub,
        attempt.outcome,
        attempt.detail,
      ]);
      await client.query('UPDATE deliveries SET state = $1, due_at = coalesce($2, due_at), attempts = $3, claimed_by = NULL, lease_until = NULL WHERE id = $4 AND claimed_by = $5', [
        next.state,
        next.dueAt ?? null,
        next.attempts,
        id,
        holder,
      ]);
      await client.query('COMMIT');
    });
  }

  async releaseClaims(holder: string): Promise<void> {
    await this.pool.query('UPDATE deliveries SET claimed_by = NULL, lease_until = NULL WHERE claimed_by = $1', [holder]);
  }

  async nextDue(): Promise<number | null> {
    const { rows } = await this.pool.query<{ due: string | null }>(`SELECT min(due_at) AS due FROM deliveries WHERE ${WAITING}`);
    return rows[0]?.due == null ? null : Number(rows[0].due);
  }

  async deliveriesFor(alertKey: string): Promise<DeliveryRecord[]> {
    const records = await this.pool.query<{ id: string; receiver: string; state: DeliveryRecord['state']; created_at: string }>(
      'SELECT d.id, d.receiver, d.state, d.created_at FROM delivery_alerts k JOIN deliveries d ON d.id = k.delivery_id WHERE k.alert_key = $1 ORDER BY d.id',
      [alertKey],
    );
    const attempts = await this.pool.query<{ delivery_id: string; at: string; hub: string; outcome: DeliveryAttempt['outcome']; detail: string }>(
      'SELECT a.delivery_id, a.at, a.hub, a.outcome, a.detail FROM delivery_alerts k JOIN delivery_attempts a ON a.delivery_id = k.delivery_id WHERE k.alert_key = $1 ORDER BY a.id',
      [alertKey],
    );
    return withAttempts(
      records.rows.map((r) => ({ ...r, id: Number(r.id), created_at: Number(r.created_at) })),
      attempts.rows.map((a) => ({ ...a, delivery_id: Number(a.delivery_id), at: Number(a.at) })),
    );
  }
}
