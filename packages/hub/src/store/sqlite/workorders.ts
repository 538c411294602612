import type Database from 'better-sqlite3';
import type { AttachmentInfo, SpareRecord, SwapRecord, WorkOrderLogEntry, WorkOrderQuery, WorkOrderRecord, WorkOrderWrite } from '../../workorders/work-order.js';
import type { WorkOrderStore } from '../store.js';
import {
  ATTACHMENT_COLUMNS, LOG_COLUMNS, logValues, OPEN_STATE_SQL, SPARE_COLUMNS, SWAP_COLUMNS, toAttachment, toLogEntry, toSpare, toSwap, toWorkOrder,
  WORK_ORDER_COLUMNS, workOrderValues, workOrderWhere, type WorkOrderRow,
} from '../workorder-rows.js';

const SELECT = `SELECT id, ${WORK_ORDER_COLUMNS.join(', ')} FROM work_orders`;
type Row = Record<string, unknown>;

/**
 * The work orders' tables in the SQLite hub database (SqliteStore.workorders). better-sqlite3 is
 * synchronous, so a transaction here is the whole lock: nothing else runs between the read and the write.
 */
export class SqliteWorkOrders implements WorkOrderStore {
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      openByKey: db.prepare<[string, string], WorkOrderRow>(`${SELECT} WHERE terminal = ? AND code = ? AND ${OPEN_STATE_SQL}`),
      byId: db.prepare<[number], WorkOrderRow>(`${SELECT} WHERE id = ?`),
      byToken: db.prepare<[string], WorkOrderRow>(`${SELECT} WHERE token = ?`),
      byRef: db.prepare<[string], WorkOrderRow>(`${SELECT} WHERE ref = ?`),
      openFor: db.prepare<[string], WorkOrderRow>(`${SELECT} WHERE terminal = ? AND ${OPEN_STATE_SQL} ORDER BY id`),
      ofSerial: db.prepare<[string, string], WorkOrderRow>(`${SELECT} WHERE serial = ? OR current_serial = ? ORDER BY id`),
      insert: db.prepare(`INSERT INTO work_orders (${WORK_ORDER_COLUMNS.join(', ')}) VALUES (${WORK_ORDER_COLUMNS.map(() => '?').join(', ')})`),
      update: db.prepare(`UPDATE work_orders SET ${WORK_ORDER_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`),
      appendLog: db.prepare(`INSERT INTO work_order_log (order_id, ${LOG_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      log: db.prepare<[number], Row>(`SELECT ${LOG_COLUMNS} FROM work_order_log WHERE order_id = ? ORDER BY id`),
      claimAccept: db.prepare<[number, number], WorkOrderRow>(
        `UPDATE work_orders SET accept_breached_at = ? WHERE state = 'submitted' AND accept_breached_at IS NULL AND accept_due_at <= ? RETURNING id, ${WORK_ORDER_COLUMNS.join(', ')}`,
      ),
      claimResolve: db.prepare<[number, number], WorkOrderRow>(
        `UPDATE work_orders SET resolve_breached_at = ? WHERE ${OPEN_STATE_SQL} AND state <> 'verified' AND resolve_breached_at IS NULL AND resolve_due_at <= ?
         RETURNING id, ${WORK_ORDER_COLUMNS.join(', ')}`,
      ),
      addSwap: db.prepare<unknown[], Row>(
        `INSERT INTO unit_swaps (order_id, terminal, old_serial, new_serial, at, completed_at, self_test_id) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ${SWAP_COLUMNS}`,
      ),
      swapsOfOrder: db.prepare<[number], Row>(`SELECT ${SWAP_COLUMNS} FROM unit_swaps WHERE order_id = ? ORDER BY id`),
      swapsOfSerial: db.prepare<[string, string], Row>(`SELECT ${SWAP_COLUMNS} FROM unit_swaps WHERE old_serial = ? OR new_serial = ? ORDER BY id`),
      completeSwaps: db.prepare<[number, string, string, string], Row>(
        `UPDATE unit_swaps SET completed_at = ?, self_test_id = ? WHERE terminal = ? AND new_serial = ? AND completed_at IS NULL RETURNING ${SWAP_COLUMNS}`,
      ),
      putSpare: db.prepare(
        `INSERT INTO spare_units (${SPARE_COLUMNS}) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (serial) DO UPDATE SET state = excluded.state, terminal = excluded.terminal, order_id = excluded.order_id, since = excluded.since`,
      ),
      spare: db.prepare<[string], Row>(`SELECT ${SPARE_COLUMNS} FROM spare_units WHERE serial = ?`),
      spares: db.prepare<[], Row>(`SELECT ${SPARE_COLUMNS} FROM spare_units ORDER BY serial`),
      addAttachment: db.prepare<unknown[], Row>(`INSERT INTO work_order_attachments (order_id, name, content_type, size, sha256, added_by, added_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${ATTACHMENT_COLUMNS}`),
      attachments: db.prepare<[number], Row>(`SELECT ${ATTACHMENT_COLUMNS} FROM work_order_attachments WHERE order_id = ? ORDER BY id`),
      attachment: db.prepare<[number, number], Row>(`SELECT ${ATTACHMENT_COLUMNS}, data FROM work_order_attachments WHERE order_id = ? AND id = ?`),
    };
  }

  private write(current: WorkOrderRecord | undefined, w: WorkOrderWrite): WorkOrderRecord {
    const values = workOrderValues(w.order);
    let id: number;
    if (current) {
      this.stmts.update.run(...values, current.id);
      id = current.id;
    } else id = Number(this.stmts.insert.run(...values).lastInsertRowid);
    for (const e of w.log) this.stmts.appendLog.run(...logValues(id, e));
    return { ...w.order, id };
  }

  async updateOpen(terminal: string, code: string, decide: (current: WorkOrderRecord | undefined) => WorkOrderWrite | null): Promise<WorkOrderRecord | null> {
    return this.db.transaction(() => {
      const row = this.stmts.openByKey.get(terminal, code);
      const current = row ? toWorkOrder(row) : undefined;
      const w = decide(current);
      return w ? this.write(current, w) : null;
    })();
  }

  async updateById(id: number, decide: (current: WorkOrderRecord) => WorkOrderWrite | null): Promise<WorkOrderRecord | null | undefined> {
    return this.db.transaction(() => {
      const row = this.stmts.byId.get(id);
      if (!row) return undefined;
      const current = toWorkOrder(row);
      const w = decide(current);
      return w ? this.write(current, w) : null;
    })();
  }

  async get(id: number): Promise<WorkOrderRecord | undefined> {
    const row = this.stmts.byId.get(id);
    return row ? toWorkOrder(row) : undefined;
  }

  async byToken(token: string): Promise<WorkOrderRecord | undefined> {
    const row = this.stmts.byToken.get(token);
    return row ? toWorkOrder(row) : undefined;
  }

  async byRef(ref: string): Promise<WorkOrderRecord | undefined> {
    const row = this.stmts.byRef.get(ref);
    return row ? toWorkOrder(row) : undefined;
  }

  async list(q: WorkOrderQuery): Promise<WorkOrderRecord[]> {
    const { where, params } = workOrderWhere(q, () => '?');
    return this.db.prepare<unknown[], WorkOrderRow>(`${SELECT} ${where} ORDER BY id DESC LIMIT ?`).all(...params, q.limit).map(toWorkOrder);
  }

  async openFor(terminal: string): Promise<WorkOrderRecord[]> {
    return this.stmts.openFor.all(terminal).map(toWorkOrder);
  }

  async ofSerial(serial: string): Promise<WorkOrderRecord[]> {
    return this.stmts.ofSerial.all(serial, serial).map(toWorkOrder);
  }

  async log(id: number): Promise<WorkOrderLogEntry[]> {
    return this.stmts.log.all(id).map(toLogEntry);
  }

  async appendLog(id: number, entry: WorkOrderLogEntry): Promise<void> {
    this.stmts.appendLog.run(...logValues(id, entry));
  }

  async claimBreaches(which: 'accept' | 'resolve', nowMs: number): Promise<WorkOrderRecord[]> {
    const stmt = which === 'accept' ? this.stmts.claimAccept : this.stmts.claimResolve;
    return stmt.all(nowMs, nowMs).map(toWorkOrder).sort((a, b) => a.id - b.id);
  }

  async addSwap(s: Omit<SwapRecord, 'id'>): Promise<SwapRecord> {
    return toSwap(this.stmts.addSwap.get(s.orderId, s.terminal, s.oldSerial, s.newSerial, s.at, s.completedAt, s.selfTestId)!);
  }

  async swaps(filter: { orderId: number } | { serial: string }): Promise<SwapRecord[]> {
    const rows = 'orderId' in filter ? this.stmts.swapsOfOrder.all(filter.orderId) : this.stmts.swapsOfSerial.all(filter.serial, filter.serial);
    return rows.map(toSwap);
  }

  async completeSwaps(terminal: string, serial: string, selfTestId: string, atMs: number): Promise<SwapRecord[]> {
    return this.stmts.completeSwaps.all(atMs, selfTestId, terminal, serial).map(toSwap);
  }

  async putSpare(s: SpareRecord): Promise<void> {
    this.stmts.putSpare.run(s.serial, s.state, s.terminal, s.orderId, s.since);
  }

  async spare(serial: string): Promise<SpareRecord | undefined> {
    const row = this.stmts.spare.get(serial);
    return row ? toSpare(row) : undefined;
  }

  async spares(): Promise<SpareRecord[]> {
    return this.stmts.spares.all().map(toSpare);
  }

  async addAttachment(a: Omit<AttachmentInfo, 'id'>, data: Buffer, entry: (id: number) => WorkOrderLogEntry): Promise<AttachmentInfo> {
    return this.db.transaction(() => {
      const info = toAttachment(this.stmts.addAttachment.get(a.orderId, a.name, a.contentType, a.size, a.sha256, a.addedBy, a.addedAt, data)!);
      this.stmts.appendLog.run(...logValues(a.orderId, entry(info.id)));
      return info;
    })();
  }

  async attachments(orderId: number): Promise<AttachmentInfo[]> {
    return this.stmts.attachments.all(orderId).map(toAttachment);
  }

  async attachment(orderId: number, id: number): Promise<{ info: AttachmentInfo; data: Buffer } | undefined> {
    const row = this.stmts.attachment.get(orderId, id);
    return row ? { info: toAttachment(row), data: row.data as Buffer } : undefined;
  }
}
