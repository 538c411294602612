import { describe, expect, it } from 'vitest';
import { Readiness } from '../../src/metrics/readiness.js';
import { openStore } from '../../src/store/open-store.js';
import { startPostgres } from '../../../../test/support/postgres-server.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { FakeClock } from '../../../../test/support/fake-clock.js';

describe('Readiness (GET /healthz?ready=1)', () => {
  const parts = () => {
    const state = { readable: true, listening: true };
    const readiness = new Readiness({ readable: async () => state.readable }, { ready: () => state.listening });
    return { state, readiness };
  };

  it('is not ready while starting, ready once serving, and not again from closing on', async () => {
    const { readiness } = parts();
    expect(await readiness.notReady()).toBe('the hub is starting');
    readiness.serving();
    expect(await readiness.notReady()).toBeNull();
    readiness.closing();
    readiness.serving();
    expect(await readiness.notReady()).toBe('the hub is closing');
  });

  it('is not ready while the database cannot be read or the fleet does not listen', async () => {
    const { state, readiness } = parts();
    readiness.serving();
    state.readable = false;
    expect(await readiness.notReady()).toBe('the database cannot be read');
    state.readable = true;
    state.listening = false;
    expect(await readiness.notReady()).toMatch(/LISTEN connection to the database is down/);
  });
});

// A server of its own, since it is stopped and started again: in both projects, whatever the suite's backend.
describe('PgFleet.ready', () => {
  it('is false while the LISTEN connection is down, and true again once it is made again', async () => {
    const server = await startPostgres({ fast: true });
    const store = await openStore(await server.createDatabase('ready'));
    try {
      const fleet = await store.openFleet('hub-a', new FakeClock());
      expect(fleet.ready()).toBe(true);
      await server.pause();
      await waitFor(() => (fleet.ready() ? undefined : true), 'the LISTEN connection lost');
      await server.resume();
      await waitFor(() => (fleet.ready() ? true : undefined), 'the LISTEN connection made again');
      await fleet.close();
      expect(fleet.ready()).toBe(false);
    } finally {
      await store.close();
      server.stop();
    }
  });
});
