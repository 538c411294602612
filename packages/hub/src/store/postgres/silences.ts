import type pg from 'pg';
import type { Silence, SilenceInput } from '../../notify/silences.js';
import type { SilenceStore } from '../store.js';
import { toSilence, type SilenceRow } from '../silence-rows.js';

const COLUMNS = 'id, matchers, starts_at, ends_at, created_by, comment';

/** The silences table of the PostgreSQL hub database (PgStore.silences). */
export class PgSilences implements SilenceStore {
  constructor(private readonly pool: pg.Pool) {}

  async add(s: SilenceInput): Promise<Silence> {
    const { rows } = await this.pool.query<SilenceRow>(
      `INSERT INTO silences (matchers, starts_at, ends_at, created_by, comment) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [JSON.stringify(s.matchers), s.startsAt, s.endsAt, s.createdBy, s.comment],
    );
    return toSilence(rows[0]!);
  }

  async expire(id: string, nowMs: number): Promise<Silence | undefined> {
    if (!/^[1-9][0-9]{0,15}$/.test(id)) return undefined;
    const { rows } = await this.pool.query<SilenceRow>(
      `UPDATE silences SET starts_at = least(starts_at, $1), ends_at = least(ends_at, $1) WHERE id = $2 RETURNING ${COLUMNS}`,
      [nowMs, id],
    );
    return rows[0] ? toSilence(rows[0]) : undefined;
  }

  async list(endedAfterMs: number): Promise<Silence[]> {
    const { rows } = await this.pool.query<SilenceRow>(`SELECT ${COLUMNS} FROM silences WHERE ends_at > $1 ORDER BY id`, [endedAfterMs]);
    return rows.map(toSilence);
  }
}
