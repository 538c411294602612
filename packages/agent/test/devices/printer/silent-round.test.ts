import { afterEach, describe, expect, it } from 'vitest';
import type { FaultEvent } from '../../../src/faults/types.js';
import { FAULT_CATALOG } from '../../../src/devices/catalog.js';
import { createRuleEngine } from '../../../src/rules/rule-files.js';
import { Monitor } from '../../../src/rules/monitor.js';
import { closeMockPrinters, mockPrinter, pollSettled } from '../../helpers/printer-mock.js';

/**
 * A printer that misses one status reply (a busy line, a loaded host: the reply came after the
 * timeout) is reported as not answering at once, but printer.disconnected waits 5 s for that very
 * reason. Its status is then unknown, not gone: the fault its real state raised must stand. Driver →
 * Monitor → the built-in rules, on the fake clock.
 */

afterEach(closeMockPrinters);

describe('one silent status round', () => {
  it('does not clear a paper end the printer really has; the next answer keeps it', async () => {
    const { driver, clock, emulator } = await mockPrinter({ paper: 'end' });
    const events: FaultEvent[] = [];
    const monitor = new Monitor(await createRuleEngine({ files: [], thresholds: {} }, FAULT_CATALOG), (e) => events.push(...e));
    const poll = async () => monitor.observe('printer', await pollSettled(driver, clock), clock.now());
    const seen = () => events.map((e) => `${e.code} ${e.state}`);

    await poll();
    expect(seen()).toEqual(['printer.paper_end raised']);
    emulator.set({ silent: true });
    await poll();
    expect(monitor.readings()['printer.connected']).toBe(false);
    emulator.set({ silent: false });
    await poll();
    expect(monitor.readings()['printer.paper']).toBe('end');
    expect(seen()).toEqual(['printer.paper_end raised']);
  });
});
