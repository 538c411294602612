import type Database from 'better-sqlite3';
import type { DeliveryAttempt, DeliveryNext, DeliveryRecord, DeliveryStore, EnqueueOnce, NewDelivery, QueuedDelivery } from '../store.js';
import { withAttempts, type AttemptRow, type RecordRow } from '../delivery-rows.js';

type QueuedRow = { id: number; receiver: string; payload: string; state: QueuedDelivery['state']; attempts: number; keys: string };

const WAITING = `state IN ('pending', 'held')`;

/** The delivery queue's tables in the SQLite hub database (SqliteStore.deliveries). */
export class SqliteDeliveries implements DeliveryStore {
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      logged: db.prepare<[string], { fingerprint: string; at: number }>('SELECT fingerprint, at FROM notification_log WHERE once_key = ?'),
      log: db.prepare('INSERT INTO notification_log (once_key, fingerprint, at) VALUES (?, ?, ?) ON CONFLICT (once_key) DO UPDATE SET fingerprint = excluded.fingerprint, at = excluded.at'),
      slot: db.prepare<{ receiver: string; now: number; limit: number; window: number }, { window_start: number }>(
        `INSERT INTO receiver_windows (receiver, window_start, sent) VALUES (@receiver, @now, 1)
         ON CONFLICT (receiver) DO UPDATE SET
           window_start = CASE WHEN @now >= window_start + @window THEN @now ELSE window_start END,
           sent = CASE WHEN @now >= window_start + @window THEN 1 ELSE sent + 1 END
         WHERE @now >= window_start + @window OR sent < @limit
         RETURNING window_start`,
      ),
      windowOf: db.prepare<[string], { window_start: number }>('SELECT window_start FROM receiver_windows WHERE receiver = ?'),
      insert: db.prepare('INSERT INTO deliveries (receiver, payload, state, due_at, created_at) VALUES (?, ?, ?, ?, ?)'),
      insertKey: db.prepare('INSERT OR IGNORE INTO delivery_alerts (alert_key, delivery_id) VALUES (?, ?)'),
      claim: db.prepare<[string, number, number, number, number], QueuedRow>(
        `UPDATE deliveries SET claimed_by = ?, lease_until = ?
         WHERE id IN (SELECT id FROM deliveries WHERE ${WAITING} AND due_at <= ? AND (lease_until IS NULL OR lease_until <= ?) ORDER BY due_at, id LIMIT ?)
         RETURNING id, receiver, payload, state, attempts,
           (SELECT json_group_array(alert_key) FROM delivery_alerts WHERE delivery_id = deliveries.id) AS keys`,
      ),
      attempt: db.prepare('INSERT INTO delivery_attempts (delivery_id, at, hub, outcome, detail) VALUES (?, ?, ?, ?, ?)'),
      settle: db.prepare('UPDATE deliveries SET state = ?, due_at = coalesce(?, due_at), attempts = ?, claimed_by = NULL, lease_until = NULL WHERE id = ? AND claimed_by = ?'),
      release: db.prepare('UPDATE deliveries SET claimed_by = NULL, lease_until = NULL WHERE claimed_by = ?'),
      nextDue: db.prepare<[], { due: number | null }>(`SELECT min(due_at) AS due FROM deliveries WHERE ${WAITING}`),
      records: db.prepare<[string], RecordRow>(
        'SELECT d.id, d.receiver, d.state, d.created_at FROM delivery_alerts k JOIN deliveries d ON d.id = k.delivery_id WHERE k.alert_key = ? ORDER BY d.id',
      ),
      attempts: db.prepare<[string], AttemptRow>(
        'SELECT a.delivery_id, a.at, a.hub, a.outcome, a.detail FROM delivery_alerts k JOIN delivery_attempts a ON a.delivery_id = k.delivery_id WHERE k.alert_key = ? ORDER BY a.id',
      ),
    };
  }

  async enqueue(d: NewDelivery, once?: EnqueueOnce): Promise<number | null> {
    return this.db.transaction(() => {
      if (once) {
        const last = this.stmts.logged.get(once.key);
        if (last && last.fingerprint === once.fingerprint && d.createdAt - last.at < once.windowMs) return null;
        this.stmts.log.run(once.key, once.fingerprint, d.createdAt);
      }
      const id = Number(this.stmts.insert.run(d.receiver, d.payload, 'pending', d.dueAt, d.createdAt).lastInsertRowid);
      for (const key of d.alertKeys) this.stmts.insertKey.run(key, id);
      return id;
    })();
  }

  async takeSendSlot(receiver: string, nowMs: number, perMinute: number, windowMs: number): Promise<true | { opensAt: number }> {
    if (this.stmts.slot.get({ receiver, now: nowMs, limit: perMinute, window: windowMs })) return true;
    return { opensAt: this.stmts.windowOf.get(receiver)!.window_start + windowMs };
  }

  async claimDue(holder: string, nowMs: number, leaseMs: number, limit: number): Promise<QueuedDelivery[]> {
    const rows = this.stmts.claim.all(holder, nowMs + leaseMs, nowMs, nowMs, limit);
    // RETURNING gives no order: oldest due first is the caller's order, by id within a due time.
    return rows
      .sort((a, b) => a.id - b.id)
      .map((r) => ({ id: r.id, receiver: r.receiver, payload: r.payload, state: r.state, attempts: r.attempts, alertKeys: JSON.parse(r.keys) as string[] }));
  }

  async settle(id: number, holder: string, attempt: DeliveryAttempt, next: DeliveryNext): Promise<void> {
    this.db.transaction(() => {
      this.stmts.attempt.run(id, attempt.at, attempt.hub, attempt.outcome, attempt.detail);
      this.stmts.settle.run(next.state, next.dueAt ?? null, next.attempts, id, holder);
    })();
  }

  async releaseClaims(holder: string): Promise<void> {
    this.stmts.release.run(holder);
  }

  async nextDue(): Promise<number | null> {
    return this.stmts.nextDue.get()?.due ?? null;
  }

  async deliveriesFor(alertKey: string): Promise<DeliveryRecord[]> {
    return withAttempts(this.stmts.records.all(alertKey), this.stmts.attempts.all(alertKey));
  }
}
