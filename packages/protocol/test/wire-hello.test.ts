import { describe, expect, it } from 'vitest';
import { agentMessage } from '../src/wire.js';

const hello = { type: 'hello', terminal: 'T-1', agentVersion: '1.4.0', lastSeq: 7 };

describe('agentMessage hello', () => {
  it('takes a hello without inventory, as older agents send it', () => {
    expect(agentMessage.parse(hello)).toEqual(hello);
  });

  it('takes a hello with the inventory, whole or in part', () => {
    const whole = { ...hello, inventory: { model: 'PAX A920', serial: 'SN-0042', firmware: 'PayDroid 8.1' } };
    expect(agentMessage.parse(whole)).toEqual(whole);
    const part = { ...hello, inventory: { model: 'PAX A920' } };
    expect(agentMessage.parse(part)).toEqual(part);
  });

  it('refuses an inventory field it does not know and one over 128 characters', () => {
    expect(agentMessage.safeParse({ ...hello, inventory: { model: 'x', cpu: 'arm' } }).success).toBe(false);
    expect(agentMessage.safeParse({ ...hello, inventory: { serial: 'x'.repeat(129) } }).success).toBe(false);
  });
});
