import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAgent } from '../src/agent.js';
import { parseConfig } from '../src/config/load.js';
import { silentLogger } from '../src/log/logger.js';
import { faultDraft } from './helpers/outbox-drafts.js';
import { waitFor } from '../../../test/support/wait-for.js';

const dir = mkdtempSync(join(tmpdir(), 'posdiag-eviction-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('agent, outbox full', () => {
  it('reports an eviction at once: a heartbeat names the seqs it dropped', async () => {
    // No uplink: nothing is ever acknowledged, so the smallest outbox fills up.
    const config = parseConfig({ terminal: { id: 'T-0001' }, paths: { state: join(dir, 'state'), logs: join(dir, 'logs') }, outbox: { maxBytes: 64 * 1024 } });
    const agent = await createAgent({ config, log: silentLogger });
    agent.start();
    try {
      for (let i = 0; i < 40; i++) await agent.outbox.record(faultDraft({ severity: 'minor', padding: 3000 }));
      const notice = await waitFor(
        () => agent.outbox.pending().find((r) => r.kind === 'heartbeat' && r.outbox.droppedSeqs.length > 0),
        'a heartbeat announcing the eviction',
      );
      if (notice.kind !== 'heartbeat') throw new Error('not a heartbeat');
      expect(notice.outbox.droppedSeqs.length).toBeGreaterThan(0);
      // The dropped reports are exactly the ones no longer pending, and they were the oldest.
      const pendingSeqs = new Set(agent.outbox.pending().map((r) => r.seq));
      for (const seq of notice.outbox.droppedSeqs) expect(pendingSeqs.has(seq)).toBe(false);
      expect(Math.min(...notice.outbox.droppedSeqs)).toBe(1);
    } finally {
      await agent.stop();
    }
  });
});
