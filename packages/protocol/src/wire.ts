import { z } from 'zod';
import { categorySchema, severitySchema } from './fault-class.js';
import { terminalIdSchema } from './ids.js';
import { localizedText } from './locale.js';

/**
 * Reports and wire messages (SPEC §7). The agent builds reports with these types, the outbox stores
 * them, the hub validates every frame it receives against `agentMessage` and the agent validates
 * every frame from the hub against `hubMessage`. `posdiag schema protocol` prints them as JSON Schema.
 */

export const PROTOCOL_VERSION = 1 as const;

const isoTime = z.iso.datetime({ offset: true });
const readingValue = z.union([z.boolean(), z.number(), z.string().max(256)]);

export const deviceIdentitySchema = z.strictObject({
  kind: z.string().max(32),
  vendor: z.string().max(128).optional(),
  model: z.string().max(128).optional(),
  serial: z.string().max(128).optional(),
  firmware: z.string().max(128).optional(),
  address: z.string().max(256).optional(),
});

export const terminalInfoSchema = z.strictObject({
  model: z.string().max(128),
  serial: z.string().max(128),
  purchaseDate: z.iso.date().optional(),
});

/** One step the merchant (or the agent itself, `automatic`) can take. */
export const remediationStepSchema = z.strictObject({ text: localizedText, automatic: z.boolean() });
/** A step the agent already tried by itself, with its outcome. */
export const stepTriedSchema = z.strictObject({
  action: z.string().max(64),
  at: isoTime,
  ok: z.boolean(),
  detail: z.string().max(500).optional(),
});

/**
 * What the provider needs to dispatch a repair without a phone call (issue 6): filled in on the report
 * of a raised fault that needs a technician.
 */
export const repairRequestSchema = z.strictObject({
  terminal: terminalInfoSchema,
  /** The damaged part: the device kind and, when known, its identity. */
  part: z.strictObject({ device: z.string().max(32), identity: deviceIdentitySchema.nullable() }),
  /** Merchant-readable: what is wrong, in both languages. */
  symptoms: localizedText,
  /** What the agent tried by itself, with results and times. */
  stepsTried: z.array(stepTriedSchema).max(50),
  technicianHints: z.array(localizedText).max(10),
  evidence: z.strictObject({
    onset: isoTime,
    /** The device's readings around the onset, oldest first. */
    readings: z.array(z.strictObject({ at: isoTime, readings: z.record(z.string().max(128), readingValue) })).max(20),
    /** The latest self-test, if one ran. Lazy: that schema is declared further down with the self-test report. */
    selfTest: z.lazy(() => selfTestResultSchema).nullable(),
  }),
});

const reportBase = {
  v: z.literal(PROTOCOL_VERSION),
  id: z.uuid(),
  /** Grows by exactly one per recorded report per terminal, across restarts: a gap is a lost report. */
  seq: z.number().int().positive(),
  terminal: terminalIdSchema,
  terminalInfo: terminalInfoSchema,
  createdAt: isoTime,
};

export const faultReportSchema = z.strictObject({
  ...reportBase,
  kind: z.literal('fault'),
  code: z.string().regex(/^[a-z_]+\.[a-z_.]+$/).max(64),
  /** Distinguishes faults of one code on several instances, e.g. an interface or a target name. */
  instance: z.string().max(64).nullable(),
  category: categorySchema,
  severity: severitySchema,
  state: z.enum(['raised', 'cleared']),
  /** When the condition started to hold (raised) or stopped holding (cleared). */
  since: isoTime,
  inhibitedBy: z.string().max(64).nullable(),
  summary: localizedText,
  device: deviceIdentitySchema.nullable(),
  /** The readings that fired (or cleared) the fault, and raw protocol evidence. */
  evidence: z.record(z.string().max(128), readingValue),
  remediation: z.array(remediationStepSchema).max(20),
  stepsTried: z.array(stepTriedSchema).max(50),
  needsTechnician: z.boolean(),
  /** Present and true when the fault toggles too often and is held firing (reported once, not per toggle). */
  flapping: z.boolean().optional(),
  /** Present on a raised, uninhibited fault that needs a technician. */
  repairRequest: repairRequestSchema.optional(),
});

