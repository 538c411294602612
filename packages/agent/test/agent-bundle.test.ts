import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentHarness } from './helpers/agent-harness.js';
import { waitFor } from '../../../test/support/wait-for.js';

const setup = agentHarness();

describe('diagnostic bundle on the hub\'s command', () => {
  it('the agent builds its bundle (live state, scrubbed logs) and the hub stores it under the command id', async () => {
    const { api, dir, agent } = await setup();
    await waitFor(() => (agent.status().readings['printer.connected'] === true ? true : undefined), 'the first printer poll');
    const res = await fetch(`${api}/terminals/T-0001/commands`, { method: 'POST', body: JSON.stringify({ name: 'bundle' }), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };

    const bundle = await waitFor(async () => {
      const got = await fetch(`${api}/bundles/${id}`);
      return got.status === 200 ? Buffer.from(await got.arrayBuffer()) : undefined;
    }, 'the bundle at the hub');
    const file = join(dir, 'from-hub.tar.gz');
    writeFileSync(file, bundle);
    const names = execFileSync('tar', ['tzf', file], { encoding: 'utf8' }).trim().split('\n');
    expect(names).toEqual(expect.arrayContaining(['posdiag-bundle/manifest.json', 'posdiag-bundle/config.json', 'posdiag-bundle/status.json', 'posdiag-bundle/outbox.json']));
    const manifest = JSON.parse(execFileSync('tar', ['xzOf', file, 'posdiag-bundle/manifest.json'], { encoding: 'utf8' }));
    expect(manifest).toMatchObject({ terminal: 'T-0001', source: 'daemon' });
    const status = JSON.parse(execFileSync('tar', ['xzOf', file, 'posdiag-bundle/status.json'], { encoding: 'utf8' }));
    expect(status.readings['printer.connected']).toBe(true);
    // The uplink token never leaves the terminal, not even to the hub it authenticates to.
    const config = execFileSync('tar', ['xzOf', file, 'posdiag-bundle/config.json'], { encoding: 'utf8' });
    expect(config).not.toContain('token-one');
  });
});
