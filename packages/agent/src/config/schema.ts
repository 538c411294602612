import { z } from 'zod';
import { localeSchema } from 'posdiag-protocol';
import { DEVICE_SECTIONS } from '../devices/config.js';
import { duration } from './section.js';
import { hubUrls } from './hub-urls.js';

export { parseDuration } from 'posdiag-protocol';
export { duration };

/**
 * The one config schema (SPEC §3). Every object is strict: an unknown key is an error, because a
 * misspelt key silently ignored is a device silently unmonitored. The `devices` sections are the
 * device families' (src/devices/).
 */

export const configSchema = z.strictObject({
  terminal: z.strictObject({
    id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, '1-64 letters, digits, ".", "_" or "-"'),
    model: z.string().min(1).default('unknown'),
    serial: z.string().min(1).default('auto').describe('"auto" reads it from the system'),
    purchaseDate: z.iso.date().optional(),
  }),
  paths: z
    .strictObject({
      sysfs: z.string().min(1).default('/sys'),
      procfs: z.string().min(1).default('/proc'),
      dev: z.string().min(1).default('/dev').describe('root of the device nodes a driver finds by name, as sysfs and procfs'),
      state: z.string().min(1).default('/var/lib/posdiag'),
      logs: z.string().min(1).default('/var/log/posdiag'),
    })
    .prefault({}),
  devices: z.strictObject(DEVICE_SECTIONS).prefault({}),
  rules: z
    .strictObject({
      files: z.array(z.string().min(1)).default([]).describe('extra rule files, evaluated after the built-in set'),
      thresholds: z.record(z.string(), z.number()).default({}).describe('overrides of rule thresholds by name'),
    })
    .prefault({}),
  uplink: z
    .strictObject({
      url: hubUrls,
      token: z.string().min(1).optional(),
      ca: z.string().min(1).optional().describe('PEM file of the hub CA'),
      cert: z.string().min(1).optional().describe('PEM client certificate (mutual TLS)'),
      key: z.string().min(1).optional().describe('PEM client key (mutual TLS)'),
    })
    .optional(),
  outbox: z
    .strictObject({
      maxBytes: z.number().int().min(64 * 1024).default(16 * 1024 * 1024),
      memoryRing: z.number().int().min(16).default(1000).describe('reports held in memory when the disk fails'),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
      maxBytes: z.number().int().min(64 * 1024).default(10 * 1024 * 1024),
      keep: z.number().int().min(1).max(20).default(3),
    })
    .prefault({}),
  heartbeat: duration.default('5m'),
  control: z
    .strictObject({
      socket: z.string().min(1).default('/run/posdiag/control.sock'),
      keypad: z
        .strictObject({
          device: z.string().min(1).describe('evdev device of the keypad, e.g. /dev/input/event2'),
          sequence: z.array(z.union([z.string().regex(/^KEY_[A-Z0-9]+$/, 'a key name such as "KEY_F1"'), z.number().int().min(0).max(0x2ff)])).min(2),
          within: duration.default('3s'),
        })
        .optional()
        .describe('a key sequence on the keypad that starts a self-test and prints its verdict'),
    })
    .prefault({}),
  locale: localeSchema.default('zh-CN'),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
