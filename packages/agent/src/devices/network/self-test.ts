import type { Locale } from 'posdiag-protocol';
import type { Readings } from '../../core/readings.js';
import { uiText, valueWord } from '../../core/ui-text.js';
import type { SelfTestCheck } from '../../self-test/self-test-steps.js';
import type { FamilySelfTest } from '../family.js';
import type { NetworkConfig } from './config.js';

/** The full level checks the TLS handshake of every target configured with `tls`. */
export const selfTest: FamilySelfTest<NetworkConfig> = {
  async full({ drivers, section, readings, step, decide }) {
    const network = drivers[0];
    if (!network) return;
    const tlsTargets = (section?.targets ?? []).filter((t) => t.tls).map((t) => t.name);
    for (const check of tlsChecks(network.name, tlsTargets, readings, step.locale)) decide(check);
  },
};

/** One check per TLS target, from the readings the network poll just took (DNS, connect, handshake). */
function tlsChecks(networkName: string, tlsTargets: readonly string[], readings: Readings, locale: Locale): SelfTestCheck[] {
  const w = uiText(locale).detail;
  return tlsTargets.map((target) => {
    const p = `network.target.${target}`;
    const tlsMs = readings[`${p}.tls_ms`];
    const passed = readings[`${p}.reachable`] === true && typeof tlsMs === 'number';
    const error = readings[`${p}.error`];
    const detail = passed ? w.handshake(tlsMs as number) : typeof error === 'string' ? valueWord(error, locale) : w.stateUnknown;
    return { device: networkName, name: `tls:${target}`, passed, detail };
  });
}
