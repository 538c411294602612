import { z } from 'zod';
import { pollTiming } from '../../config/section.js';

/**
 * `devices.paymentApp` (`{}` is enough): the payment app reports its own health on the control API
 * (`app_health`), and the agent judges it. How long without a report counts as silent is a rule
 * threshold (`payment.app_silent_s`), like every other limit.
 */
export const paymentAppSection = z.strictObject({ ...pollTiming });
export type PaymentAppConfig = z.output<typeof paymentAppSection>;
