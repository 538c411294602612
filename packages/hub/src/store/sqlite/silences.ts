import type Database from 'better-sqlite3';
import type { Silence, SilenceInput } from '../../notify/silences.js';
import type { SilenceStore } from '../store.js';
import { toSilence, type SilenceRow } from '../silence-rows.js';

const COLUMNS = 'id, matchers, starts_at, ends_at, created_by, comment';

/** The silences table of the SQLite hub database (SqliteStore.silences). */
export class SqliteSilences implements SilenceStore {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      insert: db.prepare<[string, number, number, string, string], SilenceRow>(
        `INSERT INTO silences (matchers, starts_at, ends_at, created_by, comment) VALUES (?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
      ),
      expire: db.prepare<[number, number, number], SilenceRow>(
        `UPDATE silences SET starts_at = min(starts_at, ?), ends_at = min(ends_at, ?) WHERE id = ? RETURNING ${COLUMNS}`,
      ),
      list: db.prepare<[number], SilenceRow>(`SELECT ${COLUMNS} FROM silences WHERE ends_at > ? ORDER BY id`),
    };
  }

  async add(s: SilenceInput): Promise<Silence> {
    return toSilence(this.stmts.insert.get(JSON.stringify(s.matchers), s.startsAt, s.endsAt, s.createdBy, s.comment)!);
  }

  async expire(id: string, nowMs: number): Promise<Silence | undefined> {
    if (!/^[1-9][0-9]{0,15}$/.test(id)) return undefined;
    const row = this.stmts.expire.get(nowMs, nowMs, Number(id));
    return row ? toSilence(row) : undefined;
  }

  async list(endedAfterMs: number): Promise<Silence[]> {
    return this.stmts.list.all(endedAfterMs).map(toSilence);
  }
}
