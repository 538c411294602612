import type { Driver } from '../../drivers/contract.js';
import type { FamilySelfTestAfter } from '../family.js';
import { DropReporting } from './drop-driver-base.js';

/**
 * After `hardware.dropped`: the quick self-test once the terminal lies still (the accelerometer says
 * so; an app-reported drop is over when it is reported), its verdict handed to the driver that saw
 * the drop, whose readings then carry it (passed: the drop closes; failed: it escalates).
 */
export const selfTestAfterDrop: FamilySelfTestAfter = {
  codes: ['hardware.dropped'],
  ready: (readings) => readings['accelerometer.still'] === true,
  tested(drivers, result, failingBefore) {
    for (const driver of drivers) if (isDropReporting(driver)) driver.selfTested(result, failingBefore);
  },
};

function isDropReporting(driver: Driver): driver is Driver & DropReporting {
  return driver instanceof DropReporting;
}
