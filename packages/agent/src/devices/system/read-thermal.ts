import { listDirectory, readAttribute } from '../../drivers/transports/sysfs.js';
import type { ThermalZone } from './thermal.js';

export const THERMAL_CLASS = 'class/thermal';

/** Every `thermal_zone<N>` under `<sysfs>/class/thermal` with its type and temp (cooling devices skipped). */
export async function readThermalZones(sysfsRoot: string, signal?: AbortSignal): Promise<ThermalZone[]> {
  const names = (await listDirectory(sysfsRoot, THERMAL_CLASS)).filter((n) => /^thermal_zone\d+$/.test(n));
  return Promise.all(
    names.map(async (zone) => {
      const [type, temp] = await Promise.all([
        readAttribute(sysfsRoot, `${THERMAL_CLASS}/${zone}/type`, signal),
        readAttribute(sysfsRoot, `${THERMAL_CLASS}/${zone}/temp`, signal),
      ]);
      return {
        zone,
        ...(type.kind === 'value' ? { type: type.text } : {}),
        ...(temp.kind === 'value' ? { temp: temp.text } : {}),
      };
    }),
  );
}
