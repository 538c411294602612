import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { startTestHub } from '../../../../test/support/hub-harness.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { subscribe } from '../helpers/sse-subscriber.js';

const SILENCE_MS = 10 * 60_000;

describe('a hub restarted under the same --instance', () => {
  it('holds none of what its previous run held when it died: those terminals are not connected, and fall silent', async () => {
    const h = await startTestHub({ instance: 'hub-x', silenceAfterMs: SILENCE_MS });
    const { clock } = h;
    try {
      await h.hub.close();
      // What the previous run left when it was killed holding T-0001: no release, a lease of its own name.
      const side = await openStore(h.db);
      await side.holdTerminal('T-0001', 'hub-x', clock.now(), 30_000);
      await side.close();
      const hub = await h.restart();
      const list = (await (await fetch(`http://127.0.0.1:${hub.address.port}/api/terminals`)).json()) as { id: string; connected: boolean }[];
      expect(list.find((t) => t.id === 'T-0001')).toMatchObject({ connected: false });
      const { events } = await subscribe(`${h.api}/alerts`);
      await clock.advance(SILENCE_MS + SILENCE_MS / 4);
      await waitFor(() => (events.some((e) => e.event === 'silent' && e.data.terminal === 'T-0001') ? true : undefined), 'T-0001 announced silent');
    } finally {
      await h.cleanup();
    }
  });
});
