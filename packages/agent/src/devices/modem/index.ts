import type { DeviceFamily } from '../family.js';
import { catalog } from './catalog.js';
import { modemSection } from './config.js';
import { ModemDriver } from './modem-driver.js';
import rules from './rules.json' with { type: 'json' };
import { selfTest } from './self-test.js';

/** The mobile modem: its AT channel, SIM, network registration and signal. */
export const modem: DeviceFamily<'modem', 'modem', typeof modemSection> = {
  key: 'modem',
  kind: 'modem',
  name: 'modem',
  words: { en: 'modem', 'zh-CN': '移动网络模块' },
  config: modemSection,
  readingPrefixes: ['modem.'],
  catalog,
  rules: { file: new URL('./rules.json', import.meta.url), content: rules },
  createDriver: (section, { ctx, overrides }) => new ModemDriver(section, ctx, overrides.serialBinding ? { binding: overrides.serialBinding } : {}),
  selfTest,
};
