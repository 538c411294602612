import type pg from 'pg';
import { containsPattern, type InventoryFacts, type InventoryRecord, type InventoryStore, type TerminalCard } from '../store.js';

// updated_at is a bigint, which pg returns as a string.
type Row = { terminal: string; model: string | null; serial: string | null; firmware: string | null; agent_version: string; updated_at: string };

/** The terminals' inventory in the PostgreSQL hub database (PgStore.inventory), shared by every hub on it. */
export class PgInventory implements InventoryStore {
  constructor(private readonly pool: pg.Pool) {}

  async record(terminal: string, f: InventoryFacts, atMs: number): Promise<boolean> {
    // The WHERE of the upsert leaves an unchanged row alone: a hello saying the same again writes nothing.
    const { rowCount } = await this.pool.query(
      `INSERT INTO terminal_inventory AS t (terminal, model, serial, firmware, agent_version, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (terminal) DO UPDATE SET model = EXCLUDED.model, serial = EXCLUDED.serial, firmware = EXCLUDED.firmware,
         agent_version = EXCLUDED.agent_version, updated_at = EXCLUDED.updated_at
       WHERE (t.model, t.serial, t.firmware, t.agent_version) IS DISTINCT FROM (EXCLUDED.model, EXCLUDED.serial, EXCLUDED.firmware, EXCLUDED.agent_version)`,
      [terminal, f.model, f.serial, f.firmware, f.agentVersion, atMs],
    );
    return (rowCount ?? 0) > 0;
  }

  async all(): Promise<Map<string, InventoryRecord>> {
    const { rows } = await this.pool.query<Row>('SELECT terminal, model, serial, firmware, agent_version, updated_at FROM terminal_inventory');
    return new Map(rows.map((r) => [r.terminal, { model: r.model, serial: r.serial, firmware: r.firmware, agentVersion: r.agent_version, updatedAt: Number(r.updated_at) }]));
  }

  async cards(terminals: readonly string[]): Promise<Map<string, TerminalCard>> {
    const { rows } = await this.pool.query<Omit<Row, 'terminal' | 'agent_version' | 'updated_at'> & { id: string; terminal: string | null; agent_version: string | null; updated_at: string | null; labels: Record<string, string> | null; open: string }>(
      `SELECT t.id, i.terminal, i.model, i.serial, i.firmware, i.agent_version, i.updated_at, l.labels,
         (SELECT count(*) FROM alarms a WHERE a.terminal = t.id AND a.status = 'active' AND a.closed_at IS NULL) AS open
       FROM unnest($1::text[]) AS t(id) LEFT JOIN terminal_inventory i ON i.terminal = t.id LEFT JOIN terminal_labels l ON l.terminal = t.id`,
      [terminals],
    );
    return new Map(
      rows.map((r) => [
        r.id,
        {
          inventory: r.terminal === null ? null : { model: r.model, serial: r.serial, firmware: r.firmware, agentVersion: r.agent_version!, updatedAt: Number(r.updated_at) },
          labels: r.labels ?? {},
          openAlarms: Number(r.open),
        },
      ]),
    );
  }

  async search(needle: string, after: string | null, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ terminal: string }>(
      // Bytewise ("C") order, as the console sorts the ids it knows, whatever the database's collation.
      `SELECT terminal COLLATE "C" AS terminal FROM terminal_inventory WHERE terminal COLLATE "C" > $2 AND (lower(serial) LIKE $1 OR lower(model) LIKE $1)
       UNION
       SELECT terminal COLLATE "C" FROM terminal_labels WHERE terminal COLLATE "C" > $2 AND EXISTS (SELECT 1 FROM jsonb_each_text(labels) v WHERE lower(v.value) LIKE $1)
       ORDER BY terminal LIMIT $3`,
      [containsPattern(needle), after ?? '', limit],
    );
    return rows.map((r) => r.terminal);
  }
}
