import { z } from 'zod';
import { pollTiming } from '../../config/section.js';

/** A host the terminal must reach (the acquirer, the TMS): DNS, TCP connect and, with `tls`, the handshake. */
const networkTarget = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "_" or "-" (it becomes part of a reading name)'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  tls: z.boolean().default(false),
  httpDate: z
    .boolean()
    .default(true)
    .describe('with tls: send HEAD / after the handshake and take the Date header for clock skew; off for hosts that do not speak HTTP'),
});

/** `devices.network`: the interfaces whose link is watched and the targets probed. */
export const networkSection = z.strictObject({
  interfaces: z.array(z.string().regex(/^[A-Za-z0-9._-]{1,15}$/, 'a network interface name')).default([]),
  targets: z.array(networkTarget).default([]),
  ...pollTiming,
});
export type NetworkConfig = z.output<typeof networkSection>;