export const selfTestCheckSchema = z.strictObject({
  device: z.string().max(32),
  name: z.string().max(64),
  passed: z.boolean(),
  detail: z.string().max(500),
});

export const selfTestFaultSchema = z.strictObject({
  code: z.string().max(64),
  instance: z.string().max(64).nullable(),
  category: categorySchema,
  severity: severitySchema,
  inhibitedBy: z.string().max(64).nullable(),
  remediation: z.array(z.strictObject({ text: localizedText.shape.en, automatic: z.boolean() })).max(20),
});

/** A value a driver could not read (garbage, a physically impossible value, an unreadable file): never a fault. */
export const selfTestProblemSchema = z.strictObject({
  device: z.string().max(32),
  /** The reading it would have been, when the driver names one. */
  reading: z.string().max(128).optional(),
  /** What was wrong, quoting the raw value. */
  message: z.string().max(500),
});

export const selfTestVerificationSchema = z.strictObject({
  code: z.string().max(64),
  instance: z.string().max(64).nullable(),
  stillPresent: z.boolean(),
});

/** SPEC §6: what `posdiag self-test --json` prints and what a `self_test` report carries. */
export const selfTestResultSchema = z.strictObject({
  level: z.enum(['quick', 'full', 'interactive']),
  startedAt: isoTime,
  finishedAt: isoTime,
  passed: z.boolean(),
  terminal: z.strictObject({ id: z.string(), model: z.string(), serial: z.string() }),
  checks: z.array(selfTestCheckSchema).max(200),
  readings: z.record(z.string().max(128), readingValue),
  faults: z.array(selfTestFaultSchema).max(100),
  /** Present when a driver reported reading problems: those readings are unknown, so no fault came from them. */
  problems: z.array(selfTestProblemSchema).max(100).optional(),
  /** The test's id, and the short reference printed on its receipt that the provider's hotline looks up. */
  testId: z.uuid().optional(),
  ref: z.string().regex(/^[0-9A-F]{8}$/).optional(),
  /**
   * Verification after repair (full and interactive levels, run by the daemon): each fault firing when
   * the test started, and whether the test still found its condition holding.
   */
  verification: z.array(selfTestVerificationSchema).max(100).optional(),
});
export type SelfTestResult = z.infer<typeof selfTestResultSchema>;

export const selfTestReportSchema = z.strictObject({
  ...reportBase,
  kind: z.literal('self_test'),
  /** The hub command that asked for it, if any. */
  commandId: z.string().max(64).nullable(),
  result: selfTestResultSchema,
});

export const heartbeatReportSchema = z.strictObject({
  ...reportBase,
  kind: z.literal('heartbeat'),
  uptimeS: z.number().nonnegative(),
  openFaults: z.array(z.string().max(128)).max(200),
  outbox: z.strictObject({
    pending: z.number().int().nonnegative(),
    /** Reports evicted since the previous heartbeat because the outbox was full, by seq. */
    droppedSeqs: z.array(z.number().int().positive()).max(10_000),
    storage: z.enum(['disk', 'memory']),
  }),
});

export const reportSchema = z.discriminatedUnion('kind', [faultReportSchema, selfTestReportSchema, heartbeatReportSchema]);
export type Report = z.infer<typeof reportSchema>;
export type FaultReport = z.infer<typeof faultReportSchema>;
export type SelfTestReport = z.infer<typeof selfTestReportSchema>;
export type HeartbeatReport = z.infer<typeof heartbeatReportSchema>;
/** A report before the outbox gives it its `seq`. */
export type ReportDraft = Report extends infer R ? (R extends Report ? Omit<R, 'seq'> : never) : never;

