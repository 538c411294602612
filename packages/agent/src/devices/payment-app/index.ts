import type { DeviceFamily } from '../family.js';
import { catalog } from './catalog.js';
import { paymentAppSection } from './config.js';
import { PaymentAppDriver } from './payment-app-driver.js';
import rules from './rules.json' with { type: 'json' };

/** The payment app itself: its offline backlog, its acquirer, its crashes and its silence, from its own reports on the control API. */
export const paymentApp: DeviceFamily<'paymentApp', 'paymentApp', typeof paymentAppSection> = {
  key: 'paymentApp',
  kind: 'paymentApp',
  name: 'payment-app',
  words: { en: 'payment app', 'zh-CN': '支付应用' },
  config: paymentAppSection,
  readingPrefixes: ['payment.'],
  catalog,
  rules: { file: new URL('./rules.json', import.meta.url), content: rules },
  createDriver: (section, { ctx }) => new PaymentAppDriver(section, ctx),
};
