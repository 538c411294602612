import { join } from 'node:path';
import { z } from 'zod';
import { readStateFile, writeJsonAtomic } from '../core/state-file.js';

/**
 * The terminal's open work order as the hub last told it (the `work_order` command): its short
 * reference, its state and the merchant's page. Kept in `<state>/work-order.json` (atomic writes), so
 * `posdiag status`, the control API and the self-test receipt can give the merchant the reference the
 * hotline asks for, across restarts and without a link to the hub. The latest command wins; the hub
 * decides what is open, the agent only shows it.
 */
export const WORK_ORDER_FILE = 'work-order.json';

export const workOrderSchema = z.strictObject({
  ref: z.string().min(1).max(64),
  state: z.string().min(1).max(64),
  url: z.string().min(1).max(256).optional(),
});
export type WorkOrder = z.infer<typeof workOrderSchema>;

const fileSchema = z.strictObject({ version: z.literal(1), receivedAt: z.string(), workOrder: workOrderSchema });

/** The work order the file holds, or null when none (or the file is unreadable: a reference shown wrong misleads more than none). */
export function readWorkOrder(stateDir: string): WorkOrder | null {
  try {
    return readStateFile(join(stateDir, WORK_ORDER_FILE), fileSchema)?.workOrder ?? null;
  } catch {
    return null;
  }
}

export function writeWorkOrder(stateDir: string, workOrder: WorkOrder, now: number): void {
  writeJsonAtomic(join(stateDir, WORK_ORDER_FILE), { version: 1, receivedAt: new Date(now).toISOString(), workOrder } satisfies z.infer<typeof fileSchema>);
}

/** The command's args as a work order, or why they are not one (the wire allows any string, number or boolean). */
export function workOrderFromArgs(args: Record<string, unknown>): { ok: true; workOrder: WorkOrder } | { ok: false; reason: string } {
  const parsed = workOrderSchema.safeParse(args);
  if (parsed.success) return { ok: true, workOrder: parsed.data };
  return { ok: false, reason: `work_order needs {ref, state, url?} as strings: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'args'}: ${i.message}`).join('; ')}` };
}
