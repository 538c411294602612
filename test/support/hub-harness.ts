import { FakeClock } from './fake-clock.js';
import { startHub, type Hub, type HubOptions, type StoredReport } from 'posdiag-hub';
import { recordingLogger } from './recording-logger.js';
import { createTestDatabase } from './test-db.js';

export const TEST_TOKENS = { 'T-0001': 'token-one', 'T-0002': 'token-two' };

/**
 * A hub on 127.0.0.1 (ephemeral port) with a new database on the suite's backend (test-db.ts), a
 * FakeClock and a recording logger. `restart()` closes it and starts a new hub on the same database.
 */
export async function startTestHub(extra: Partial<HubOptions> = {}) {
  const database = await createTestDatabase();
  const log = recordingLogger();
  const clock = new FakeClock(Date.UTC(2026, 0, 2, 3, 4, 5));
  const stored: StoredReport[] = [];
  const options: HubOptions = { host: '127.0.0.1', port: 0, db: database.db, tokens: TEST_TOKENS, log, clock, ...extra };
  const open = async () => {
    const hub = await startHub(options);
    hub.onStored((row) => stored.push(row));
    return hub;
  };
  const harness = {
    hub: await open(),
    /** The hub's `db`: a SQLite path or a postgres:// URL. */
    db: database.db,
    log,
    clock,
    stored,
    get api() {
      return `http://127.0.0.1:${harness.hub.address.port}/api`;
    },
    async restart(): Promise<Hub> {
      await harness.hub.close();
      harness.hub = await open();
      return harness.hub;
    },
    async cleanup(): Promise<void> {
      await harness.hub.close();
      await database.drop();
    },
  };
  return harness;
}
