import type Database from 'better-sqlite3';
import { containsPattern, type InventoryFacts, type InventoryRecord, type InventoryStore, type TerminalCard } from '../store.js';

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
      // One parameter however many terminals (SQLite limits their number): a JSON array.
      cards: db.prepare<[string], { id: string; terminal: string | null; model: string | null; serial: string | null; firmware: string | null; agent_version: string | null; updated_at: number | null; labels: string | null; open: number }>(
        `SELECT t.value AS id, i.terminal, i.model, i.serial, i.firmware, i.agent_version, i.updated_at, l.labels,
           (SELECT count(*) FROM alarms a WHERE a.terminal = t.value AND a.status = 'active' AND a.closed_at IS NULL) AS open
         FROM json_each(?) t LEFT JOIN terminal_inventory i ON i.terminal = t.value LEFT JOIN terminal_labels l ON l.terminal = t.value`,
      ),
      search: db.prepare<{ like: string; after: string; limit: number }, { terminal: string }>(
        `SELECT terminal FROM terminal_inventory WHERE terminal > :after AND (lower(serial) LIKE :like ESCAPE '\\' OR lower(model) LIKE :like ESCAPE '\\')
         UNION
         SELECT terminal FROM terminal_labels WHERE terminal > :after AND EXISTS (SELECT 1 FROM json_each(labels) v WHERE lower(v.value) LIKE :like ESCAPE '\\')
         ORDER BY terminal LIMIT :limit`,
      ),
    };
  }

  async record(terminal: string, f: InventoryFacts, atMs: number): Promise<boolean> {
    return this.stmts.record.run(terminal, f.model, f.serial, f.firmware, f.agentVersion, atMs).changes > 0;
  }

  async all(): Promise<Map<string, InventoryRecord>> {
    return new Map(this.stmts.all.all().map((r) => [r.terminal, { model: r.model, serial: r.serial, firmware: r.firmware, agentVersion: r.agent_version, updatedAt: r.updated_at }]));
  }

  async cards(terminals: readonly string[]): Promise<Map<string, TerminalCard>> {
    const rows = this.stmts.cards.all(JSON.stringify(terminals));
    return new Map(
      rows.map((r) => [
        r.id,
        {
          inventory: r.terminal === null ? null : { model: r.model, serial: r.serial, firmware: r.firmware, agentVersion: r.agent_version!, updatedAt: r.updated_at! },
          labels: r.labels === null ? {} : (JSON.parse(r.labels) as Record<string, string>),
          openAlarms: r.open,
        },
      ]),
    );
  }

  async search(needle: string, after: string | null, limit: number): Promise<string[]> {
    return this.stmts.search.all({ like: containsPattern(needle), after: after ?? '', limit }).map((r) => r.terminal);
  }
}
