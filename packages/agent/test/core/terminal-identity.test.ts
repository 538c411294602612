import { describe, expect, it } from 'vitest';
import { terminalInventory } from '../../src/core/terminal-identity.js';

describe('terminalInventory', () => {
  it("is the identity's model and serial", () => {
    expect(terminalInventory({ id: 'T-1', model: 'PAX A920', serial: 'SN-0042', purchaseDate: '2024-05-01' })).toEqual({ model: 'PAX A920', serial: 'SN-0042' });
  });

  it('leaves out what the identity only stands in for with "unknown"', () => {
    expect(terminalInventory({ id: 'T-1', model: 'unknown', serial: 'unknown' })).toEqual({});
    expect(terminalInventory({ id: 'T-1', model: 'PAX A920', serial: 'unknown' })).toEqual({ model: 'PAX A920' });
  });
});
