import type { DeviceFamily } from '../family.js';
import { catalog } from './catalog.js';
import { systemSection } from './config.js';
import rules from './rules.json' with { type: 'json' };
import { SystemDriver } from './system-driver.js';

/** The terminal itself: free storage and memory, CPU temperature, and how far its clock is off. */
export const system: DeviceFamily<'system', 'system', typeof systemSection> = {
  key: 'system',
  kind: 'system',
  name: 'system',
  words: { en: 'system', 'zh-CN': '系统' },
  config: systemSection,
  readingPrefixes: ['system.'],
  catalog,
  rules: { file: new URL('./rules.json', import.meta.url), content: rules },
  createDriver: (section, { paths, ctx }) => new SystemDriver(section, paths, ctx),
};
