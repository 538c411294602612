import type pg from 'pg';
import type { AttachmentInfo, SpareRecord, SwapRecord, WorkOrderLogEntry, WorkOrderQuery, WorkOrderRecord, WorkOrderWrite } from '../../workorders/work-order.js';
import type { WorkOrderStore } from '../store.js';
import {
  ATTACHMENT_COLUMNS, LOG_COLUMNS, logValues, OPEN_STATE_SQL, SPARE_COLUMNS, SWAP_COLUMNS, toAttachment, toLogEntry, toSpare, toSwap, toWorkOrder,
  WORK_ORDER_COLUMNS, workOrderValues, workOrderWhere, type WorkOrderRow,
} from '../workorder-rows.js';
import { inTransaction } from './checkout.js';

const COLUMNS = `id, ${WORK_ORDER_COLUMNS.join(', ')}`;
const SELECT = `SELECT ${COLUMNS} FROM work_orders`;
const INSERT = `INSERT INTO work_orders (${WORK_ORDER_COLUMNS.join(', ')}) VALUES (${WORK_ORDER_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`;
const UPDATE = `UPDATE work_orders SET ${WORK_ORDER_COLUMNS.map((c, i) => `${c} = $${i + 1}`).join(', ')} WHERE id = $${WORK_ORDER_COLUMNS.length + 1}`;
const APPEND_LOG = `INSERT INTO work_order_log (order_id, ${LOG_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`;
type Row = Record<string, unknown>;

/**
 * The work orders' tables in the PostgreSQL hub database (PgStore.workorders). A change holds, for its
 * transaction, a lock on the order's key (an advisory lock: the order may not exist yet) or its row, so
 * two hubs deciding on one order at once take turns, the second deciding on what the first wrote.
 */
export class PgWorkOrders implements WorkOrderStore {
  constructor(private readonly pool: pg.Pool) {}

  private change(lock: (client: pg.PoolClient) => Promise<{ current: WorkOrderRecord | undefined } | undefined>, decide: (current: WorkOrderRecord | undefined) => WorkOrderWrite | null) {
    return inTransaction(this.pool, async (client): Promise<WorkOrderRecord | null | undefined> => {
      const found = await lock(client);
      if (!found) return undefined;
      const w = decide(found.current);
      return w ? write(client, found.current, w) : null;
    });
  }

