import { describe, expect, it } from 'vitest';
import { closest, editDistance } from '../../src/cli/did-you-mean.js';

describe('did you mean', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('stauts', 'status')).toBe(1);
    expect(editDistance('bundel', 'bundle')).toBe(1);
    expect(editDistance('hub', 'hubs')).toBe(1);
    expect(editDistance('log', 'run')).toBe(3);
  });

  it('suggests only a near candidate, the first of equals', () => {
    const commands = ['run', 'self-test', 'status', 'log', 'bundle'];
    expect(closest('selftest', commands)).toBe('self-test');
    expect(closest('STATUS', commands)).toBe('status');
    expect(closest('lg', commands)).toBe('log');
    expect(closest('frobnicate', commands)).toBeUndefined();
    expect(closest('xy', ['ab', 'xa', 'ya'])).toBe('xa');
  });
});
