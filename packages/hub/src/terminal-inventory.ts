import { z } from 'zod';
import type { AgentMessage } from 'posdiag-protocol';
import type { InventoryFacts, InventoryRecord } from './store/store.js';

/**
 * The terminals' inventory (SPEC §7): what each agent's hello says of its terminal (model, serial,
 * firmware, as far as the agent knows them) and of itself (its version), kept per terminal by the store
 * and shown on GET /api/terminals. A hello from an agent older than `inventory` still gives the version.
 */

type Hello = Extract<AgentMessage, { type: 'hello' }>;

export function inventoryFacts(hello: Hello): InventoryFacts {
  const said = hello.inventory ?? {};
  return { model: said.model ?? null, serial: said.serial ?? null, firmware: said.firmware ?? null, agentVersion: hello.agentVersion };
}

/** GET /api/terminals?model=X&agentVersion=Y: each, when given, must equal the terminal's latest hello. */
export const inventoryQuery = z.strictObject({ model: z.string().max(128).optional(), agentVersion: z.string().max(32).optional() });
export type InventoryQuery = z.infer<typeof inventoryQuery>;

export interface InventoryView {
  model: string | null;
  serial: string | null;
  firmware: string | null;
  agentVersion: string;
  updatedAt: string;
}

/** Each terminal with its inventory (null before its agent's first hello here), those the query names only. */
export function withInventory<T extends { id: string }>(terminals: T[], all: ReadonlyMap<string, InventoryRecord>, query: InventoryQuery) {
  return terminals
    .map((t) => ({ ...t, inventory: view(all.get(t.id)) }))
    .filter(({ inventory }) => (query.model === undefined || inventory?.model === query.model) && (query.agentVersion === undefined || inventory?.agentVersion === query.agentVersion));
}

function view(record: InventoryRecord | undefined): InventoryView | null {
  return record ? { ...record, updatedAt: new Date(record.updatedAt).toISOString() } : null;
}
