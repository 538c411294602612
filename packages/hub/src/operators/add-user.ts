import { systemClock } from 'posdiag-protocol';
import { openStore } from '../store/open-store.js';
import { createOperators } from './operators.js';
import { cliPrincipal } from './principal.js';
import type { Role } from './roles.js';

/**
 * Adds an operator to the hub database `db`, as `posdiag hub user add` does (audited under `cli:BY`):
 * for programs that embed the hub, such as the agent's `posdiag demo --console`. Throws OperatorError
 * when the name is taken or the password too short.
 */
export async function addOperatorUser(db: string, user: { name: string; role: Role; password: string; by: string }): Promise<void> {
  const store = await openStore(db);
  try {
    await createOperators(store.operators, systemClock).users.add(user.name, user.role, user.password, cliPrincipal(user.by));
  } finally {
    await store.close();
  }
}
