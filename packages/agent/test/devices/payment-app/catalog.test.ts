import { describe, it } from 'vitest';
import { paymentApp } from '../../../src/devices/payment-app/index.js';
import { expectFamilyCatalog } from '../family-catalog.js';

describe('payment app fault catalog', () => {
  it('holds exactly its codes, with their category and severity', () => {
    expectFamilyCatalog(paymentApp, 'paymentApp', [
      ['payment.saf_backlog', 'software', 'major'],
      ['payment.host_unreachable', 'network', 'major'],
      ['payment.app_crash_loop', 'software', 'critical'],
      ['payment.app_silent', 'software', 'major'],
    ]);
  });
});
