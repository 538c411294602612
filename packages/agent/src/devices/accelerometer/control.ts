import { ControlError } from '../../control/server.js';
import type { Driver } from '../../drivers/contract.js';
import { AppDropDriver } from './app-drop-driver.js';
import type { ReportDropParams } from './report-drop-params.js';

/** How far from the terminal's clock a reported drop's time may be: the app reports what just happened. */
const MAX_REPORT_SKEW_MS = 24 * 3_600_000;


/** Hands the payment app's drop to the `source: "app"` driver, which raises hardware.dropped like a detected one. */
export function reportDrop(drivers: readonly Driver[], params: ReportDropParams): { accepted: true } {
  const driver = drivers.find((d): d is AppDropDriver => d instanceof AppDropDriver);
  if (!driver) throw new ControlError('not_found', 'devices.accelerometer is not {"source": "app"}: this terminal detects its drops itself');
  const at = Date.parse(params.at);
  if (Math.abs(at - driver.now()) > MAX_REPORT_SKEW_MS) throw new ControlError('bad_request', `params.at: ${params.at} is more than a day from the terminal's clock`);
  driver.report({ at, heightM: params.heightM, peakG: params.peakG });
  return { accepted: true };
}