export const COMMAND_NAMES = ['self_test', 'bundle', 'ping', 'lock', 'unlock', 'work_order'] as const;

/** A diagnostic bundle (the hub's `bundle` command) travels in chunks of this many bytes, each in one frame. */
export const BUNDLE_CHUNK_BYTES = 128 * 1024;
/** Largest bundle an agent sends and a hub takes: logs are size-bounded, so this is ample. */
export const MAX_BUNDLE_BYTES = 32 * 1024 * 1024;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
export const commandNameSchema = z.enum(COMMAND_NAMES);

/**
 * What the agent says of its terminal in `hello` (the hub's inventory): each field only when the agent
 * knows it, nothing guessed. Optional in `hello`, so a hub takes an older agent's hello without it. A hub
 * older than the field refuses the whole hello (the schema is strict), answers an `error` with `ref` null
 * and keeps the connection: the hello only ever informed its log, and the agent only logs that error.
 */
export const terminalInventorySchema = z.strictObject({
  model: z.string().max(128).optional(),
  serial: z.string().max(128).optional(),
  firmware: z.string().max(128).optional(),
});
export type TerminalInventory = z.infer<typeof terminalInventorySchema>;

/** Agent → hub. */
export const agentMessage = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('hello'),
    terminal: reportBase.terminal,
    agentVersion: z.string().max(32),
    lastSeq: z.number().int().nonnegative(),
    inventory: terminalInventorySchema.optional(),
  }),
  z.strictObject({ type: z.literal('report'), report: reportSchema }),
  z.strictObject({
    type: z.literal('command_result'),
    commandId: z.string().max(64),
    ok: z.boolean(),
    detail: z.string().max(2000),
  }),
  /** One piece of the bundle a `bundle` command asked for; the hub stores it once every piece has come and the hash matches. */
  z.strictObject({
    type: z.literal('bundle_chunk'),
    commandId: z.string().min(1).max(64),
    index: z.number().int().nonnegative(),
    total: z.number().int().min(1).max(MAX_BUNDLE_BYTES / BUNDLE_CHUNK_BYTES),
    /** The whole bundle's length and SHA-256 (hex), the same in every chunk. */
    size: z.number().int().min(1).max(MAX_BUNDLE_BYTES),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lowercase hex'),
    data: z.string().min(1).max(Math.ceil(BUNDLE_CHUNK_BYTES / 3) * 4).regex(BASE64, 'base64'),
  }),
]);
export type AgentMessage = z.infer<typeof agentMessage>;
export type BundleChunk = Extract<AgentMessage, { type: 'bundle_chunk' }>;

/** Hub → agent. */
export const hubMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('welcome'), serverTime: isoTime, lastSeq: z.number().int().nonnegative() }),
  /** Sent only after the report is durably stored (or was already stored: duplicates are acked too). */
  z.strictObject({ type: z.literal('ack'), id: z.uuid(), seq: z.number().int().positive(), duplicate: z.boolean() }),
  z.strictObject({
    type: z.literal('command'),
    id: z.string().max(64),
    name: commandNameSchema,
    args: z.record(z.string().max(64), z.union([z.string().max(256), z.number(), z.boolean()])),
  }),
  z.strictObject({
    type: z.literal('error'),
    reason: z.string().max(2000),
    ref: z.string().max(64).nullable(),
    /**
     * Whether sending the same frame again may succeed: true when the hub could not store a valid report
     * (database busy, hub overloaded), false when the frame itself is refused for good (invalid, conflict).
     * Absent from hubs older than this field: the agent then keeps the report for its next connection.
     */
    retryable: z.boolean().optional(),
  }),
]);
export type HubMessage = z.infer<typeof hubMessage>;

/** Largest frame either side accepts; a report is a few KiB. */
export const MAX_FRAME_BYTES = 256 * 1024;