  async updateOpen(terminal: string, code: string, decide: (current: WorkOrderRecord | undefined) => WorkOrderWrite | null): Promise<WorkOrderRecord | null> {
    const result = await this.change(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 1))', [JSON.stringify(['workorder', terminal, code])]);
      const { rows } = await client.query<WorkOrderRow>(`${SELECT} WHERE terminal = $1 AND code = $2 AND ${OPEN_STATE_SQL}`, [terminal, code]);
      return { current: rows[0] ? toWorkOrder(rows[0]) : undefined };
    }, decide);
    return result ?? null;
  }

  async updateById(id: number, decide: (current: WorkOrderRecord) => WorkOrderWrite | null): Promise<WorkOrderRecord | null | undefined> {
    return this.change(async (client) => {
      const { rows } = await client.query<WorkOrderRow>(`${SELECT} WHERE id = $1 FOR UPDATE`, [id]);
      return rows[0] ? { current: toWorkOrder(rows[0]) } : undefined;
    }, (current) => decide(current!));
  }

  private async one(where: string, value: unknown): Promise<WorkOrderRecord | undefined> {
    const { rows } = await this.pool.query<WorkOrderRow>(`${SELECT} WHERE ${where}`, [value]);
    return rows[0] ? toWorkOrder(rows[0]) : undefined;
  }

  get(id: number): Promise<WorkOrderRecord | undefined> {
    return this.one('id = $1', id);
  }

  byToken(token: string): Promise<WorkOrderRecord | undefined> {
    return this.one('token = $1', token);
  }

  byRef(ref: string): Promise<WorkOrderRecord | undefined> {
    return this.one('ref = $1', ref);
  }

  async list(q: WorkOrderQuery): Promise<WorkOrderRecord[]> {
    const { where, params } = workOrderWhere(q, (n) => `$${n}`);
    const { rows } = await this.pool.query<WorkOrderRow>(`${SELECT} ${where} ORDER BY id DESC LIMIT $${params.length + 1}`, [...params, q.limit]);
    return rows.map(toWorkOrder);
  }

  async openFor(terminal: string): Promise<WorkOrderRecord[]> {
    const { rows } = await this.pool.query<WorkOrderRow>(`${SELECT} WHERE terminal = $1 AND ${OPEN_STATE_SQL} ORDER BY id`, [terminal]);
    return rows.map(toWorkOrder);
  }

  async ofSerial(serial: string): Promise<WorkOrderRecord[]> {
    const { rows } = await this.pool.query<WorkOrderRow>(`${SELECT} WHERE serial = $1 OR current_serial = $1 ORDER BY id`, [serial]);
    return rows.map(toWorkOrder);
  }

  async log(id: number): Promise<WorkOrderLogEntry[]> {
    const { rows } = await this.pool.query<Row>(`SELECT ${LOG_COLUMNS} FROM work_order_log WHERE order_id = $1 ORDER BY id`, [id]);
    return rows.map(toLogEntry);
  }

  async appendLog(id: number, entry: WorkOrderLogEntry): Promise<void> {
    await this.pool.query(APPEND_LOG, logValues(id, entry));
  }

  async claimBreaches(which: 'accept' | 'resolve', nowMs: number): Promise<WorkOrderRecord[]> {
    const sql =
      which === 'accept'
        ? `UPDATE work_orders SET accept_breached_at = $1 WHERE state = 'submitted' AND accept_breached_at IS NULL AND accept_due_at <= $1 RETURNING ${COLUMNS}`
        : `UPDATE work_orders SET resolve_breached_at = $1 WHERE ${OPEN_STATE_SQL} AND state <> 'verified' AND resolve_breached_at IS NULL AND resolve_due_at <= $1 RETURNING ${COLUMNS}`;
    const { rows } = await this.pool.query<WorkOrderRow>(sql, [nowMs]);
    return rows.map(toWorkOrder).sort((a, b) => a.id - b.id);
  }

  async addSwap(s: Omit<SwapRecord, 'id'>): Promise<SwapRecord> {
    const { rows } = await this.pool.query<Row>(
      `INSERT INTO unit_swaps (order_id, terminal, old_serial, new_serial, at, completed_at, self_test_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${SWAP_COLUMNS}`,
      [s.orderId, s.terminal, s.oldSerial, s.newSerial, s.at, s.completedAt, s.selfTestId],
    );
    return toSwap(rows[0]!);
  }

  async swaps(filter: { orderId: number } | { serial: string }): Promise<SwapRecord[]> {
    const { rows } =
      'orderId' in filter
        ? await this.pool.query<Row>(`SELECT ${SWAP_COLUMNS} FROM unit_swaps WHERE order_id = $1 ORDER BY id`, [filter.orderId])
        : await this.pool.query<Row>(`SELECT ${SWAP_COLUMNS} FROM unit_swaps WHERE old_serial = $1 OR new_serial = $1 ORDER BY id`, [filter.serial]);
    return rows.map(toSwap);
  }

  async completeSwaps(terminal: string, serial: string, selfTestId: string, atMs: number): Promise<SwapRecord[]> {
    const { rows } = await this.pool.query<Row>(
      `UPDATE unit_swaps SET completed_at = $1, self_test_id = $2 WHERE terminal = $3 AND new_serial = $4 AND completed_at IS NULL RETURNING ${SWAP_COLUMNS}`,
      [atMs, selfTestId, terminal, serial],
    );
    return rows.map(toSwap);
  }

  async putSpare(s: SpareRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO spare_units (${SPARE_COLUMNS}) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (serial) DO UPDATE SET state = excluded.state, terminal = excluded.terminal, order_id = excluded.order_id, since = excluded.since`,
      [s.serial, s.state, s.terminal, s.orderId, s.since],
    );
  }

  async spare(serial: string): Promise<SpareRecord | undefined> {
    const { rows } = await this.pool.query<Row>(`SELECT ${SPARE_COLUMNS} FROM spare_units WHERE serial = $1`, [serial]);
    return rows[0] ? toSpare(rows[0]) : undefined;
  }

  async spares(): Promise<SpareRecord[]> {
    const { rows } = await this.pool.query<Row>(`SELECT ${SPARE_COLUMNS} FROM spare_units ORDER BY serial`);
    return rows.map(toSpare);
  }

  addAttachment(a: Omit<AttachmentInfo, 'id'>, data: Buffer, entry: (id: number) => WorkOrderLogEntry): Promise<AttachmentInfo> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<Row>(
        `INSERT INTO work_order_attachments (order_id, name, content_type, size, sha256, added_by, added_at, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${ATTACHMENT_COLUMNS}`,
        [a.orderId, a.name, a.contentType, a.size, a.sha256, a.addedBy, a.addedAt, data],
      );
      const info = toAttachment(rows[0]!);
      await client.query(APPEND_LOG, logValues(a.orderId, entry(info.id)));
      return info;
    });
  }

  async attachments(orderId: number): Promise<AttachmentInfo[]> {
    const { rows } = await this.pool.query<Row>(`SELECT ${ATTACHMENT_COLUMNS} FROM work_order_attachments WHERE order_id = $1 ORDER BY id`, [orderId]);
    return rows.map(toAttachment);
  }

  async attachment(orderId: number, id: number): Promise<{ info: AttachmentInfo; data: Buffer } | undefined> {
    const { rows } = await this.pool.query<Row>(`SELECT ${ATTACHMENT_COLUMNS}, data FROM work_order_attachments WHERE order_id = $1 AND id = $2`, [orderId, id]);
    return rows[0] ? { info: toAttachment(rows[0]), data: rows[0].data as Buffer } : undefined;
  }
}

async function write(client: pg.PoolClient, current: WorkOrderRecord | undefined, w: WorkOrderWrite): Promise<WorkOrderRecord> {
  const values = workOrderValues(w.order);
  let id: number;
  if (current) {
    await client.query(UPDATE, [...values, current.id]);
    id = current.id;
  } else id = Number((await client.query<{ id: string }>(INSERT, values)).rows[0]!.id);
  for (const e of w.log) await client.query(APPEND_LOG, logValues(id, e));
  return { ...w.order, id };
}
