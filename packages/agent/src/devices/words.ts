import type { LocalizedText, Locale } from 'posdiag-protocol';
import { families } from './index.js';

/** The agent itself, as the device of its own checks and faults. */
const AGENT: LocalizedText = { en: 'agent', 'zh-CN': '诊断服务' };

/** A driver's name (a check's `device`) as the merchant reads it: its family's words, else as it is. */
export function deviceWord(device: string, locale: Locale): string {
  if (device === 'agent') return AGENT[locale];
  const family = families.find((f) => f.name === device);
  return family ? family.words[locale] : device;
}
