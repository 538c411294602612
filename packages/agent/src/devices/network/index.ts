import type { DeviceFamily } from '../family.js';
import { catalog } from './catalog.js';
import { networkSection } from './config.js';
import { NetworkDriver } from './network-driver.js';
import rules from './rules.json' with { type: 'json' };
import { selfTest } from './self-test.js';

/** The network link: interfaces (carrier, operstate, Wi-Fi signal, errors) and the targets the terminal must reach. */
export const network: DeviceFamily<'network', 'network', typeof networkSection> = {
  key: 'network',
  kind: 'network',
  name: 'network',
  words: { en: 'network', 'zh-CN': '网络' },
  config: networkSection,
  readingPrefixes: ['network.'],
  catalog,
  rules: { file: new URL('./rules.json', import.meta.url), content: rules },
  // TLS targets' HTTP Date is a reference only where skew is measured (the daemon); a one-off CLI poll sends nothing more.
  createDriver: (section, { paths, ctx, overrides }) => new NetworkDriver(section, paths, ctx, overrides.clockReferences ? { readHttpDate: true } : {}),
  selfTest,
};
