import type pg from 'pg';
import type { InventoryFacts, InventoryRecord, InventoryStore } from '../store.js';

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
}
