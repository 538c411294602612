import { describe, it } from 'vitest';
import { network } from '../../../src/devices/network/index.js';
import { expectFamilyCatalog } from '../family-catalog.js';

describe('network fault catalog', () => {
  it('holds exactly its codes, with their category and severity', () => {
    expectFamilyCatalog(network, 'network', [
      ['network.link_down', 'network', 'critical'],
      ['network.link_flapping', 'network', 'minor'],
      ['network.wifi_weak', 'network', 'minor'],
      ['network.dns_failure', 'network', 'major'],
      ['network.host_unreachable', 'network', 'critical'],
      ['network.high_latency', 'network', 'minor'],
    ]);
  });
});
