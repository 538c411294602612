import { describe, expect, it } from 'vitest';
import type { AlarmEvent } from '../../src/alarms/alarm-events.js';
import { startTestHub } from '../../../../test/support/hub-harness.js';
import { makeHeartbeat } from '../../../../test/support/reports.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { TestAgent } from '../helpers/hub-agent.js';

const SILENCE_MS = 60_000;
const HOUR = 3_600_000;

/** The hub's wiring of terminal.silent, in the open loopback mode (no token file, no users). */
describe('terminal.silent on a hub', () => {
  it('is raised when a terminal goes silent, reminded while it stays so, and cleared when it is back', async () => {
    const h = await startTestHub({ silenceAfterMs: SILENCE_MS, reminderEveryMs: HOUR });
    try {
      const events: AlarmEvent[] = [];
      h.hub.onAlarm((e) => events.push(e));
      const alarms = async () => ((await (await fetch(`${h.api}/alarms?code=terminal.silent`)).json()) as { alarms: any[] }).alarms;
      let agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
      await agent.next();
      await agent.report(makeHeartbeat({ seq: 1 }));
      const heardAt = new Date(h.clock.now()).toISOString();
      await agent.close();
      await waitFor(() => (h.hub.connectedTerminals().length === 0 ? true : undefined), 'the hub to see the agent go');
      // A silence check each quarter period; the lease's release (a database write) may miss the first one.
      const [alarm] = await waitFor(async () => {
        await h.clock.advance(SILENCE_MS / 4);
        const found = await alarms();
        return found.length === 1 ? found : undefined;
      }, 'the silent alarm');
      expect(alarm).toMatchObject({ terminal: 'T-0001', code: 'terminal.silent', instance: null, status: 'active', since: heardAt });
      // Reminders are checked every minute: within a minute after the hour since the raise.
      await h.clock.advance(HOUR + 60_000);
      await waitFor(() => (events.some((e) => e.type === 'reminder') ? true : undefined), 'a reminder');
      agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
      await waitFor(async () => ((await alarms())[0].status === 'cleared' ? true : undefined), 'the clear');
      expect(events.map((e) => e.type)).toEqual(['raised', 'reminder', 'cleared']);
      await agent.close();
    } finally {
      await h.cleanup();
    }
  });
});
