import { ControlError } from '../../control/server.js';
import type { Driver } from '../../drivers/contract.js';
import type { AppHealthParams } from './app-health.js';
import { PaymentAppDriver } from './payment-app-driver.js';

/** Hands one `app_health` report to the payment app's driver. */
export function appHealth(drivers: readonly Driver[], params: AppHealthParams): { accepted: true } {
  const driver = drivers.find((d): d is PaymentAppDriver => d instanceof PaymentAppDriver);
  if (!driver) throw new ControlError('not_found', 'devices.paymentApp is not configured: this agent does not judge the payment app');
  driver.report(params);
  return { accepted: true };
}
