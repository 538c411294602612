import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeInputEvent, EV_KEY, KEY_CODES, type InputEvent } from '../../src/control/keypad/input-event.js';
import { agentHarness } from '../helpers/agent-harness.js';
import { waitFor } from '../../../../test/support/wait-for.js';

/** The agent's self-test paths end to end in one process: emulated devices → agent → real WebSocket → real hub. */
const setupAgent = agentHarness();

/** A keypad's recorded key presses: press, SYN, release, SYN for each key. */
function keypadRecording(dir: string, keys: number[]): string {
  const events: InputEvent[] = keys.flatMap((code, i) => [
    { timeMs: 1000 + i * 300, type: EV_KEY, code, value: 1 },
    { timeMs: 1000 + i * 300, type: 0, code: 0, value: 0 },
    { timeMs: 1080 + i * 300, type: EV_KEY, code, value: 0 },
    { timeMs: 1080 + i * 300, type: 0, code: 0, value: 0 },
  ]);
  const file = join(dir, 'keypad-recording.bin');
  writeFileSync(file, Buffer.concat(events.map(encodeInputEvent)));
  return file;
}

const setup = (options: { keypad?: (dir: string) => string } = {}) =>
  setupAgent(
    options.keypad ? { control: (dir: string) => ({ keypad: { device: options.keypad!(dir), sequence: ['KEY_F1', 'KEY_F1', 'KEY_ENTER'] } }) } : {},
  );

describe('self-test through the agent', () => {
  it('the keypad sequence runs a self-test, prints its verdict and reports it to the hub', async () => {
    const { terminal, stored } = await setup({ keypad: (dir) => keypadRecording(dir, [KEY_CODES.KEY_F1!, KEY_CODES.KEY_F1!, KEY_CODES.KEY_ENTER!]) });
    // A recording ends, and the trigger reopens it 10 s later as it would a replugged keypad, so a slow
    // run may see the sequence twice: pair each receipt with the report carrying its reference.
    const { report, verdict } = await waitFor(() => {
      for (const verdict of terminal.printer.receipts.filter((r) => r.lines[0] === 'SELF-TEST')) {
        const report = stored.find((r) => r.kind === 'self_test' && verdict.lines.includes(`Ref: ${r.result.ref}`));
        if (report?.kind === 'self_test') return { report, verdict };
      }
      return undefined;
    }, 'a printed verdict and its self-test report at the hub');
    expect(verdict.cut).toBe(true);
    expect(verdict.lines).toEqual(expect.arrayContaining(['Terminal: T-0001', `Ref: ${report.result.ref}`]));
    expect(verdict.lines).toContain(`Result: ${report.result.passed ? 'PASSED' : 'FAILED'}`);
    expect(report.commandId).toBeNull();
  });

  it('a passing full test after a fault was raised verifies it: the hub shows the open fault cleared by the test', async () => {
    const { agent, terminal, stored, api } = await setup();
    terminal.battery.setLevel(15);
    await waitFor(() => stored.find((r) => r.kind === 'fault' && r.code === 'battery.low' && r.state === 'raised'), 'battery.low at the hub');
    // Charged to 22 %: below the clear threshold (25 %) the alert holds, but the low condition (< 20 %) no longer does.
    terminal.battery.setLevel(22);
    await waitFor(() => (agent.status().readings['battery.level_pct'] === 22 ? true : undefined), 'the agent to read 22 %');
    expect(agent.status().faults.map((f) => f.code)).toContain('battery.low');

    const result = await agent.startSelfTest({ level: 'full', record: true }).result;
    expect(result.passed).toBe(true);
    expect(result.verification).toEqual([{ code: 'battery.low', instance: null, stillPresent: false }]);

    const open = await waitFor(async () => {
      const body = (await (await fetch(`${api}/faults?state=open`)).json()) as { terminals: Record<string, { code: string; verification?: unknown }[]> };
      const fault = body.terminals['T-0001']?.find((f) => f.code === 'battery.low');
      return fault?.verification ? fault : undefined;
    }, 'the verification at the hub');
    expect(open.verification).toEqual({ reportId: expect.any(String), ref: result.ref, level: 'full', at: result.finishedAt, passed: true, stillPresent: false });
  });
});
