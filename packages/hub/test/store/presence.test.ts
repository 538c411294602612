import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandRecord, HubStore } from '../../src/store/store.js';
import { openTestStore } from '../helpers/store.js';

const LEASE = 30_000;
const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);

describe('presence, leases and commands in the store', () => {
  let store: HubStore;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ store, dispose } = await openTestStore());
  });
  afterEach(() => dispose());

  it('a lease changes hands at once when the terminal connects to another hub; the old hub cannot release it', async () => {
    expect(await store.holdTerminal('T-0001', 'hub-a', T0, LEASE)).toEqual({ previousHolder: null, wasSilent: false });
    expect(await store.holdTerminal('T-0001', 'hub-b', T0 + 1000, LEASE)).toEqual({ previousHolder: 'hub-a', wasSilent: false });
    await store.releaseTerminal('T-0001', 'hub-a', T0 + 2000);
    expect(await store.presence('T-0001')).toEqual([{ terminal: 'T-0001', holder: 'hub-b', leaseExpires: T0 + 1000 + LEASE, lastHeard: T0 + 1000, silent: false }]);
    await store.releaseTerminal('T-0001', 'hub-b', T0 + 3000);
    expect(await store.presence('T-0001')).toEqual([{ terminal: 'T-0001', holder: null, leaseExpires: null, lastHeard: T0 + 3000, silent: false }]);
  });

  it('renews a hub\'s one lease on all its terminals, and writes back when terminals were heard, never backwards', async () => {
    await store.holdTerminal('T-0001', 'hub-a', T0, LEASE);
    await store.holdTerminal('T-0002', 'hub-b', T0, LEASE);
    await store.renewLeases('hub-a', new Map([['T-0001', T0 + 9000], ['T-0003', T0 + 5000]]), T0 + 10_000, LEASE);
    await store.renewLeases('hub-a', new Map([['T-0001', T0 + 1]]), T0 + 11_000, LEASE);
    expect(await store.presence()).toEqual([
      { terminal: 'T-0001', holder: 'hub-a', leaseExpires: T0 + 11_000 + LEASE, lastHeard: T0 + 9000, silent: false },
      { terminal: 'T-0002', holder: 'hub-b', leaseExpires: T0 + LEASE, lastHeard: T0, silent: false },
      { terminal: 'T-0003', holder: null, leaseExpires: null, lastHeard: T0 + 5000, silent: false },
    ]);
  });

  it('marks silent once: heard long enough ago, no live lease, not excluded; a new hold says it was silent and clears it', async () => {
    await store.holdTerminal('T-0001', 'hub-a', T0, LEASE); // a lease that will lapse: its hub died
    await store.holdTerminal('T-0002', 'hub-a', T0, LEASE);
    await store.releaseTerminal('T-0002', 'hub-a', T0);
    await store.holdTerminal('T-0003', 'hub-b', T0, LEASE);
    await store.releaseTerminal('T-0003', 'hub-b', T0);
    const later = T0 + 20 * 60_000;
    expect(await store.markSilent(T0, T0 + 1000, [])).toEqual([
      { terminal: 'T-0002', lastHeard: T0 },
      { terminal: 'T-0003', lastHeard: T0 },
    ]);
    expect(await store.markSilent(later - 15 * 60_000, later, ['T-0003'])).toEqual([{ terminal: 'T-0001', lastHeard: T0 }]);
    expect(await store.markSilent(later, later, [])).toEqual([]);
    expect(await store.holdTerminal('T-0002', 'hub-b', later, LEASE)).toEqual({ previousHolder: null, wasSilent: true });
    expect((await store.presence('T-0002'))[0]!.silent).toBe(false);
    await store.forgetTerminal('T-0003');
    expect((await store.presence()).map((r) => r.terminal)).toEqual(['T-0001', 'T-0002']);
  });

  it('keeps a command and what became of it', async () => {
    const command: CommandRecord = {
      id: 'c-1', terminal: 'T-0001', name: 'self_test', args: { level: 'quick' }, state: 'queued',
      postedBy: 'hub-a', postedAt: T0, sentBy: null, sentAt: null, finishedAt: null, detail: null,
    };
    await store.recordCommand(command);
    await store.updateCommand('c-1', { state: 'sent', sentBy: 'hub-b', sentAt: T0 + 5 });
    await store.updateCommand('c-1', { state: 'succeeded', finishedAt: T0 + 900, detail: 'passed' });
    expect(await store.command('c-1')).toEqual({ ...command, state: 'succeeded', sentBy: 'hub-b', sentAt: T0 + 5, finishedAt: T0 + 900, detail: 'passed' });
    expect(await store.command('c-2')).toBeUndefined();
  });
});
