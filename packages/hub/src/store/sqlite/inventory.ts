import type Database from 'better-sqlite3';
import type { InventoryFacts, InventoryRecord, InventoryStore } from '../store.js';

type Row = { terminal: string; model: string | null; serial: string | null; firmware: string | null; agent_version: string; updated_at: number };

/** The terminals' inventory in the SQLite hub database (SqliteStore.inventory). */
export class SqliteInventory implements InventoryStore {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      // The WHERE of the upsert leaves an unchanged row alone: a hello saying the same again writes nothing.
      record: db.prepare(
        `INSERT INTO terminal_inventory (terminal, model, serial, firmware, agent_version, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (terminal) DO UPDATE SET model = excluded.model, serial = excluded.serial, firmware = excluded.firmware,
           agent_version = excluded.agent_version, updated_at = excluded.updated_at
         WHERE model IS NOT excluded.model OR serial IS NOT excluded.serial OR firmware IS NOT excluded.firmware OR agent_version IS NOT excluded.agent_version`,
      ),
      all: db.prepare<[], Row>('SELECT terminal, model, serial, firmware, agent_version, updated_at FROM terminal_inventory'),
    };
  }

  async record(terminal: string, f: InventoryFacts, atMs: number): Promise<boolean> {
    return this.stmts.record.run(terminal, f.model, f.serial, f.firmware, f.agentVersion, atMs).changes > 0;
  }

  async all(): Promise<Map<string, InventoryRecord>> {
    return new Map(this.stmts.all.all().map((r) => [r.terminal, { model: r.model, serial: r.serial, firmware: r.firmware, agentVersion: r.agent_version, updatedAt: r.updated_at }]));
  }
}
