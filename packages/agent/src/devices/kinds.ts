import type { FAMILIES } from './index.js';

/**
 * The device kinds: each family's (devices/index.ts), and the agent's own for the faults of its own
 * storage and log. A kind is what a driver, a device identity and a catalog entry carry.
 */
export type DeviceKind = (typeof FAMILIES)[number]['kind'] | 'agent';
