import type { FaultReport } from 'posdiag-protocol';

/** The repair request a raised fault report carries (posdiag-protocol repairRequestSchema). */
export type RepairRequest = NonNullable<FaultReport['repairRequest']>;
