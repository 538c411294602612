import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { createAgent, type Agent } from '../../src/agent.js';
import { parseConfig } from '../../src/config/load.js';
import type { StoredReport } from 'posdiag-hub';
import { silentLogger } from '../../src/log/logger.js';
import { SIM_PRINTER_PATH } from '../../src/devices/printer/demo.js';
import { createDemoTerminal, type DemoTerminal } from '../../src/sim/demo-terminal.js';
import { startTestHub, TEST_TOKENS } from '../../../../test/support/hub-harness.js';

export interface AgentUnderTest {
  agent: Agent;
  terminal: DemoTerminal;
  stored: StoredReport[];
  api: string;
  /** The agent's temp directory (state, logs, sysfs). */
  dir: string;
}

/**
 * An agent in this process on the demo's emulated terminal (printer on a mock serial port, battery in a
 * sysfs tree), reporting to a real hub over a real WebSocket. Everything is torn down after each test.
 */
export function agentHarness(): (options?: { devices?: Record<string, unknown>; control?: (dir: string) => Record<string, unknown> }) => Promise<AgentUnderTest> {
  let cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.reverse()) await step();
    cleanup = [];
  });
  return async (options = {}) => {
    const dir = mkdtempSync(join(tmpdir(), 'posdiag-agent-'));
    const harness = await startTestHub();
    const terminal = await createDemoTerminal(dir);
    const config = parseConfig({
      terminal: { id: 'T-0001', model: 'X990', serial: 'SN-1' },
      paths: { sysfs: terminal.sysfsRoot, dev: terminal.devRoot, state: join(dir, 'state'), logs: join(dir, 'logs') },
      devices: {
        printer: { transport: 'serial', path: SIM_PRINTER_PATH, interval: '200ms', timeout: '500ms' },
        battery: { source: 'sysfs', interval: '100ms' },
        ...options.devices,
      },
      uplink: { url: harness.hub.url, token: TEST_TOKENS['T-0001'] },
      control: { socket: join(dir, 'control.sock'), ...options.control?.(dir) },
      locale: 'en',
    });
    const agent = await createAgent({ config, log: silentLogger, serialBinding: terminal.overrides.serialBinding });
    agent.start();
    cleanup.push(
      () => agent.stop(),
      async () => terminal.close(),
      () => harness.cleanup(),
      async () => rmSync(dir, { recursive: true, force: true }),
    );
    return { agent, terminal, stored: harness.stored, api: harness.api, dir };
  };
}
