import type { AtModemState } from './at-modem.js';

/**
 * Named modem states for tests and the demo (issue 5 §8). Each is a patch over HEALTHY_MODEM.
 * `weak`: rssi 5 → -103 dBm; `lte_only`: `+CSQ: 99,99` and RSRP index 60 → -81 dBm;
 * `csq_out_of_range`: firmware answering `+CSQ: 45,0`, an rssi 27.007 does not have.
 */
export const MODEM_SCENARIOS = {
  healthy: {},
  sim_missing: { sim: 'missing' },
  sim_pin: { sim: 'pin' },
  sim_puk: { sim: 'puk' },
  searching: { registration: 'searching' },
  denied: { registration: 'denied' },
  weak: { rssi: 5 },
  csq_out_of_range: { rssi: 45 },
  lte_only: { lteOnly: true, rsrp: 60 },
  roaming: { registration: 'roaming', operator: 'Vodafone D2' },
  silent: { silent: true },
} as const satisfies Record<string, Partial<AtModemState>>;

export type ModemScenario = keyof typeof MODEM_SCENARIOS;
