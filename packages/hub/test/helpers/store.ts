import type { Report } from 'posdiag-protocol';
import { openStore } from '../../src/store/open-store.js';
import type { HubStore, InsertOutcome } from '../../src/store/store.js';
import { createTestDatabase } from '../../../../test/support/test-db.js';

/** A store on a new database of the suite's backend; `dispose` closes it and drops the database. */
export async function openTestStore(): Promise<{ store: HubStore; db: string; dispose: () => Promise<void> }> {
  const database = await createTestDatabase();
  const store = await openStore(database.db);
  return {
    store,
    db: database.db,
    async dispose() {
      await store.close();
      await database.drop();
    },
  };
}

/** One report in a batch of its own. */
export async function insertOne(store: HubStore, report: Report, receivedAt: string): Promise<InsertOutcome> {
  const [outcome] = await store.insertBatch([{ report, receivedAt }]);
  return outcome!;
}
