import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { executeHubCommand } from '../../src/report/hub-commands.js';

describe('agent: the bundle command', () => {
  const run = async (bundle: () => Promise<{ size: number }>) => {
    const replies: [string, boolean, string][] = [];
    await executeHubCommand(
      { type: 'command', id: 'c-1', name: 'bundle', args: {} },
      { selfTest: () => Promise.reject(new Error('not this one')), bundle, reply: (...r) => void replies.push(r) },
      silentLogger,
    );
    return replies;
  };

  it('answers with the size once the bundle is sent, or with why it could not be', async () => {
    expect(await run(async () => ({ size: 4096 }))).toEqual([['c-1', true, 'diagnostic bundle of 4096 bytes sent']]);
    expect(await run(() => Promise.reject(new Error('no open link to the hub')))).toEqual([['c-1', false, 'diagnostic bundle could not be sent: no open link to the hub']]);
  });
});
