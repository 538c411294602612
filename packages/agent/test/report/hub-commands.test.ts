import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { executeHubCommand, type CommandTarget } from '../../src/report/hub-commands.js';
import type { WorkOrder } from '../../src/repair/work-order.js';

const notThisOne = () => {
  throw new Error('not this one');
};
const noOtherCommand: CommandTarget = {
  selfTest: () => Promise.reject(new Error('not this one')),
  bundle: () => Promise.reject(new Error('not this one')),
  lock: notThisOne,
  unlock: notThisOne,
  workOrder: notThisOne,
  reply: notThisOne,
};

/** Runs one command against `target` (the rest refuse) and returns the replies. */
async function replies(name: 'lock' | 'unlock' | 'work_order', args: Record<string, string | number | boolean>, target: Partial<CommandTarget>) {
  const sent: [string, boolean, string][] = [];
  await executeHubCommand({ type: 'command', id: 'c-2', name, args }, { ...noOtherCommand, ...target, reply: (...r) => void sent.push(r) }, silentLogger);
  return sent;
}

describe('agent: the bundle command', () => {
  const run = async (bundle: () => Promise<{ size: number }>) => {
    const replies: [string, boolean, string][] = [];
    await executeHubCommand(
      { type: 'command', id: 'c-1', name: 'bundle', args: {} },
      { ...noOtherCommand, bundle, reply: (...r) => void replies.push(r) },
      silentLogger,
    );
    return replies;
  };

  it('answers with the size once the bundle is sent, or with why it could not be', async () => {
    expect(await run(async () => ({ size: 4096 }))).toEqual([['c-1', true, 'diagnostic bundle of 4096 bytes sent']]);
    expect(await run(() => Promise.reject(new Error('no open link to the hub')))).toEqual([['c-1', false, 'diagnostic bundle could not be sent: no open link to the hub']]);
  });
});

describe('agent: the lock, unlock and work_order commands', () => {
  it('lock passes the reason on and answers ok; a reason that is not a string is refused', async () => {
    const reasons: (string | null)[] = [];
    expect(await replies('lock', { reason: 'reported stolen' }, { lock: (r) => void reasons.push(r) })).toEqual([['c-2', true, 'locked']]);
    expect(await replies('lock', {}, { lock: (r) => void reasons.push(r) })).toEqual([['c-2', true, 'locked']]);
    expect(reasons).toEqual(['reported stolen', null]);
    expect(await replies('lock', { reason: 7 }, { lock: (r) => void reasons.push(r) })).toEqual([['c-2', false, 'lock: "reason" must be a string']]);
    expect(reasons).toHaveLength(2);
  });

  it('a lock that cannot be kept (the state dir fails) is answered not ok, with why', async () => {
    const failing = () => {
      throw new Error('EROFS: read-only file system');
    };
    expect(await replies('lock', {}, { lock: failing })).toEqual([['c-2', false, 'lock failed: EROFS: read-only file system']]);
    expect(await replies('unlock', {}, { unlock: () => {} })).toEqual([['c-2', true, 'unlocked']]);
  });

  it('work_order keeps {ref, state, url}; args of the wrong type are refused, nothing kept', async () => {
    const kept: WorkOrder[] = [];
    const keep = { workOrder: (w: WorkOrder) => void kept.push(w) };
    expect(await replies('work_order', { ref: 'WO-7K2QF', state: 'accepted', url: 'https://hub.example/wo/x' }, keep)).toEqual([['c-2', true, 'work order WO-7K2QF (accepted) kept']]);
    expect(kept).toEqual([{ ref: 'WO-7K2QF', state: 'accepted', url: 'https://hub.example/wo/x' }]);
    const [[, ok, detail]] = (await replies('work_order', { ref: 12, state: 'accepted' }, keep)) as [[string, boolean, string]];
    expect(ok).toBe(false);
    expect(detail).toMatch(/^work_order needs \{ref, state, url\?\} as strings: ref: /);
    expect((await replies('work_order', { state: 'accepted' }, keep))[0]![1]).toBe(false);
    expect(kept).toHaveLength(1);
  });
});
